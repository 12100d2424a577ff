// Paths into the source tree for tests; also keeps outboxd_test_support from being an empty library.
#include "tests/support/source_paths.hpp"

namespace outboxd::test {

std::string source_path(const std::string &relative) {
  // The macro comes from tests/CMakeLists.txt, so tests work from any build directory.
  const std::string root = OUTBOXD_TEST_SOURCE_DIR;
  return relative.empty() ? root : root + "/" + relative;
}

}  // namespace outboxd::test

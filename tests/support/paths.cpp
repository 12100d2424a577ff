// Builds paths to the plugins the build put in OUTBOXD_TEST_PLUGIN_DIR /
// OUTBOXD_TEST_FIXTURE_PLUGIN_DIR.
#include "tests/support/paths.hpp"

std::string outboxd_test_plugin_path(const std::string &dir, const std::string &name) {
  return dir + "/" + name + ".so";
}

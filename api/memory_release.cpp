// glibc's knobs for returning memory: mallopt and malloc_trim (see memory_release.hpp).
#include "api/memory_release.hpp"

#include <malloc.h>

namespace outboxd::api {
namespace {
constexpr int kMmapThresholdBytes = 256 * 1024;
constexpr std::size_t kTrimAfterBytes = 1024 * 1024;
}  // namespace

void map_large_blocks_on_their_own() { mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes); }

void return_freed_memory(std::size_t bytes) {
  if (bytes >= kTrimAfterBytes) malloc_trim(0);
}

}  // namespace outboxd::api

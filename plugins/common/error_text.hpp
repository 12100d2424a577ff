// Writes a line into one of the host's error buffers (init()'s, or an outboxd_result's): truncated
// to the buffer, always NUL-terminated, never throwing, since it runs behind the C ABI.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd::plugin_common {

inline void write_error(char *buffer, std::size_t cap, const std::string &text) noexcept {
  if (buffer == nullptr || cap == 0) return;
  std::snprintf(buffer, cap, "%s", text.c_str());
}

inline void write_result_error(outboxd_result &result, const std::string &text) noexcept {
  write_error(result.error, result.error_cap, text);
}

}  // namespace outboxd::plugin_common

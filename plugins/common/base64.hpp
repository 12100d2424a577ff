// Standard base64 (RFC 4648 §4) for the sender plugins, which may not link the daemon's core.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace outboxd::plugin_common {

// Base64 of `bytes` in the standard alphabet with '=' padding, on one line.
std::string base64_encode(std::string_view bytes);

// How base64_decode treats the '=' characters at the end of its input.
enum class Base64Padding {
  required,  // exactly as many '=' as the length calls for (0, 1 or 2)
  ignored,   // any number of trailing '=', including none, is accepted and dropped
};

// Strict decoding of the standard alphabet: no whitespace, no URL-safe characters, no '=' before
// the end, and never 4n+1 characters of data (no number of bytes encodes to that). nullopt on any
// of those; a caller that must skip line breaks removes them first.
std::optional<std::string> base64_decode(std::string_view text, Base64Padding padding);

}  // namespace outboxd::plugin_common

// The value of one hexadecimal digit: percent-decoding (http_exchange.cpp) and JSON \u escapes
// (json_scan.cpp) read them.
#pragma once

namespace outboxd::api {

// 0..15, or -1 when `c` is not a hexadecimal digit.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace outboxd::api

// Text helpers the tests share (one definition, so test files can share a unity batch).
#pragma once

#include <string>

// Whether `needle` occurs in `text`.
inline bool contains(const std::string &text, const std::string &needle) {
  return text.find(needle) != std::string::npos;
}

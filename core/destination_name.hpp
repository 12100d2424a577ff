// What a destination may be called: the config refuses any other name, so a message addressed to
// one could never be delivered, and a name from the database that is not one needs escaping before
// it reaches a log or a terminal.
#pragma once

#include <string_view>

namespace outboxd {

inline constexpr std::string_view kDestinationNameRule = "use letters, digits, '_', '.' and '-' only";

inline bool is_destination_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace outboxd

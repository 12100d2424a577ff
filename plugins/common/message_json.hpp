// A message's payload or headers, as the daemon hands them over, read with nlohmann::json.
// JSON and PostgreSQL take numbers beyond a double's range (1e400; jsonb writes it out as a 1 and
// 400 zeros), and nlohmann refuses them ("number overflow"): a valid message read as "not JSON".
// These read such numbers too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace outboxd::plugin_common {

// nlohmann::json::parse(text) that also takes numbers beyond a double: each reads as the largest
// finite double of its sign, so it stays a number (a check for "a string" still refuses it) and
// the rest parses. A discarded value when `text` is not JSON. Never throws for bad text. Write a
// number out from its text (json_member_texts), never from this value.
nlohmann::json parse_message_json(std::string_view text);

// True when `text` is exactly one JSON value, numbers beyond a double included.
bool is_message_json(std::string_view text);

// Each member of a JSON object's text: its key, decoded, and its value's text exactly as written,
// so a number keeps every digit. nullopt when `text` is not a JSON object.
std::optional<std::vector<std::pair<std::string, std::string>>> json_member_texts(std::string_view text);

}  // namespace outboxd::plugin_common

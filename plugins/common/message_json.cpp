// Reading message JSON with numbers beyond a double (plugins/common/message_json.hpp): the text is
// walked once, strings skipped whole, and only a number token strtod finds infinite is replaced.
#include "common/message_json.hpp"

#include <cmath>
#include <cstdlib>

namespace outboxd::plugin_common {
namespace {

using nlohmann::json;

constexpr std::size_t npos = std::string_view::npos;

// Past the closing quote of the string token that starts at t[i]; npos when it never closes.
std::size_t string_end(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\')
      ++i;
    else if (t[i] == '"')
      return i + 1;
  }
  return npos;
}

bool number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// `t` with each number beyond a double's range written as the largest finite double of its sign.
std::string clamp_huge_numbers(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size();) {
    const char c = t[i];
    if (c == '"') {
      const std::size_t end = string_end(t, i);
      if (end == npos) return std::string(t);  // not JSON; let the parser say so
      out.append(t.substr(i, end - i));
      i = end;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < t.size() && number_char(t[end])) ++end;
      const std::string token(t.substr(i, end - i));
      const double value = std::strtod(token.c_str(), nullptr);
      out += std::isinf(value) ? (value < 0 ? "-1.7976931348623157e308" : "1.7976931348623157e308") : token;
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

json parse_message_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_discarded()) return j;
  return json::parse(clamp_huge_numbers(text), nullptr, false);
}

bool is_message_json(std::string_view text) { return json::accept(text) || json::accept(clamp_huge_numbers(text)); }

std::optional<std::vector<std::pair<std::string, std::string>>> json_member_texts(std::string_view t) {
  if (!parse_message_json(t).is_object()) return std::nullopt;
  // Valid JSON from here on, so the walk only needs to find where each part ends.
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < t.size() && space(t[i])) ++i;
  };
  skip_space();
  ++i;  // '{'
  for (;;) {
    skip_space();
    if (t[i] == '}') break;
    const std::size_t key_end = string_end(t, i);
    std::string key = json::parse(t.substr(i, key_end - i)).get<std::string>();
    i = key_end;
    skip_space();
    ++i;  // ':'
    skip_space();
    const std::size_t start = i;
    int depth = 0;
    while (i < t.size()) {
      const char c = t[i];
      if (c == '"') {
        i = string_end(t, i);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
      ++i;
    }
    std::size_t end = i;
    while (end > start && space(t[end - 1])) --end;
    out.emplace_back(std::move(key), std::string(t.substr(start, end - start)));
    if (t[i] == ',') ++i;
  }
  return out;
}

}  // namespace outboxd::plugin_common

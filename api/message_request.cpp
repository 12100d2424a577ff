// Validation of HTTP API requests: every field's type and range, errors naming the field.
#include "api/message_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace outboxd::api {
namespace {

using nlohmann::json;

ApiError invalid(const std::string &where, const std::string &field, const std::string &what) {
  return ApiError{400, "invalid_field", where + field + ": " + what};
}

// PostgreSQL's jsonb cannot store U+0000; finding it here keeps that a 400, not a database error.
bool contains_nul(const json &j) {
  if (j.is_string()) return j.get_ref<const std::string &>().find('\0') != std::string::npos;
  if (j.is_object()) {
    for (const auto &[key, value] : j.items())
      if (key.find('\0') != std::string::npos || contains_nul(value)) return true;
    return false;
  }
  if (j.is_array())
    return std::any_of(j.begin(), j.end(), [](const json &item) { return contains_nul(item); });
  return false;
}

// An integer field in [min, max]; nullopt with `err` set when it is not one.
std::optional<long long> integer_in(const json &v, long long min, long long max, const std::string &where,
                                    const std::string &field, ApiError &err) {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v.is_number_integer()) {
    err = invalid(where, field, "must be " + range + ", got " + std::string(v.type_name()));
    return std::nullopt;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    err = invalid(where, field, "must be " + range + ", got " + std::to_string(v.get<std::uint64_t>()));
    return std::nullopt;
  }
  const long long n = v.get<long long>();
  if (n < min || n > max) {
    err = invalid(where, field, "must be " + range + ", got " + std::to_string(n));
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> string_in(const json &v, std::size_t max_len, const std::string &where,
                                     const std::string &field, ApiError &err) {
  if (!v.is_string()) {
    err = invalid(where, field, "must be a string, got " + std::string(v.type_name()));
    return std::nullopt;
  }
  const std::string &s = v.get_ref<const std::string &>();
  if (s.empty() || s.size() > max_len) {
    err = invalid(where, field, "must be 1 to " + std::to_string(max_len) + " characters long");
    return std::nullopt;
  }
  if (s.find('\0') != std::string::npos) {
    err = invalid(where, field, "must not contain \\u0000");
    return std::nullopt;
  }
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string &s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

const char *const kMessageFields[] = {"destination", "payload",  "headers",      "idempotency_key",
                                      "available_at", "delay_ms", "priority",     "max_attempts",
                                      "ordering_key"};

}  // namespace

Parsed<json> parse_json_body(const std::string &body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded())
    return ApiError{400, "invalid_json", body.empty() ? "body: empty, expected JSON" : "body: not valid JSON"};
  return j;
}

Parsed<EnqueueRequest> validate_message(const json &j, const std::string &where) {
  const std::string self = where.empty() ? "body" : where;
  if (!j.is_object())
    return ApiError{400, "invalid_field", self + ": must be a JSON object, got " + std::string(j.type_name())};
  const std::string prefix = where.empty() ? "" : where + ".";
  for (const auto &[key, value] : j.items()) {
    (void)value;
    if (std::find(std::begin(kMessageFields), std::end(kMessageFields), key) == std::end(kMessageFields)) {
      std::string known;
      for (const char *f : kMessageFields) known += (known.empty() ? "" : ", ") + std::string(f);
      return invalid(prefix, key, "unknown field (known: " + known + ")");
    }
  }
  EnqueueRequest req;
  ApiError err;
  if (!j.contains("destination")) return invalid(prefix, "destination", "required");
  auto destination = string_in(j["destination"], kMaxNameLength, prefix, "destination", err);
  if (!destination) return err;
  req.destination = *destination;

  if (!j.contains("payload")) return invalid(prefix, "payload", "required");
  if (contains_nul(j["payload"])) return invalid(prefix, "payload", "must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  req.payload_json = j["payload"].dump();

  if (j.contains("headers")) {
    const json &h = j["headers"];
    if (!h.is_object()) return invalid(prefix, "headers", "must be a JSON object, got " + std::string(h.type_name()));
    if (contains_nul(h)) return invalid(prefix, "headers", "must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
    req.headers_json = h.dump();
  }
  if (j.contains("idempotency_key")) {
    auto key = string_in(j["idempotency_key"], kMaxKeyLength, prefix, "idempotency_key", err);
    if (!key) return err;
    req.idempotency_key = *key;
  }
  if (j.contains("ordering_key")) {
    auto key = string_in(j["ordering_key"], kMaxKeyLength, prefix, "ordering_key", err);
    if (!key) return err;
    req.ordering_key = *key;
  }
  if (j.contains("available_at") && j.contains("delay_ms"))
    return invalid(prefix, "available_at", "give available_at or delay_ms, not both");
  if (j.contains("available_at")) {
    auto at = string_in(j["available_at"], 64, prefix, "available_at", err);
    if (!at) return err;
    req.available_at = *at;  // PostgreSQL parses it; its complaint becomes a 400 naming this field
  }
  if (j.contains("delay_ms")) {
    auto delay = integer_in(j["delay_ms"], 0, kMaxDelayMs, prefix, "delay_ms", err);
    if (!delay) return err;
    req.delay_ms = *delay;
  }
  if (j.contains("priority")) {
    auto p = integer_in(j["priority"], -32768, 32767, prefix, "priority", err);
    if (!p) return err;
    req.priority = static_cast<int>(*p);
  }
  if (j.contains("max_attempts")) {
    auto m = integer_in(j["max_attempts"], 1, 1000, prefix, "max_attempts", err);
    if (!m) return err;
    req.max_attempts = static_cast<int>(*m);
  }
  return req;
}

Parsed<EnqueueRequest> parse_message_body(const std::string &body) {
  auto parsed = parse_json_body(body);
  if (auto *e = std::get_if<ApiError>(&parsed)) return *e;
  return validate_message(std::get<json>(parsed));
}

Parsed<std::vector<EnqueueRequest>> parse_batch_body(const std::string &body) {
  auto parsed = parse_json_body(body);
  if (auto *e = std::get_if<ApiError>(&parsed)) return *e;
  const json &arr = std::get<json>(parsed);
  if (!arr.is_array())
    return ApiError{400, "invalid_field", "body: must be a JSON array of messages, got " + std::string(arr.type_name())};
  if (arr.empty() || arr.size() > kMaxBatchItems)
    return ApiError{400, "invalid_field",
                    "body: must hold 1 to " + std::to_string(kMaxBatchItems) + " messages, got " +
                        std::to_string(arr.size())};
  std::vector<EnqueueRequest> out;
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto item = validate_message(arr[i], "[" + std::to_string(i) + "]");
    if (auto *e = std::get_if<ApiError>(&item)) return *e;
    out.push_back(std::move(std::get<EnqueueRequest>(item)));
  }
  return out;
}

Parsed<EnqueueRequest> parse_mail_body(const std::string &body, const std::string &destination) {
  auto parsed = parse_json_body(body);
  if (auto *e = std::get_if<ApiError>(&parsed)) return *e;
  const json &j = std::get<json>(parsed);
  if (!j.is_object())
    return ApiError{400, "invalid_field", "body: must be a JSON object, got " + std::string(j.type_name())};
  const char *const fields[] = {"from", "to", "subject", "content"};
  for (const auto &[key, value] : j.items()) {
    (void)value;
    const std::string &name = key;  // a lambda may not capture a structured binding in C++17 (clang)
    if (std::find_if(std::begin(fields), std::end(fields), [&](const char *f) { return name == f; }) ==
        std::end(fields))
      return invalid("", key, "unknown field (known: from, to, subject, content)");
  }
  for (const char *f : fields) {
    if (!j.contains(f)) return invalid("", f, "required");
    if (!j[f].is_string()) return invalid("", f, "must be a string, got " + std::string(j[f].type_name()));
    if (j[f].get_ref<const std::string &>().find('\0') != std::string::npos)
      return invalid("", f, "must not contain \\u0000");
  }
  for (const char *f : {"from", "to"})
    if (j[f].get_ref<const std::string &>().empty()) return invalid("", f, "must not be empty");
  EnqueueRequest req;
  req.destination = destination;
  req.payload_json = j.dump();
  return req;
}

Parsed<MessageFilter> parse_list_query(const std::map<std::string, std::string> &query) {
  MessageFilter f;
  f.limit = kDefaultListLimit;
  for (const auto &[key, value] : query) {
    if (key == "destination") {
      if (value.empty() || value.size() > kMaxNameLength)
        return invalid("", "destination", "must be 1 to " + std::to_string(kMaxNameLength) + " characters long");
      f.destination = value;
    } else if (key == "state") {
      if (!is_message_state(value))
        return invalid("", "state", "must be one of pending, delivered, dead, cancelled, got \"" + value + "\"");
      f.state = value;
    } else if (key == "limit" || key == "after") {
      long long n = -1;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      const bool ok = !value.empty() && ec == std::errc() && end == value.data() + value.size();
      if (key == "limit") {
        if (!ok || n < 1 || n > kMaxListLimit)
          return invalid("", "limit", "must be an integer from 1 to " + std::to_string(kMaxListLimit));
        f.limit = static_cast<int>(n);
      } else {
        if (!ok || n < 0)
          return invalid("", "after", "must be the next_after value of the previous page (an integer >= 0)");
        f.after_seq = n;
      }
    } else {
      return invalid("", key, "unknown query parameter (known: destination, state, limit, after)");
    }
  }
  return f;
}

bool is_uuid(const std::string &t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(t[i]))) {
      return false;
    }
  }
  return true;
}

bool is_json_content_type(const std::string &content_type) {
  const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  return type == "application/json";
}

bool is_message_state(const std::string &t) {
  return t == "pending" || t == "delivered" || t == "dead" || t == "cancelled";
}

}  // namespace outboxd::api

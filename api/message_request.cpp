// Validation of HTTP API requests: every field's type and range, errors naming the field.
#include "api/message_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

#include "core/message_limits.hpp"

namespace outboxd::api {
namespace {

using nlohmann::json;

ApiError invalid(const std::string &where, const std::string &field, const std::string &what) {
  return ApiError{400, "invalid_field", where + field + ": " + what};
}

// A field's value for the type and range checks below. Containers are not built (only their type
// matters there); a number too large for a double (which nlohmann refuses) stays a number.
json scalar_of(const JsonField &f) {
  const std::string type = json_type_of(f.text);
  if (type == "object") return json::object();
  if (type == "array") return json::array();
  json v = json::parse(f.text, nullptr, false);
  return v.is_discarded() ? json(std::numeric_limits<double>::infinity()) : v;
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
    err = invalid(where, field, "must be 1 to " + std::to_string(max_len) + " bytes long in UTF-8");
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

// A message whose payload and headers PostgreSQL would write out larger than kMaxMessageTextBytes
// could never be handed to a plugin: refused now, naming `field`.
std::optional<ApiError> check_written_size(long long written, const std::string &where, const std::string &field,
                                           const std::string &what) {
  if (written <= kMaxMessageTextBytes) return std::nullopt;
  return invalid(where, field, what + " would be " + std::to_string(written) +
                                   " bytes written out by PostgreSQL, more than " +
                                   std::to_string(kMaxMessageTextBytes) + " (64 MiB), the most one message may be");
}

const char *const kMessageFields[] = {"destination", "payload",  "headers",      "idempotency_key",
                                      "available_at", "delay_ms", "priority",     "max_attempts",
                                      "ordering_key"};

}  // namespace

ApiError json_problem_error(const JsonProblem &p) {
  return ApiError{400, p.syntax ? "invalid_json" : "invalid_field", p.where + ": " + p.what};
}

Parsed<EnqueueRequest> validate_message(const JsonItem &message, const std::string &where) {
  const std::string self = where.empty() ? "body" : where;
  const std::string type = json_type_of(message.text);
  if (type != "object") return ApiError{400, "invalid_field", self + ": must be a JSON object, got " + type};
  const std::string prefix = where.empty() ? "" : where + ".";
  for (const JsonField &f : message.fields) {
    if (std::find(std::begin(kMessageFields), std::end(kMessageFields), f.name) == std::end(kMessageFields)) {
      std::string known;
      for (const char *name : kMessageFields) known += (known.empty() ? "" : ", ") + std::string(name);
      return invalid(prefix, f.name, "unknown field (known: " + known + ")");
    }
  }
  // scan_json refused a field given twice, so each name is found at most once.
  const auto field = [&](const char *name) -> const JsonField * {
    for (const JsonField &f : message.fields)
      if (f.name == name) return &f;
    return nullptr;
  };
  EnqueueRequest req;
  ApiError err;
  const JsonField *destination = field("destination");
  if (!destination) return invalid(prefix, "destination", "required");
  auto name = string_in(scalar_of(*destination), kMaxNameLength, prefix, "destination", err);
  if (!name) return err;
  req.destination = *name;

  const JsonField *payload = field("payload");
  if (!payload) return invalid(prefix, "payload", "required");
  req.payload_json = std::string(payload->text);  // as sent: jsonb keeps every number exactly

  if (const JsonField *h = field("headers")) {
    const std::string htype = json_type_of(h->text);
    if (htype != "object") return invalid(prefix, "headers", "must be a JSON object, got " + htype);
    req.headers_json = std::string(h->text);
  }
  const long long written = payload->written + (field("headers") ? field("headers")->written : 2);
  if (auto e = check_written_size(written, prefix, "payload", "payload and headers")) return *e;
  if (const JsonField *f = field("idempotency_key")) {
    auto key = string_in(scalar_of(*f), kMaxKeyLength, prefix, "idempotency_key", err);
    if (!key) return err;
    req.idempotency_key = *key;
  }
  if (const JsonField *f = field("ordering_key")) {
    auto key = string_in(scalar_of(*f), kMaxKeyLength, prefix, "ordering_key", err);
    if (!key) return err;
    req.ordering_key = *key;
  }
  const JsonField *available_at = field("available_at");
  const JsonField *delay_ms = field("delay_ms");
  if (available_at && delay_ms) return invalid(prefix, "available_at", "give available_at or delay_ms, not both");
  if (available_at) {
    auto at = string_in(scalar_of(*available_at), 64, prefix, "available_at", err);
    if (!at) return err;
    req.available_at = *at;  // PostgreSQL parses it; its complaint becomes a 400 naming this field
  }
  if (delay_ms) {
    auto delay = integer_in(scalar_of(*delay_ms), 0, kMaxDelayMs, prefix, "delay_ms", err);
    if (!delay) return err;
    req.delay_ms = *delay;
  }
  if (const JsonField *f = field("priority")) {
    auto p = integer_in(scalar_of(*f), -32768, 32767, prefix, "priority", err);
    if (!p) return err;
    req.priority = static_cast<int>(*p);
  }
  if (const JsonField *f = field("max_attempts")) {
    auto m = integer_in(scalar_of(*f), 1, 1000, prefix, "max_attempts", err);
    if (!m) return err;
    req.max_attempts = static_cast<int>(*m);
  }
  return req;
}

Parsed<EnqueueRequest> parse_message_body(const std::string &body) {
  JsonScanned scanned;
  if (auto p = scan_json(body, 1, "body", scanned)) return json_problem_error(*p);
  return validate_message(scanned.items.front());
}

Parsed<std::vector<EnqueueRequest>> parse_batch_body(const std::string &body) {
  JsonScanned scanned;
  if (auto p = scan_json(body, 2, "body", scanned)) return json_problem_error(*p);
  const std::string type = json_type_of(scanned.root);
  if (type != "array")
    return ApiError{400, "invalid_field", "body: must be a JSON array of messages, got " + type};
  const auto &items = scanned.items;
  if (items.empty() || items.size() > kMaxBatchItems)
    return ApiError{400, "invalid_field",
                    "body: must hold 1 to " + std::to_string(kMaxBatchItems) + " messages, got " +
                        std::to_string(items.size())};
  std::vector<EnqueueRequest> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item = validate_message(items[i], "[" + std::to_string(i) + "]");
    if (auto *e = std::get_if<ApiError>(&item)) return *e;
    out.push_back(std::move(std::get<EnqueueRequest>(item)));
  }
  return out;
}

Parsed<EnqueueRequest> parse_mail_body(const std::string &body, const std::string &destination) {
  JsonScanned scanned;
  if (auto p = scan_json(body, 1, "body", scanned)) return json_problem_error(*p);
  const std::string type = json_type_of(scanned.root);
  if (type != "object") return ApiError{400, "invalid_field", "body: must be a JSON object, got " + type};
  if (auto e = check_written_size(scanned.items.front().written + 2, "", "body", "the body"))
    return *e;
  EnqueueRequest req;
  req.destination = destination;
  req.payload_json = std::string(scanned.root);
  return req;
}

std::optional<ApiError> check_field_json(std::string_view text, const std::string &field) {
  JsonScanned scanned;
  if (auto p = scan_json(text, 0, field, scanned)) return json_problem_error(*p);
  return std::nullopt;
}

Parsed<MessageFilter> parse_list_query(const std::map<std::string, std::string> &query) {
  MessageFilter f;
  f.limit = kDefaultListLimit;
  for (const auto &[key, value] : query) {
    if (key == "destination") {
      if (value.empty() || value.size() > kMaxNameLength)
        return invalid("", "destination", "must be 1 to " + std::to_string(kMaxNameLength) + " bytes long in UTF-8");
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
    } else if (key == "ordering_key") {
      if (value.empty() || value.size() > kMaxKeyLength)
        return invalid("", "ordering_key", "must be 1 to " + std::to_string(kMaxKeyLength) + " bytes long in UTF-8");
      f.ordering_key = value;
    } else if (key == "id_prefix") {
      const std::optional<std::pair<std::string, std::string>> range = id_prefix_range(value);
      if (!range)
        return invalid("", "id_prefix", "must be the start of a message id: 1 to 32 hex digits, dashes allowed");
      f.id_low = range->first;
      f.id_high = range->second;
    } else if (key == "order") {
      if (value != "newest" && value != "oldest")
        return invalid("", "order", "must be newest or oldest, got \"" + value.substr(0, 40) + "\"");
      f.newest_first = value == "newest";
    } else if (key == "fields") {
      if (value != "summary" && value != "all")
        return invalid("", "fields", "must be summary or all, got \"" + value.substr(0, 40) + "\"");
      f.summary = value == "summary";
    } else {
      return invalid("", key,
                     "unknown query parameter (known: destination, state, ordering_key, id_prefix, order, fields, "
                     "limit, after)");
    }
  }
  return f;
}

std::optional<std::pair<std::string, std::string>> id_prefix_range(const std::string &prefix) {
  if (prefix.empty() || prefix.size() > 36) return std::nullopt;
  std::string digits;
  for (char c : prefix) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (digits.empty() || digits.size() > 32) return std::nullopt;
  auto as_uuid = [](std::string hex) {
    for (std::size_t at : {8, 13, 18, 23}) hex.insert(at, 1, '-');
    return hex;
  };
  return std::make_pair(as_uuid(digits + std::string(32 - digits.size(), '0')),
                        as_uuid(digits + std::string(32 - digits.size(), 'f')));
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

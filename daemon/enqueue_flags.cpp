// Builds the JSON text of a POST /v1/messages body from the enqueue flags and validates it with
// the API's parse_message_body: one set of rules for both ways in.
#include "daemon/enqueue_flags.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "api/message_request.hpp"

namespace outboxd::cli {
namespace {

// Message fields and the flags that set them.
const std::pair<const char *, const char *> kFieldFlags[] = {
    {"destination", "destination"},         {"payload", "payload"},
    {"headers", "headers"},                 {"idempotency_key", "idempotency-key"},
    {"ordering_key", "ordering-key"},       {"priority", "priority"},
    {"max_attempts", "max-attempts"},       {"available_at", "available-at"},
};

[[noreturn]] void refuse(const std::string &detail) { throw std::invalid_argument(name_flag(detail)); }

// A flag's value as a JSON string; arguments are bytes, and PostgreSQL takes only UTF-8 text.
std::string quoted(const std::string &field, const std::string &value) {
  try {
    return nlohmann::json(value).dump();
  } catch (const nlohmann::json::type_error &) {
    refuse(field + ": is not valid UTF-8");
  }
}

}  // namespace

std::string name_flag(const std::string &detail) {
  const std::size_t end = detail.find_first_of(".:[");
  if (end == std::string::npos) return detail;
  const std::string field = detail.substr(0, end);
  for (const auto &[name, flag] : kFieldFlags) {
    if (field != name) continue;
    const std::string rest = detail.substr(end);
    if (rest[0] == ':') return "--" + std::string(flag) + rest;
    return "--" + std::string(flag) + ": " + (rest[0] == '.' ? rest.substr(1) : rest);
  }
  return detail;
}

EnqueueRequest enqueue_request(const Args &args) {
  const auto flag = [&](const char *name) -> const std::string * {
    const auto it = args.options.find(name);
    return it == args.options.end() ? nullptr : &it->second;
  };
  if (!flag("destination") || !flag("payload"))
    throw std::invalid_argument("enqueue needs --destination NAME and --payload JSON");

  // Each piece is checked on its own before it goes into the body text, so a flag can only ever
  // be its own field's value (no '--payload "1, \"priority\": 5"').
  std::string body;
  const auto add = [&](const std::string &field, const std::string &json_text) {
    body += (body.empty() ? "{" : ",") + nlohmann::json(field).dump() + ":" + json_text;
  };
  for (const auto &[field, flag_name] : kFieldFlags) {
    const std::string *value = flag(flag_name);
    if (!value) continue;
    const std::string name = field;
    if (name == "payload" || name == "headers") {
      if (auto e = api::check_field_json(*value, name)) refuse(e->detail);
      add(name, *value);  // as given: its numbers stay exact
    } else if (name == "priority" || name == "max_attempts") {
      // A JSON number goes in as it is, so the API's range check sees it; anything else as a
      // string, which the API names as not an integer.
      add(name, api::check_field_json(*value, name) ? quoted(name, *value) : *value);
    } else {
      add(name, quoted(name, *value));
    }
  }
  body += "}";
  auto parsed = api::parse_message_body(body);
  if (auto *e = std::get_if<api::ApiError>(&parsed)) refuse(e->detail);
  return std::move(std::get<EnqueueRequest>(parsed));
}

}  // namespace outboxd::cli

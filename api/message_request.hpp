// Request parsing and validation for the HTTP API: pure functions from text or JSON to a validated
// request or an error naming the field. No I/O, so unit tests and the fuzz target can call them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/outbox_store.hpp"

namespace outboxd::api {

// A client error: HTTP status, a stable machine code and a human detail that names the field.
struct ApiError {
  int status = 400;
  std::string error;   // "invalid_json", "invalid_field", "unknown_destination", ...
  std::string detail;  // "payload: required"
  nlohmann::json body() const { return {{"error", error}, {"detail", detail}}; }
};

template <typename T>
using Parsed = std::variant<T, ApiError>;

// Limits on what a client may send.
constexpr std::size_t kMaxBatchItems = 1000;
constexpr std::size_t kMaxNameLength = 200;   // destination
constexpr std::size_t kMaxKeyLength = 255;    // idempotency_key, ordering_key
constexpr long long kMaxDelayMs = 3650LL * 24 * 3600 * 1000;
constexpr int kMaxListLimit = 1000;
constexpr int kDefaultListLimit = 100;

// Parses a request body as JSON; invalid JSON is 400 invalid_json.
Parsed<nlohmann::json> parse_json_body(const std::string &body);

// One message object (POST /v1/messages, or an item of a batch with `where` = "[3]").
Parsed<EnqueueRequest> validate_message(const nlohmann::json &j, const std::string &where = "");

// POST /v1/messages body text.
Parsed<EnqueueRequest> parse_message_body(const std::string &body);

// POST /v1/messages/batch body text: a JSON array of 1..kMaxBatchItems message objects.
Parsed<std::vector<EnqueueRequest>> parse_batch_body(const std::string &body);

// POST /api/mail/send body text: {from, to, subject, content}, all strings; enqueued on
// `destination` with that object as the payload.
Parsed<EnqueueRequest> parse_mail_body(const std::string &body, const std::string &destination);

// GET /v1/messages query parameters: destination, state, limit (1..1000, default 100), after.
Parsed<MessageFilter> parse_list_query(const std::map<std::string, std::string> &query);

// A UUID in its canonical text form (8-4-4-4-12 hex digits, either case).
bool is_uuid(const std::string &text);

// application/json, optionally with parameters (charset=utf-8), case-insensitively.
bool is_json_content_type(const std::string &content_type);

// True for the four outbox.message_state names.
bool is_message_state(const std::string &text);

}  // namespace outboxd::api

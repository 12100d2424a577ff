// Request parsing and validation for the HTTP API: pure functions from text or JSON to a validated
// request or an error naming the field. No I/O, so unit tests and the fuzz target can call them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/json_scan.hpp"
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

// A problem scan_json found, as the client's error: text that is not JSON is invalid_json, the
// rest (depth, \u0000, a number out of range, a field given twice) invalid_field naming the field.
ApiError json_problem_error(const JsonProblem &problem);

// One message object as scan_json found it (the body, or an item of a batch with `where` = "[3]").
// payload and headers keep the text the client sent: jsonb then stores every number exactly.
Parsed<EnqueueRequest> validate_message(const JsonItem &message, const std::string &where = "");

// POST /v1/messages body text.
Parsed<EnqueueRequest> parse_message_body(const std::string &body);

// POST /v1/messages/batch body text: a JSON array of 1..kMaxBatchItems message objects.
Parsed<std::vector<EnqueueRequest>> parse_batch_body(const std::string &body);

// POST /api/mail/send body text: any JSON object, enqueued as sent on `destination` as the payload.
// What a mail must hold is the destination's plugin's business (its validate(), e.g. smtp's rules),
// so the API takes exactly what that plugin takes.
Parsed<EnqueueRequest> parse_mail_body(const std::string &body, const std::string &destination);

// One field's JSON value given on its own (outboxd enqueue --payload TEXT): the checks the same
// value gets inside a request body, errors naming `field`.
std::optional<ApiError> check_field_json(std::string_view text, const std::string &field);

// GET /v1/messages query parameters: destination, state, ordering_key, id_prefix, order (newest or
// oldest, the default), fields (summary or all, the default), limit (1..1000, default 100), after.
Parsed<MessageFilter> parse_list_query(const std::map<std::string, std::string> &query);

// The ids an id prefix stands for, lowest and highest, as UUID text ("0190ab" -> "0190ab00-0000-...",
// "0190abff-ffff-..."): hex digits (either case) with dashes anywhere, 1 to 32 digits. nullopt
// for anything else.
std::optional<std::pair<std::string, std::string>> id_prefix_range(const std::string &prefix);

// A UUID in its canonical text form (8-4-4-4-12 hex digits, either case).
bool is_uuid(const std::string &text);

// application/json, optionally with parameters (charset=utf-8), case-insensitively.
bool is_json_content_type(const std::string &content_type);

// True for the four outbox.message_state names.
bool is_message_state(const std::string &text);

}  // namespace outboxd::api

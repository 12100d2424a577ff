// `outboxd enqueue`'s flags as a message, checked by the HTTP API's own validation, so the CLI and
// POST /v1/messages refuse exactly the same messages; errors name the flag instead of the field.
#pragma once

#include <string>

#include "core/outbox_store.hpp"
#include "daemon/cli_args.hpp"

namespace outboxd::cli {

// The message the flags describe, validated as a POST /v1/messages body is (api/message_request):
// --payload and --headers are kept as given, so jsonb stores their numbers exactly. Throws
// std::invalid_argument naming the flag (exit 2): "--priority: must be an integer from -32768 to
// 32767, got 40000".
EnqueueRequest enqueue_request(const Args &args);

// A validation error's "field: reason" with the field named as its flag, for every error about a
// message the CLI reports: "max_attempts: ..." becomes "--max-attempts: ...", a plugin's
// "payload.to[1]: ..." becomes "--payload: to[1]: ...". Anything else is returned as it is.
std::string name_flag(const std::string &detail);

}  // namespace outboxd::cli

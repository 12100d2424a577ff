// POST /v1/destinations/{name}/pause and POST /v1/destinations/{name}/resume: an operator stops and
// restarts the delivery of one destination for every daemon on the database (docs/http-api.md).
// A handler of its own, beside api/api_handler.cpp, which routes to it.
#pragma once

#include <string>

#include "api/api_types.hpp"
#include "api/db_pool.hpp"
#include "core/runtime.hpp"

namespace outboxd::api {

// Pauses (`paused` true) or resumes `destination` in one transaction on a pooled connection.
// 200 {"destination", "paused", "changed"}: `changed` is false when it already was so, so a
// repeated call is harmless. 404 unknown_destination when the running config has no destination of
// that name: the name is then most likely a typo, and a pause of it would hold nothing here.
// Database errors are thrown, for ApiHandler::handle to answer (503).
ApiResponse set_destination_paused(DbPool &pool, const Runtime &runtime, const std::string &destination,
                                   bool paused);

}  // namespace outboxd::api

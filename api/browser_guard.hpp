// What the API refuses of requests a browser makes for a page the daemon did not serve: another
// site's page posting a form or calling fetch() (cross-site request forgery), and, on an API
// without tokens, a page of a name that was made to resolve to this machine (DNS rebinding). Any
// site can make a browser send a simple POST to 127.0.0.1:3080, and an open API has no token to
// stop it; a page under a rebound name is "same-origin" to the browser and could read answers.
// Pure, so unit tests and the HTTP fuzz target call it as the daemon does.
//
// Programs (curl, an application's HTTP client) send none of the headers it looks at and are never
// refused by it. Browsers send Sec-Fetch-Site on every request since 2023 (Chrome 76, Firefox 90,
// Safari 16.4); an older one is judged by Origin, which it sends on every POST.
#pragma once

#include <optional>
#include <string>

#include "api/api_types.hpp"
#include "api/message_request.hpp"

namespace outboxd::api {

// Whether `host` (a Host header: "127.0.0.1:3080", "[::1]", "localhost:3080") names this machine's
// loopback: localhost (or a name under .localhost), 127.0.0.0/8, ::1.
bool is_loopback_host(const std::string &host);

// A 403 for a browser's request made by another site's page (Sec-Fetch-Site cross-site or
// same-site; without it, an Origin that is not the Host), or, when `open_api` (no api.tokens), by a
// page reached through a name that is not loopback. nullopt: go on.
std::optional<ApiError> refuse_foreign_page(const ApiRequest &req, bool open_api);

}  // namespace outboxd::api

// Bearer-token authorization of the HTTP API (docs/http-api.md#authentication): a pure decision
// from the configured tokens, the Authorization header and the scope a route needs.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/config.hpp"

namespace outboxd::api {

struct AuthAllow {
  std::string name;  // the token's name; empty when no tokens are configured (open API)
};
struct AuthUnauthorized {  // 401: no, malformed or unknown credentials
  std::string detail;
};
struct AuthForbidden {  // 403: a known token without the needed scope
  std::string detail;
};
using AuthDecision = std::variant<AuthAllow, AuthUnauthorized, AuthForbidden>;

// Whether a token with `scopes` may use a route needing `scope`. `admin` implies `read`.
bool scopes_grant(const std::vector<std::string> &scopes, const std::string &scope);

// No tokens configured: always Allow. Otherwise `authorization` must be "Bearer <token>" with a
// configured token (compared in constant time against every token, via SHA-256 digests) that has
// `scope`. Details never contain the presented value.
AuthDecision authorize(const std::vector<ApiToken> &tokens, const std::optional<std::string> &authorization,
                       const std::string &scope);

}  // namespace outboxd::api

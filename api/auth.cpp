// Bearer-token checks: constant-time comparison over SHA-256 digests, no early exit.
#include "api/auth.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "api/routes.hpp"

namespace outboxd::api {
namespace {

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

Digest sha256(const std::string &s) {
  Digest d{};
  SHA256(reinterpret_cast<const unsigned char *>(s.data()), s.size(), d.data());
  return d;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool scopes_grant(const std::vector<std::string> &scopes, const std::string &scope) {
  if (scope == kAnyTokenScope) return true;
  auto has = [&](const char *s) { return std::find(scopes.begin(), scopes.end(), s) != scopes.end(); };
  if (has(scope.c_str())) return true;
  return scope == "read" && has("admin");
}

AuthDecision authorize(const std::vector<ApiToken> &tokens, const std::optional<std::string> &authorization,
                       const std::string &scope) {
  if (tokens.empty()) return AuthAllow{};
  if (!authorization)
    return AuthUnauthorized{"missing Authorization header; send Authorization: Bearer <token>"};
  const std::string &h = *authorization;
  std::size_t i = 0;
  while (i < h.size() && is_space(h[i])) ++i;
  const std::size_t scheme_start = i;
  while (i < h.size() && !is_space(h[i])) ++i;
  std::string scheme = h.substr(scheme_start, i - scheme_start);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer")
    return AuthUnauthorized{"Authorization: expected the Bearer scheme (Authorization: Bearer <token>)"};
  while (i < h.size() && is_space(h[i])) ++i;
  std::size_t end = h.size();
  while (end > i && is_space(h[end - 1])) --end;
  const std::string presented = h.substr(i, end - i);
  if (presented.empty() || std::any_of(presented.begin(), presented.end(), [](char c) { return is_space(c); }))
    return AuthUnauthorized{"Authorization: malformed; expected Bearer <token>"};

  // Every configured token is compared, match or not, over fixed-length digests.
  const Digest want = sha256(presented);
  std::size_t found = tokens.size();
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const Digest have = sha256(tokens[k].token);
    const bool equal = CRYPTO_memcmp(want.data(), have.data(), want.size()) == 0;
    found = equal ? k : found;
  }
  if (found == tokens.size()) return AuthUnauthorized{"unknown token"};
  const ApiToken &t = tokens[found];
  if (!scopes_grant(t.scopes, scope)) return AuthForbidden{"token '" + t.name + "' lacks scope '" + scope + "'"};
  return AuthAllow{t.name};
}

}  // namespace outboxd::api

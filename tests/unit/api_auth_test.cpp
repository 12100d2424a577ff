// api/auth.cpp: the bearer-token decision, without HTTP.
#include <gtest/gtest.h>

#include "api/auth.hpp"

using namespace outboxd;
using namespace outboxd::api;

namespace {

const std::vector<ApiToken> kTokens = {
    {"ci", "enqueue-token-0123456789", {"enqueue"}},
    {"dash", "read-token-0123456789abc", {"read"}},
    {"ops", "admin-token-0123456789ab", {"admin"}},
};

std::string unauthorized(const AuthDecision &d) {
  const auto *u = std::get_if<AuthUnauthorized>(&d);
  return u ? u->detail : "<not unauthorized>";
}
std::string forbidden(const AuthDecision &d) {
  const auto *f = std::get_if<AuthForbidden>(&d);
  return f ? f->detail : "<not forbidden>";
}
std::string allowed(const AuthDecision &d) {
  const auto *a = std::get_if<AuthAllow>(&d);
  return a ? a->name : "<not allowed>";
}

}  // namespace

TEST(ApiAuth, NoTokensConfiguredAllowsEverything) {
  EXPECT_EQ(allowed(authorize({}, std::nullopt, "admin")), "");
  EXPECT_EQ(allowed(authorize({}, std::string("Bearer whatever"), "read")), "");
}

TEST(ApiAuth, AMissingHeaderIsUnauthorized) {
  EXPECT_NE(unauthorized(authorize(kTokens, std::nullopt, "read")).find("missing Authorization"), std::string::npos);
}

TEST(ApiAuth, AnotherSchemeOrAMalformedHeaderIsUnauthorized) {
  EXPECT_NE(unauthorized(authorize(kTokens, std::string("Basic dXNlcjpwYXNz"), "read")).find("Bearer scheme"),
            std::string::npos);
  EXPECT_NE(unauthorized(authorize(kTokens, std::string("read-token-0123456789abc"), "read")).find("Bearer"),
            std::string::npos);
  EXPECT_NE(unauthorized(authorize(kTokens, std::string("Bearer"), "read")).find("malformed"), std::string::npos);
  EXPECT_NE(unauthorized(authorize(kTokens, std::string("Bearer   "), "read")).find("malformed"), std::string::npos);
  EXPECT_NE(unauthorized(authorize(kTokens, std::string("Bearer a b"), "read")).find("malformed"), std::string::npos);
}

TEST(ApiAuth, AnUnknownTokenIsUnauthorizedAndTheDetailDoesNotEchoIt) {
  const std::string detail = unauthorized(authorize(kTokens, std::string("Bearer not-a-configured-token-xyz"), "read"));
  EXPECT_EQ(detail, "unknown token");
}

TEST(ApiAuth, ATokenOfTheSameLengthThatDiffersInOneByteIsUnknown) {
  std::string almost = kTokens[2].token;
  almost.back() = almost.back() == 'x' ? 'y' : 'x';
  ASSERT_EQ(almost.size(), kTokens[2].token.size());
  EXPECT_EQ(unauthorized(authorize(kTokens, "Bearer " + almost, "admin")), "unknown token");
  std::string prefix = kTokens[2].token.substr(0, kTokens[2].token.size() - 1);
  EXPECT_EQ(unauthorized(authorize(kTokens, "Bearer " + prefix, "admin")), "unknown token");
}

TEST(ApiAuth, AKnownTokenWithoutTheScopeIsForbiddenNamingTokenAndScope) {
  EXPECT_EQ(forbidden(authorize(kTokens, "Bearer " + kTokens[0].token, "read")), "token 'ci' lacks scope 'read'");
  EXPECT_EQ(forbidden(authorize(kTokens, "Bearer " + kTokens[1].token, "admin")), "token 'dash' lacks scope 'admin'");
  EXPECT_EQ(forbidden(authorize(kTokens, "Bearer " + kTokens[2].token, "enqueue")),
            "token 'ops' lacks scope 'enqueue'");
}

TEST(ApiAuth, TheRightScopeIsAllowedWithTheTokensName) {
  EXPECT_EQ(allowed(authorize(kTokens, "Bearer " + kTokens[0].token, "enqueue")), "ci");
  EXPECT_EQ(allowed(authorize(kTokens, "Bearer " + kTokens[1].token, "read")), "dash");
  EXPECT_EQ(allowed(authorize(kTokens, "Bearer " + kTokens[2].token, "admin")), "ops");
  // The scheme is case-insensitive and surrounding blanks are ignored.
  EXPECT_EQ(allowed(authorize(kTokens, "bearer  " + kTokens[1].token + " ", "read")), "dash");
}

TEST(ApiAuth, AdminImpliesReadButNotEnqueue) {
  EXPECT_EQ(allowed(authorize(kTokens, "Bearer " + kTokens[2].token, "read")), "ops");
  EXPECT_TRUE(scopes_grant({"admin"}, "read"));
  EXPECT_FALSE(scopes_grant({"admin"}, "enqueue"));
  EXPECT_FALSE(scopes_grant({"read"}, "admin"));
  EXPECT_TRUE(scopes_grant({"enqueue", "read"}, "read"));
}

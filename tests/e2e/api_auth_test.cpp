// HTTP API bearer tokens: 401 / 403 / scopes per route, health checks open, non-loopback listening.
#include <cstdlib>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kEnqueueToken = "enq-e2e-token-0123456789abcdef";
const std::string kReadToken = "read-e2e-token-0123456789abcdef";
const std::string kAdminToken = "admin-e2e-token-from-env-0123456789";

std::string tokens_yaml() {
  return "  tokens:\n"
         "    - name: producer\n      token: " + kEnqueueToken + "\n      scopes: [enqueue]\n"
         "    - name: dashboard\n      token: " + kReadToken + "\n      scopes: [read]\n"
         "    - name: ops\n      token: !env OUTBOXD_E2E_ADMIN_TOKEN\n      scopes: [admin]\n";
}

std::vector<std::string> bearer(const std::string &token) { return {"Authorization: Bearer " + token}; }

}  // namespace

class ApiAuth : public ApiE2E {
 protected:
  void SetUp() override {
    ::setenv("OUTBOXD_E2E_ADMIN_TOKEN", kAdminToken.c_str(), 1);  // inherited by the daemon
    start_api(scripted_destination("orders"), tokens_yaml());
  }
  HttpReply call(const std::string &method, const std::string &path, const std::string &token,
                 const std::string &body = "") {
    return http(method, base + path, body, "application/json", token.empty() ? std::vector<std::string>{} : bearer(token));
  }
};

TEST_F(ApiAuth, NoHeaderIs401WithWwwAuthenticateAndNothingIsWritten) {
  HttpReply r = post("/v1/messages", R"({"destination":"orders","payload":{}})");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.json()["error"], "unauthorized") << r.body;
  EXPECT_NE(r.json().value("detail", "").find("Authorization"), std::string::npos) << r.body;
  EXPECT_NE(r.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << r.headers;
  EXPECT_EQ(db.count(), 0);
  EXPECT_EQ(get("/v1/stats").status, 401);
}

TEST_F(ApiAuth, AnUnknownTokenOrAnotherSchemeIs401) {
  HttpReply r = call("GET", "/v1/stats", "not-a-configured-token-0123456789");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.json()["detail"], "unknown token") << r.body;
  HttpReply basic = http("GET", base + "/v1/stats", "", "application/json", {"Authorization: Basic dXNlcjpwYXNz"});
  EXPECT_EQ(basic.status, 401) << basic.body;
  EXPECT_NE(basic.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << basic.headers;
}

TEST_F(ApiAuth, HealthChecksNeedNoToken) {
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
}

TEST_F(ApiAuth, EachScopeReachesItsRoutesOnly) {
  HttpReply created = call("POST", "/v1/messages", kEnqueueToken,
                           R"({"destination":"orders","payload":{"behavior":"permanent"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];

  HttpReply stats = call("GET", "/v1/stats", kEnqueueToken);
  EXPECT_EQ(stats.status, 403) << stats.body;
  EXPECT_EQ(stats.json()["error"], "forbidden");
  EXPECT_EQ(stats.json()["detail"], "token 'producer' lacks scope 'read'");
  EXPECT_EQ(call("POST", "/v1/messages/" + id + "/retry", kEnqueueToken).status, 403);

  EXPECT_EQ(call("GET", "/v1/stats", kReadToken).status, 200);
  EXPECT_EQ(call("GET", "/v1/messages/" + id, kReadToken).status, 200);
  EXPECT_EQ(call("GET", "/v1/messages", kReadToken).status, 200);
  HttpReply no_admin = call("POST", "/v1/messages/" + id + "/retry", kReadToken);
  EXPECT_EQ(no_admin.status, 403) << no_admin.body;
  EXPECT_EQ(no_admin.json()["detail"], "token 'dashboard' lacks scope 'admin'");
  EXPECT_EQ(call("POST", "/v1/messages", kReadToken, R"({"destination":"orders","payload":{}})").status, 403);

  // The admin token (given as !env) can retry once the message is dead, and read (admin implies read).
  ASSERT_TRUE(wait_until([&] { return call("GET", "/v1/messages/" + id, kAdminToken).json().value("state", "") == "dead"; },
                         std::chrono::seconds(30)));
  HttpReply retried = call("POST", "/v1/messages/" + id + "/retry", kAdminToken);
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(call("POST", "/v1/destinations/orders/retry-dead", kAdminToken).status, 200);
  EXPECT_EQ(call("POST", "/v1/messages", kAdminToken, R"({"destination":"orders","payload":{}})").status, 403);

  // No token value ever reaches the log; the 403 names the token.
  const std::string log = daemon->log();
  for (const std::string &t : {kEnqueueToken, kReadToken, kAdminToken})
    EXPECT_EQ(log.find(t), std::string::npos) << "token in the log:\n" << log;
  EXPECT_NE(log.find("token 'dashboard' lacks scope 'admin'"), std::string::npos) << log;
}

TEST_F(E2E, ApiOnANonLoopbackAddressWithoutTokensRefusesToStart) {
  auto path = write_config(scripted_destination("orders"), "api:\n  listen: 0.0.0.0:0\n");
  auto [code, out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("api.listen"), std::string::npos) << out;
  EXPECT_NE(out.find("api.tokens"), std::string::npos) << out;
}

TEST_F(E2E, ApiOnANonLoopbackAddressWithATokenStartsAndChecksIt) {
  const std::string token = "wildcard-e2e-token-0123456789";
  auto daemon = start(write_config(scripted_destination("orders"),
                                   "api:\n  listen: 0.0.0.0:0\n  tokens:\n    - name: all\n      token: " + token +
                                       "\n      scopes: [enqueue, read, admin]\n"));
  ASSERT_TRUE(daemon->wait_for_log("api: listening on")) << daemon->log();
  std::smatch m;
  const std::string log = daemon->log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(api: listening on 0\.0\.0\.0:(\d+))"))) << log;
  const std::string base = "http://127.0.0.1:" + m[1].str();
  EXPECT_EQ(http("GET", base + "/healthz").status, 200);
  EXPECT_EQ(http("GET", base + "/v1/stats").status, 401);
  EXPECT_EQ(http("GET", base + "/v1/stats", "", "application/json", {"Authorization: Bearer " + token}).status, 200);
  EXPECT_EQ(daemon->log().find(token), std::string::npos) << daemon->log();
}

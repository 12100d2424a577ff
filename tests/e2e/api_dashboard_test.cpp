// The dashboard's side of the HTTP API against the real daemon: its files and their security
// headers, what /v1/whoami tells each token, /v1/overview's counts against the table's, and the
// throughput series after real deliveries. (The page itself is driven in Chromium: tests/browser.)
#include <regex>

#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kDashboardViewer = "viewer-dash-token-0123456789abcdef";
const std::string kDashboardProducer = "producer-dash-token-0123456789abcdef";

std::string dashboard_tokens_yaml() {
  return "  tokens:\n"
         "    - name: viewer\n      token: " + kDashboardViewer + "\n      scopes: [read]\n"
         "    - name: producer\n      token: " + kDashboardProducer + "\n      scopes: [enqueue]\n";
}

// The value of header `name` in raw header lines (case-insensitive name), or "".
std::string header_value(const std::string &headers, const std::string &name) {
  std::smatch m;
  if (std::regex_search(headers, m, std::regex("(^|\\n)" + name + ": ([^\\r\\n]*)", std::regex::icase)))
    return m[2].str();
  return "";
}

}  // namespace

class ApiDashboard : public ApiE2E {};

TEST_F(ApiDashboard, ThePageIsServedWithAPolicyThatRunsOnlyItsOwnScript) {
  start_api(scripted_destination("orders"));
  const HttpReply root = get("/ui");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(header_value(root.headers, "Location"), "ui/") << "relative: it keeps a reverse proxy's path prefix";

  const HttpReply page = get("/ui/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(header_value(page.headers, "Content-Type"), "text/html; charset=utf-8");
  const std::string csp = header_value(page.headers, "Content-Security-Policy");
  for (const char *directive : {"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                                "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"})
    EXPECT_NE(csp.find(directive), std::string::npos) << directive << " in " << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(header_value(page.headers, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header_value(page.headers, "Referrer-Policy"), "no-referrer");
  // What the policy forbids, the page must not need: no inline script, handler or style.
  EXPECT_FALSE(std::regex_search(page.body, std::regex("<script(?![^>]*\\bsrc=)", std::regex::icase)))
      << "inline script";
  EXPECT_FALSE(std::regex_search(page.body, std::regex("\\son[a-z]+\\s*=", std::regex::icase))) << "inline handler";
  EXPECT_FALSE(std::regex_search(page.body, std::regex("\\sstyle\\s*=", std::regex::icase))) << "inline style";
  EXPECT_EQ(page.body.find("http://"), std::string::npos) << "no other origin";
  EXPECT_EQ(page.body.find("https://"), std::string::npos) << "no other origin";

  const HttpReply script = get("/ui/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(header_value(script.headers, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(std::regex_search(script.body, std::regex(R"(\.(inner|outer)HTML\s*=|insertAdjacentHTML\(|document\.write)")))
      << "data goes into the page as text only";
  EXPECT_EQ(get("/ui/app.css").status, 200);

  const HttpReply missing = get("/ui/secrets.yaml");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json().value("error", ""), "not_found") << missing.body;

  // Every API answer may never be framed, and would run nothing if a browser rendered it.
  const HttpReply stats = get("/v1/stats");
  EXPECT_EQ(header_value(stats.headers, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header_value(stats.headers, "Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
}

TEST_F(ApiDashboard, WhoAmITellsThePageWhatTheTokenMayDoAndTheFilesNeedNone) {
  start_api(scripted_destination("orders"), dashboard_tokens_yaml());
  EXPECT_EQ(get("/ui/").status, 200) << "the page loads to ask for a token";
  const HttpReply anonymous = get("/v1/whoami");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  const HttpReply viewer = http("GET", base + "/v1/whoami", "", "", {"Authorization: Bearer " + kDashboardViewer});
  ASSERT_EQ(viewer.status, 200) << viewer.body;
  EXPECT_EQ(viewer.json(), (json{{"auth_required", true}, {"token", "viewer"}, {"scopes", {"read"}}}));
  const HttpReply producer =
      http("GET", base + "/v1/whoami", "", "", {"Authorization: Bearer " + kDashboardProducer});
  EXPECT_EQ(producer.status, 200) << "any token may ask what it may do";
  EXPECT_EQ(producer.json()["scopes"], json({"enqueue"}));
  EXPECT_EQ(http("GET", base + "/v1/overview", "", "", {"Authorization: Bearer " + kDashboardProducer}).status, 403);
  EXPECT_EQ(http("GET", base + "/v1/overview", "", "", {"Authorization: Bearer " + kDashboardViewer}).status, 200);
  EXPECT_EQ(get("/v1/throughput").status, 401);
}

TEST_F(ApiDashboard, TheOverviewCountsWhatTheTableHoldsAndTheChartWhatWasSent) {
  start_api(scripted_destination("orders") + scripted_destination("idle"));
  std::vector<std::string> ok;
  for (int i = 0; i < 3; ++i) ok.push_back(create({{"destination", "orders"}, {"payload", {{"n", i}}}}));
  const std::string dead = create({{"destination", "orders"}, {"payload", {{"behavior", "permanent"}}}});
  const std::string later = create({{"destination", "orders"}, {"payload", {{"n", 9}}}, {"delay_ms", 3600000}});
  const std::string cancelled = create({{"destination", "orders"}, {"payload", {{"n", 10}}}, {"delay_ms", 3600000}});
  ASSERT_EQ(post("/v1/messages/" + cancelled + "/cancel").status, 200);
  for (const auto &id : ok) ASSERT_TRUE(wait_state(id, "delivered")) << id;
  ASSERT_TRUE(wait_state(dead, "dead"));

  json orders;
  ASSERT_TRUE(wait_until([&] {
    const json o = get("/v1/overview").json();
    for (const auto &d : o["destinations"])
      if (d["destination"] == "orders") orders = d;
    return orders.value("delivered_last_minute", -1) == 3 && orders.value("dead", -1) == 1;
  })) << orders.dump();
  EXPECT_EQ(orders["dead"], db.count("destination = 'orders' AND state = 'dead'"));
  EXPECT_EQ(orders["cancelled"], db.count("destination = 'orders' AND state = 'cancelled'"));
  EXPECT_EQ(orders["scheduled"], db.count("destination = 'orders' AND state = 'pending' AND available_at > now()"));
  EXPECT_EQ(orders["pending_due"], 0);
  EXPECT_EQ(orders["scheduled"], 1);
  EXPECT_EQ(orders["delivered_last_hour"], db.count("destination = 'orders' AND state = 'delivered'"));
  EXPECT_EQ(orders["lane"], "running");
  const json overview = get("/v1/overview").json();
  EXPECT_EQ(overview["database"], "ok");
  EXPECT_LT(overview["age_seconds"].get<double>(), 10);

  json series;
  ASSERT_TRUE(wait_until([&] {
    series = get("/v1/throughput").json();
    long long delivered = 0, failed = 0;
    for (const auto &n : series["delivered"]) delivered += n.get<long long>();
    for (const auto &n : series["failed"]) failed += n.get<long long>();
    return delivered == 3 && failed == 1;
  })) << series.dump();
  EXPECT_EQ(series["delivered"].size(), 900u);
  EXPECT_EQ(series["counted_by"], "this daemon");

  // Paused: the overview says so, before the next message of it.
  ASSERT_EQ(post("/v1/destinations/idle/pause").status, 200);
  json idle = json::object();
  ASSERT_TRUE(wait_until([&] {
    const json o = get("/v1/overview").json();  // held: the loop must not walk a destroyed temporary
    for (const auto &d : o["destinations"])
      if (d["destination"] == "idle") idle = d;
    return idle.value("lane", "") == "paused";
  })) << idle.dump();
}

TEST_F(ApiDashboard, AnotherSitesPageCannotActThroughTheBrowser) {
  start_api(scripted_destination("orders"));
  // A plain HTML form on another site, posted by a browser to the open API on loopback.
  const HttpReply forged = http("POST", base + "/v1/destinations/orders/pause", "",
                                "application/x-www-form-urlencoded",
                                {"Origin: https://evil.example", "Sec-Fetch-Site: cross-site"});
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(forged.json().value("error", ""), "cross_site");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.destination_controls WHERE paused"), "0") << "nothing paused";
  // A page under a name rebound to this machine: same-origin to the browser, refused by its Host.
  const HttpReply rebound = http("GET", base + "/v1/messages", "", "",
                                 {"Host: rebind.evil.example", "Sec-Fetch-Site: same-origin"});
  EXPECT_EQ(rebound.status, 403) << rebound.body;
  EXPECT_EQ(rebound.json().value("error", ""), "forbidden_host");
  // The dashboard's own request, and a program's, go through.
  EXPECT_EQ(http("POST", base + "/v1/destinations/orders/pause", "", "",
                 {"Origin: " + base, "Sec-Fetch-Site: same-origin"})
                .status,
            200);
  EXPECT_EQ(post("/v1/destinations/orders/resume").status, 200);
  EXPECT_EQ(http("GET", base + "/ui/", "", "", {"Sec-Fetch-Site: cross-site"}).status, 200)
      << "a link to the dashboard from another page opens it";
}

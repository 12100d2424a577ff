// The dashboard's answers as JSON (api/dashboard_json.cpp): which destinations the overview lists
// and what each shows, and what /v1/whoami tells the page about a token.
#include <gtest/gtest.h>

#include "api/dashboard_json.hpp"

using namespace outboxd;
using namespace outboxd::api;

TEST(DashboardJson, TheOverviewListsConfiguredCountedAndPausedDestinationsByName) {
  OverviewReading r;
  r.reachable = true;
  r.read_at_unix = 1764650000.25;
  r.delivered_counted_since_unix = 1764646400;
  DestinationCounts orders;
  orders.pending_due = 3;
  orders.scheduled = 1;
  orders.retrying = 2;
  orders.dead = 4;
  orders.delivered_last_hour = 50;
  orders.oldest_pending_seconds = 12.5;
  r.destinations["orders"] = orders;
  r.destinations["typo"].pending_due = 7;  // in the table, not in this config
  r.paused["frozen"] = true;               // paused before it had any message
  r.paused["old"] = false;                 // resumed: not worth a row by itself
  std::map<std::string, LaneStatus> lanes;
  lanes["orders"].breaker = BreakerState::Open;
  lanes["orders"].in_flight = 2;
  const nlohmann::json j = overview_json(r, {"orders", "mail"}, lanes, 1764650002.25);
  std::vector<std::string> names;
  for (const auto &d : j["destinations"]) names.push_back(d["destination"]);
  EXPECT_EQ(names, (std::vector<std::string>{"frozen", "mail", "orders", "typo"}));
  const auto &o = j["destinations"][2];
  EXPECT_EQ(o["pending_due"], 3);
  EXPECT_EQ(o["scheduled"], 1);
  EXPECT_EQ(o["retrying"], 2);
  EXPECT_EQ(o["dead"], 4);
  EXPECT_EQ(o["delivered_last_hour"], 50);
  EXPECT_EQ(o["oldest_pending_seconds"], 12.5);
  EXPECT_EQ(o["lane"], "breaker_open");
  EXPECT_EQ(o["in_flight"], 2);
  EXPECT_TRUE(o["configured"].get<bool>());
  EXPECT_EQ(j["destinations"][0]["lane"], "paused");
  EXPECT_EQ(j["destinations"][1]["lane"], "not_running") << "configured, but no lane of this daemon reported";
  EXPECT_TRUE(j["destinations"][1]["oldest_pending_seconds"].is_null());
  EXPECT_FALSE(j["destinations"][3]["configured"].get<bool>());
  EXPECT_EQ(j["database"], "ok");
  EXPECT_EQ(j["read_at"], "2025-12-02T04:33:20.250Z");
  EXPECT_DOUBLE_EQ(j["age_seconds"].get<double>(), 2.0);
  EXPECT_EQ(j["delivered_counted_since"], "2025-12-02T03:33:20.000Z");
}

TEST(DashboardJson, AnUnreachableDatabaseIsSaidAndNeverReadIsNull) {
  OverviewReading never;
  const nlohmann::json j = overview_json(never, {"orders"}, {}, 100);
  EXPECT_EQ(j["database"], "unreachable");
  EXPECT_TRUE(j["read_at"].is_null());
  EXPECT_TRUE(j["age_seconds"].is_null());
  EXPECT_EQ(j["destinations"][0]["pending_due"], 0);
}

TEST(DashboardJson, WhoAmISaysWhatTheTokenMayDo) {
  const nlohmann::json open = whoami_json({}, "");
  EXPECT_FALSE(open["auth_required"].get<bool>());
  EXPECT_TRUE(open["token"].is_null());
  EXPECT_EQ(open["scopes"], (nlohmann::json{"enqueue", "read", "admin"}));
  const std::vector<ApiToken> tokens{{"ops", "0123456789abcdef-ops", {"admin"}},
                                     {"viewer", "0123456789abcdef-viewer", {"read"}}};
  const nlohmann::json viewer = whoami_json(tokens, "viewer");
  EXPECT_TRUE(viewer["auth_required"].get<bool>());
  EXPECT_EQ(viewer["token"], "viewer");
  EXPECT_EQ(viewer["scopes"], (nlohmann::json{"read"}));
  const std::string text = whoami_json(tokens, "ops").dump();
  EXPECT_EQ(text.find("0123456789abcdef"), std::string::npos) << "never the secret: " << text;
}

TEST(DashboardJson, TimesAreUtcWithMilliseconds) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1.9999), "1970-01-01T00:00:01.999Z") << "never rounded up into the next second";
}

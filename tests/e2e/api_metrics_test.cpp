// GET /metrics: Prometheus text after real deliveries, and its authentication (api.metrics_public).
#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kMetricsReadToken = "read-metrics-token-0123456789abcdef";

std::string metrics_tokens_yaml() {
  return "  tokens:\n    - name: dashboard\n      token: " + kMetricsReadToken + "\n      scopes: [read]\n";
}

}  // namespace

class ApiMetrics : public ApiE2E {};

TEST_F(ApiMetrics, CountsDeliveriesDeadMessagesAndPluginTime) {
  start_api(scripted_destination("orders") + scripted_destination("idle"));
  std::vector<std::string> ok;
  for (int i = 0; i < 3; ++i) ok.push_back(create({{"destination", "orders"}, {"payload", {{"n", i}}}}));
  const std::string dead = create({{"destination", "orders"}, {"payload", {{"behavior", "permanent"}}}});
  for (const auto &id : ok) ASSERT_TRUE(wait_state(id, "delivered")) << id;
  ASSERT_TRUE(wait_state(dead, "dead"));

  HttpReply r;
  // The counters move just after the outcome commits: poll briefly.
  ASSERT_TRUE(wait_until([&] {
    r = get("/metrics");
    return sample_value(r.body, "outboxd_messages_dead_total{destination=\"orders\"}") == 1 &&
           sample_value(r.body, "outboxd_messages_delivered_total{destination=\"orders\"}") == 3;
  })) << r.body;
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << r.headers;
  EXPECT_EQ(sample_value(r.body, "outboxd_messages_retried_total{destination=\"orders\"}"), 0) << r.body;
  EXPECT_EQ(sample_value(r.body, "outboxd_messages_pending{destination=\"orders\"}"), 0) << r.body;
  EXPECT_EQ(sample_value(r.body, "outboxd_messages_pending{destination=\"idle\"}"), 0) << r.body;
  EXPECT_EQ(sample_value(r.body, "outboxd_oldest_pending_age_seconds{destination=\"orders\"}"), 0) << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_delivery_duration_seconds_count{destination=\"orders\"}"), 4) << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"+Inf\"}"), 4)
      << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_delivery_duration_seconds_sum{destination=\"orders\"}"), 0) << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_claim_batch_size_count"), 1) << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_claim_batch_size_sum"), 4) << r.body;
  EXPECT_EQ(sample_value(r.body, "outboxd_db_reconnects_total"), 0) << r.body;
  for (const char *family : {"outboxd_messages_delivered_total counter", "outboxd_messages_pending gauge",
                             "outboxd_delivery_duration_seconds histogram", "outboxd_db_reconnects_total counter"})
    EXPECT_NE(r.body.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
}

TEST_F(ApiMetrics, PendingGaugeShowsScheduledMessagesAndTheirAge) {
  start_api(scripted_destination("orders"));
  create({{"destination", "orders"}, {"payload", json::object()}, {"delay_ms", 3600000}});
  create({{"destination", "orders"}, {"payload", json::object()}, {"delay_ms", 3600000}});
  HttpReply r = get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sample_value(r.body, "outboxd_messages_pending{destination=\"orders\"}"), 2) << r.body;
  EXPECT_GE(sample_value(r.body, "outboxd_oldest_pending_age_seconds{destination=\"orders\"}"), 0) << r.body;
}

TEST_F(ApiMetrics, WithTokensMetricsNeedsReadScope) {
  start_api(scripted_destination("orders"), metrics_tokens_yaml());
  HttpReply none = get("/metrics");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_NE(none.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << none.headers;
  HttpReply with = http("GET", base + "/metrics", "", "", {"Authorization: Bearer " + kMetricsReadToken});
  EXPECT_EQ(with.status, 200) << with.body;
  EXPECT_NE(with.body.find("# TYPE outboxd_messages_delivered_total counter"), std::string::npos) << with.body;
}

TEST_F(ApiMetrics, MetricsPublicServesWithoutTokenButOtherRoutesStillNeedOne) {
  start_api(scripted_destination("orders"), metrics_tokens_yaml() + "  metrics_public: true\n");
  HttpReply r = get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << r.headers;
  EXPECT_EQ(get("/v1/stats").status, 401);
}

// core/metrics.cpp: the Prometheus text rendering and the fixed-bucket histograms.
#include <gtest/gtest.h>

#include "core/metrics.hpp"

using namespace outboxd;

namespace {

HistogramSnapshot claim_histogram(std::initializer_list<double> values) {
  FixedHistogram<kClaimBatchSizeBounds.size()> h(kClaimBatchSizeBounds);
  for (double v : values) h.observe(v);
  return h.snapshot();
}

}  // namespace

TEST(Metrics, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(escape_label_value("plain-name.1"), "plain-name.1");
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(Metrics, RendersExactLinesForASmallRegistry) {
  MetricsSnapshot s;
  s.counters["orders"] = DeliveryCounters{3, 2, 1};
  s.pending["orders"] = PendingGauge{4, 12.5};
  s.pending["mail"] = PendingGauge{};
  FixedHistogram<kDeliveryDurationBounds.size()> d(kDeliveryDurationBounds);
  d.observe(0.00390625, 3);  // one send_batch call of 3 messages (binary fractions: an exact sum)
  d.observe(0.25);
  d.observe(20);
  s.delivery_duration["orders"] = d.snapshot();
  s.claim_batch_size = claim_histogram({1, 3, 3, 2000});
  s.db_reconnects = 7;
  s.paused["orders"] = true;
  s.paused["mail"] = false;
  LaneStatus open;
  open.in_flight = 1;
  open.breaker = BreakerState::Open;
  open.breaker_opened_total = 2;
  open.rate_limited_seconds_total = 5;
  open.claims_total = 9;
  s.lanes["orders"] = open;
  s.version = "1.2.3";
  s.database_up = true;
  s.database_read_at_unix = 1764600000.5;

  const std::string expected =
      "# HELP outboxd_build_info Always 1; the version label says which outboxd answers.\n"
      "# TYPE outboxd_build_info gauge\n"
      "outboxd_build_info{version=\"1.2.3\"} 1\n"
      "# HELP outboxd_database_up 1 when the latest finished read of the database gauges (pending, paused) "
      "succeeded, else 0.\n"
      "# TYPE outboxd_database_up gauge\n"
      "outboxd_database_up 1\n"
      "# HELP outboxd_database_last_read_timestamp_seconds When the pending and paused gauges were last read "
      "from the database (Unix seconds; 0: never). They are that old when outboxd_database_up is 0.\n"
      "# TYPE outboxd_database_last_read_timestamp_seconds gauge\n"
      "outboxd_database_last_read_timestamp_seconds 1764600000.5\n"
      "# HELP outboxd_messages_delivered_total Messages delivered since the daemon started.\n"
      "# TYPE outboxd_messages_delivered_total counter\n"
      "outboxd_messages_delivered_total{destination=\"orders\"} 3\n"
      "# HELP outboxd_messages_retried_total Failed attempts scheduled for a retry since the daemon started.\n"
      "# TYPE outboxd_messages_retried_total counter\n"
      "outboxd_messages_retried_total{destination=\"orders\"} 2\n"
      "# HELP outboxd_messages_dead_total Messages that went dead since the daemon started.\n"
      "# TYPE outboxd_messages_dead_total counter\n"
      "outboxd_messages_dead_total{destination=\"orders\"} 1\n"
      "# HELP outboxd_messages_pending Messages waiting for delivery (due or scheduled).\n"
      "# TYPE outboxd_messages_pending gauge\n"
      "outboxd_messages_pending{destination=\"mail\"} 0\n"
      "outboxd_messages_pending{destination=\"orders\"} 4\n"
      "# HELP outboxd_oldest_pending_age_seconds Age of the oldest pending message in seconds; 0 when none is "
      "pending.\n"
      "# TYPE outboxd_oldest_pending_age_seconds gauge\n"
      "outboxd_oldest_pending_age_seconds{destination=\"mail\"} 0\n"
      "outboxd_oldest_pending_age_seconds{destination=\"orders\"} 12.5\n"
      "# HELP outboxd_delivery_duration_seconds Plugin call time per message in seconds (a send_batch call "
      "counts once per message).\n"
      "# TYPE outboxd_delivery_duration_seconds histogram\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.001\"} 0\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.005\"} 3\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.01\"} 3\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.05\"} 3\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.1\"} 3\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"0.5\"} 4\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"1\"} 4\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"5\"} 4\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"10\"} 4\n"
      "outboxd_delivery_duration_seconds_bucket{destination=\"orders\",le=\"+Inf\"} 5\n"
      "outboxd_delivery_duration_seconds_sum{destination=\"orders\"} 20.26171875\n"
      "outboxd_delivery_duration_seconds_count{destination=\"orders\"} 5\n"
      "# HELP outboxd_claim_batch_size Messages per claimed batch (claims that found work).\n"
      "# TYPE outboxd_claim_batch_size histogram\n"
      "outboxd_claim_batch_size_bucket{le=\"1\"} 1\n"
      "outboxd_claim_batch_size_bucket{le=\"10\"} 3\n"
      "outboxd_claim_batch_size_bucket{le=\"50\"} 3\n"
      "outboxd_claim_batch_size_bucket{le=\"100\"} 3\n"
      "outboxd_claim_batch_size_bucket{le=\"500\"} 3\n"
      "outboxd_claim_batch_size_bucket{le=\"1000\"} 3\n"
      "outboxd_claim_batch_size_bucket{le=\"+Inf\"} 4\n"
      "outboxd_claim_batch_size_sum 2007\n"
      "outboxd_claim_batch_size_count 4\n"
      "# HELP outboxd_db_reconnects_total Database connections of workers and the listener lost and rebuilt "
      "since the daemon started.\n"
      "# TYPE outboxd_db_reconnects_total counter\n"
      "outboxd_db_reconnects_total 7\n"
      "# HELP outboxd_destination_paused 1 while the destination is paused (POST /v1/destinations/{name}/pause, "
      "outboxd pause), else 0.\n"
      "# TYPE outboxd_destination_paused gauge\n"
      "outboxd_destination_paused{destination=\"mail\"} 0\n"
      "outboxd_destination_paused{destination=\"orders\"} 1\n"
      "# HELP outboxd_destination_in_flight Messages of the destination claimed by this daemon and not yet "
      "committed: being sent, or sent and being recorded.\n"
      "# TYPE outboxd_destination_in_flight gauge\n"
      "outboxd_destination_in_flight{destination=\"orders\"} 1\n"
      "# HELP outboxd_breaker_state 1 for the state the destination's circuit breaker is in (closed, open, "
      "half_open), else 0.\n"
      "# TYPE outboxd_breaker_state gauge\n"
      "outboxd_breaker_state{destination=\"orders\",state=\"closed\"} 0\n"
      "outboxd_breaker_state{destination=\"orders\",state=\"open\"} 1\n"
      "outboxd_breaker_state{destination=\"orders\",state=\"half_open\"} 0\n"
      "# HELP outboxd_breaker_opened_total Times the destination's circuit breaker opened.\n"
      "# TYPE outboxd_breaker_opened_total counter\n"
      "outboxd_breaker_opened_total{destination=\"orders\"} 2\n"
      "# HELP outboxd_rate_limited_seconds_total Seconds in which the destination's rate limit held back at "
      "least one claim of this daemon.\n"
      "# TYPE outboxd_rate_limited_seconds_total counter\n"
      "outboxd_rate_limited_seconds_total{destination=\"orders\"} 5\n"
      "# HELP outboxd_claims_total Claims run by the destination's workers, including those that found nothing.\n"
      "# TYPE outboxd_claims_total counter\n"
      "outboxd_claims_total{destination=\"orders\"} 9\n";
  EXPECT_EQ(render_prometheus(s), expected);
}

TEST(Metrics, EscapesDestinationLabels) {
  MetricsSnapshot s;
  s.counters["we\"ird\\na\nme"] = DeliveryCounters{1, 0, 0};
  const std::string text = render_prometheus(s);
  EXPECT_NE(text.find("outboxd_messages_delivered_total{destination=\"we\\\"ird\\\\na\\nme\"} 1\n"), std::string::npos)
      << text;
}

TEST(Metrics, EmptyRegistryStillHasEveryFamilyAndZeroedClaimHistogram) {
  Metrics registry;
  MetricsSnapshot s;
  s.claim_batch_size = registry.claim_batch_sizes();
  const std::string text = render_prometheus(s);
  EXPECT_NE(text.find("outboxd_database_up 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("outboxd_database_last_read_timestamp_seconds 0\n"), std::string::npos) << text;
  for (const char *name : {"outboxd_build_info", "outboxd_database_up",
                           "outboxd_database_last_read_timestamp_seconds", "outboxd_messages_delivered_total",
                           "outboxd_messages_retried_total", "outboxd_messages_dead_total", "outboxd_messages_pending",
                           "outboxd_oldest_pending_age_seconds", "outboxd_delivery_duration_seconds",
                           "outboxd_claim_batch_size", "outboxd_db_reconnects_total",
                           "outboxd_destination_paused", "outboxd_destination_in_flight",
                           "outboxd_breaker_state", "outboxd_breaker_opened_total", "outboxd_rate_limited_seconds_total",
                           "outboxd_claims_total"}) {
    EXPECT_NE(text.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("outboxd_claim_batch_size_bucket{le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("outboxd_claim_batch_size_count 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("outboxd_db_reconnects_total 0\n"), std::string::npos) << text;
}

TEST(Metrics, RegistryRecordsPerDestinationAndBoundaryValuesFallInTheirBucket) {
  Metrics registry;
  registry.observe_delivery("a", 0.001, 2);  // exactly on a bound: le="0.001"
  registry.observe_delivery("b", 11, 1);
  registry.observe_claim(10);
  const auto d = registry.delivery_durations();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.at("a").buckets.front(), 2u);
  EXPECT_EQ(d.at("a").count, 2u);
  EXPECT_DOUBLE_EQ(d.at("a").sum, 0.002);
  EXPECT_EQ(d.at("b").buckets.back(), 1u);
  const HistogramSnapshot c = registry.claim_batch_sizes();
  EXPECT_EQ(c.buckets[1], 1u);  // le="10"
  EXPECT_EQ(c.count, 1u);
}

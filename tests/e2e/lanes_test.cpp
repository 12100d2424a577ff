// Destination lanes: a receiver that hangs occupies only its own destination's workers; every
// other destination is claimed, sent and committed as if it were alone; max_in_flight caps a
// destination's concurrent sends across the daemon's workers. Real daemon, real PostgreSQL, real
// receivers; the assertions are on the order of events, never on how long something took.
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdio>

#include <regex>

#include "tests/e2e/api_harness.hpp"
#include "tests/e2e/harness.hpp"
#include "tests/support/hanging_server.hpp"
#include "tests/support/webhook_peer.hpp"

using namespace outboxd::test;

namespace {

std::string webhook_lane(const std::string &name, const std::string &url, const std::string &extra = "") {
  return "  " + name + ":\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/webhook.so\"\n    max_attempts: 5\n" + extra +
         "    config:\n      url: \"" + url + "\"\n      allow_private_networks: true\n";
}

std::string smtp_lane(const std::string &name, int port) {
  return "  " + name + ":\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/smtp.so\"\n    max_attempts: 5\n"
         "    timeout_ms: 60000\n    config:\n      host: 127.0.0.1\n      port: " + std::to_string(port) +
         "\n      tls: none\n      from: \"Shop <shop@example.com>\"\n";
}

// The HTTP API's base URL from the daemon's log ("" when it does not say).
std::string api_of(const DaemonProcess &daemon) {
  std::smatch m;
  const std::string log = daemon.log();
  if (!std::regex_search(log, m, std::regex(R"(api: listening on (127\.0\.0\.1:\d+))"))) return "";
  return "http://" + m[1].str();
}

}  // namespace

class Lanes : public E2E {
 protected:
  // Sends one message to `stuck` per worker of its lane (workers: 2), each only once the one
  // before is held by the hanging server, so that every worker of that lane is stuck in a send.
  void occupy_every_stuck_worker(const HangingServer &hanging, const std::string &payload) {
    for (int n = 1; n <= 2; ++n) {
      enqueue("stuck", payload);
      ASSERT_TRUE(wait_until([&] { return hanging.clients() >= n; })) << "worker " << n << " never reached it";
    }
  }

  // With every worker of `stuck` waiting on its hung receiver, `healthy`'s messages are delivered,
  // and when they all are, the stuck sends are still open: their rows are still claimed (locked)
  // and still on attempt 0.
  void expect_healthy_delivered_while_stuck_sends_are_open(const WebhookReceiver &rx, const HangingServer &hanging,
                                                          DaemonProcess &daemon) {
    db.exec("SELECT outbox.enqueue('healthy', jsonb_build_object('n', n)) FROM generate_series(1, 20) n");
    ASSERT_TRUE(wait_count("destination = 'healthy' AND state = 'delivered'", 20)) << daemon.log();
    EXPECT_EQ(rx.requests().size(), 20u);
    EXPECT_EQ(db.count("destination = 'stuck' AND state = 'pending' AND attempt = 0"), 2);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM (SELECT 1 FROM outbox.messages WHERE destination = 'stuck' "
                        "FOR UPDATE SKIP LOCKED) unlocked"),
              "0")
        << "the stuck sends still hold their claims";
    EXPECT_EQ(hanging.clients(), 2);
  }
};

TEST_F(Lanes, AHangingWebhookReceiverHoldsUpOnlyItsOwnDestination) {
  HangingServer hanging;
  WebhookReceiver rx;
  auto daemon = start(write_config(
      webhook_lane("stuck", "http://127.0.0.1:" + std::to_string(hanging.port()) + "/hook", "    timeout_ms: 60000\n") +
      webhook_lane("healthy", rx.url("/hook"))));
  occupy_every_stuck_worker(hanging, R"({"to": "stuck"})");
  expect_healthy_delivered_while_stuck_sends_are_open(rx, hanging, *daemon);
}

TEST_F(Lanes, AHangingSmtpServerHoldsUpOnlyItsOwnDestination) {
  HangingServer hanging;  // accepts and never sends its greeting
  WebhookReceiver rx;
  auto daemon = start(write_config(smtp_lane("stuck", hanging.port()) + webhook_lane("healthy", rx.url("/hook"))));
  occupy_every_stuck_worker(hanging, R"({"to": "user@example.org", "subject": "Hi", "text": "stuck"})");
  expect_healthy_delivered_while_stuck_sends_are_open(rx, hanging, *daemon);
}

// Four workers with batches of ten could send forty at once; the receiver, which holds every
// request until three are in flight (or 300 ms have passed), never sees more than three.
TEST_F(Lanes, MaxInFlightCapsConcurrentSendsAcrossTheWorkers) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_lane("capped", rx.url("/hook?gather=3&gather_ms=300"),
                                                "    max_in_flight: 3\n"),
                                   "workers: 4\nbatch_size: 10\n"));
  db.exec("SELECT outbox.enqueue('capped', jsonb_build_object('n', n)) FROM generate_series(1, 30) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 30)) << daemon->log();
  EXPECT_EQ(rx.max_in_flight(), 3) << "the cap is reached, and never passed";
}

// The same without a cap, so the test above can fail: the workers do send more than three at once.
TEST_F(Lanes, WithoutMaxInFlightTheWorkersSendMoreThanThreeAtOnce) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_lane("open", rx.url("/hook?gather=6&gather_ms=300")),
                                   "workers: 4\nbatch_size: 10\n"));
  db.exec("SELECT outbox.enqueue('open', jsonb_build_object('n', n)) FROM generate_series(1, 30) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 30)) << daemon->log();
  EXPECT_GT(rx.max_in_flight(), 3);
}

namespace {

// Arrival times (receiver's clock, seconds) of every request, sorted.
std::vector<double> arrivals(const WebhookReceiver &rx) {
  std::vector<double> out;
  for (const auto &r : rx.requests()) out.push_back(r["arrived"].get<double>());
  std::sort(out.begin(), out.end());
  return out;
}

// The most requests that arrived within any one second.
size_t busiest_second(const std::vector<double> &times) {
  size_t most = 0;
  for (size_t i = 0, j = 0; i < times.size(); ++i) {
    while (times[i] - times[j] >= 1.0) ++j;
    most = std::max(most, i - j + 1);
  }
  return most;
}

}  // namespace

// 200 messages at 20/s with a burst of 20: no second sees more than the burst plus a second's
// tokens (a little more for the network's jitter), and the whole backlog takes at least the 9 s
// that 180 tokens need to be made.
TEST_F(Lanes, ARateLimitDeliversABacklogNoFasterThanItAllows) {
  WebhookReceiver rx;
  auto daemon = start(write_config(webhook_lane("limited", rx.url("/hook"), "    rate_limit: 20/s\n"),
                                   "workers: 4\nbatch_size: 50\n"));
  db.exec("SELECT outbox.enqueue('limited', jsonb_build_object('n', n)) FROM generate_series(1, 200) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 200, std::chrono::seconds(60))) << daemon->log();
  const auto times = arrivals(rx);
  ASSERT_EQ(times.size(), 200u);
  EXPECT_LE(busiest_second(times), 20u + 20u + 2u);
  EXPECT_GE(times.back() - times.front(), 180.0 / 20 - 0.5) << "180 tokens at 20/s after the first 20";
  EXPECT_EQ(db.count("attempt <> 1"), 0) << "messages the limit held back spent no attempt";
}

// Two daemons on one database, each with 2 workers, share one bucket (rate_limit_shared): the
// backlog goes no faster than one daemon's limit, and both daemons send some of it.
TEST_F(Lanes, ASharedRateLimitHoldsAcrossTwoDaemons) {
  WebhookReceiver rx;
  const std::string lane = webhook_lane("limited", rx.url("/hook"), "    rate_limit: 20/s\n    rate_limit_shared: true\n");
  auto first = start(write_config(lane, "", "first.yaml"), "first.log");
  auto second = start(write_config(lane, "", "second.yaml"), "second.log");
  db.exec("SELECT outbox.enqueue('limited', jsonb_build_object('n', n)) FROM generate_series(1, 200) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 200, std::chrono::seconds(60))) << first->log() << second->log();
  const auto times = arrivals(rx);
  ASSERT_EQ(times.size(), 200u);
  EXPECT_LE(busiest_second(times), 20u + 20u + 2u);
  EXPECT_GE(times.back() - times.front(), 180.0 / 20 - 0.5);
  EXPECT_EQ(db.count("attempt <> 1"), 0);
}

// One worker, so each batch's result is the breaker's next step: 10 messages fail at once and open
// it; while open only probes are sent (one per cool-off, each failing and opening it again), so
// the attempts grow by exactly one per probe; once the receiver is back, a probe closes it and the
// rest are delivered.
TEST_F(Lanes, TheBreakerOpensSpendsNoAttemptsWhileOpenProbesAndCloses) {
  const std::string down = dir.file("receiver-down");
  write_file(down, "");
  auto daemon = start(write_config(
      scripted_destination("flaky", "    max_backoff: 100ms\n    breaker_failures: 3\n"
                                    "    breaker_cool_off: 300ms\n    breaker_max_cool_off: 3s\n"),
      "workers: 1\n"));
  db.exec("SELECT outbox.enqueue('flaky', jsonb_build_object('behavior', 'fail_while', 'path', '" + down +
          "', 'n', n)) FROM generate_series(1, 10) n");
  auto opened = [&] {
    const std::string log = daemon->log();
    size_t n = 0;
    for (size_t at = log.find("breaker of flaky opened"); at != std::string::npos;
         at = log.find("breaker of flaky opened", at + 1))
      ++n;
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return opened() >= 1; })) << daemon->log();
  ASSERT_TRUE(wait_count("attempt = 1", 10)) << "the batch that opened it";
  const std::string api = api_of(*daemon);
  ASSERT_FALSE(api.empty()) << daemon->log();
  // Open, or half-open while a probe goes (the cool-off is short): not closed, in both views.
  const auto stats = http("GET", api + "/v1/stats").json()["destinations"]["flaky"];
  EXPECT_THAT(stats.value("lane", ""), ::testing::AnyOf("breaker_open", "probing")) << stats.dump();
  EXPECT_THAT(stats.value("breaker", ""), ::testing::AnyOf("open", "half_open")) << stats.dump();
  EXPECT_GE(stats.value("breaker_opened_total", 0), 1) << stats.dump();
  EXPECT_THAT(http("GET", api + "/metrics").body,
              ::testing::HasSubstr("outboxd_breaker_state{destination=\"flaky\",state=\"closed\"} 0"));
  // Two failed probes: each sends one message once, and opens the breaker again.
  ASSERT_TRUE(wait_until([&] { return opened() >= 3; })) << daemon->log();
  ASSERT_TRUE(wait_until([&] { return db.scalar("SELECT sum(attempt) FROM outbox.messages") == "12"; }))
      << db.scalar("SELECT sum(attempt) FROM outbox.messages") << "\n" << daemon->log();
  // The third probe comes 1.2 s after the second at the earliest (cool-off 300 ms doubled twice):
  // nothing else is sent meanwhile.
  EXPECT_EQ(db.scalar("SELECT sum(attempt) FROM outbox.messages"), "12") << "no attempts spent while open";
  std::remove(down.c_str());
  ASSERT_TRUE(daemon->wait_for_log("breaker of flaky closed")) << daemon->log();
  ASSERT_TRUE(wait_count("state = 'delivered'", 10)) << daemon->log();
  EXPECT_EQ(http("GET", api + "/v1/stats").json()["destinations"]["flaky"].value("breaker", ""), "closed");
}

// A receiver that fails every other request: one message at a time (workers: 1, batch_size: 1),
// alternately delivered and refused (RETRY, due again only in an hour), so no two failures ever
// come in a row and breaker_failures: 3 is never reached. The ratio is: at the 20th send
// (breaker_min_sends), 10 of them failed, 50 %, and the breaker opens with a log line that says so;
// then nothing more is claimed.
TEST_F(Lanes, TheBreakerOpensByItsFailureRatioWhenFailuresNeverComeInARow) {
  auto daemon = start(write_config(
      scripted_destination("flaky", "    max_backoff: 1h\n    breaker_failures: 3\n"
                                    "    breaker_failure_ratio: 50%\n    breaker_window: 10m\n    breaker_min_sends: 20\n"
                                    "    breaker_cool_off: 1h\n    breaker_max_cool_off: 1h\n"),
      "workers: 1\nbatch_size: 1\n"));
  db.exec("SELECT outbox.enqueue('flaky', jsonb_build_object('behavior', CASE WHEN n % 2 = 1 THEN 'ok' ELSE "
          "'retry' END, 'retry_after_ms', 3600000, 'n', n)) FROM generate_series(1, 40) n");
  ASSERT_TRUE(daemon->wait_for_log("breaker of flaky opened")) << daemon->log();
  const std::string log = daemon->log();
  EXPECT_THAT(log, ::testing::HasSubstr("breaker of flaky opened: 10 of 20 sends failed in the last 600 s (50%, "
                                        "breaker_failure_ratio 50%); next probe in 3600 s"));
  EXPECT_THAT(log, ::testing::Not(::testing::HasSubstr("consecutive failures")));
  // The send that opened it was the last: its batch committed before the breaker heard of it.
  EXPECT_EQ(db.count("attempt = 1"), 20);
  EXPECT_EQ(db.count("state = 'delivered'"), 10);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(api: listening on (127\.0\.0\.1:\d+))"))) << log;
  const auto stats = http("GET", "http://" + m[1].str() + "/v1/stats").json()["destinations"]["flaky"];
  EXPECT_EQ(stats.value("breaker", ""), "open") << stats.dump();
  EXPECT_EQ(stats.value("lane", ""), "breaker_open") << stats.dump();
  EXPECT_EQ(db.count("attempt = 1"), 20) << "nothing claimed while open";
}

namespace {

// outboxd_claims_total of `destination` in GET /metrics at `api` (-1 when it is missing).
long long claims_of(const std::string &api, const std::string &destination) {
  const std::string body = http("GET", api + "/metrics").body;
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("outboxd_claims_total\\{destination=\"" + destination + "\"\\} (\\d+)")))
    return -1;
  return std::stoll(m[1].str());
}

}  // namespace

// Busy, every lane used to poll every busy_poll_interval with each of its workers, so the empty
// claims of a busy daemon grew with its destinations. Now a lane with nothing to send sleeps while
// another keeps the daemon busy, and the lane scout wakes it for its next message: producers send
// no NOTIFY while the daemon is busy, and the linger and the safety poll (an hour each here) would
// come far too late.
TEST_F(Lanes, AQuietLaneBesideABusyOneMakesFewClaimsAndStillDeliversItsNextMessage) {
  auto daemon = start(write_config(scripted_destination("busy") + scripted_destination("quiet"),
                                   "wakeup:\n  linger: 1h\n  safety_poll: 1h\n"));
  ASSERT_TRUE(daemon->wait_for_log("looking for due messages of quiet lanes")) << daemon->log();
  const std::string api = api_of(*daemon);
  ASSERT_FALSE(api.empty()) << daemon->log();

  // Work the busy lane finds again and again: one message asking to be retried 1 ms later, so the
  // daemon stays busy on its own account (not only by the linger, which a go-idle begun at start,
  // before the first work was found, can cut short).
  db.exec("SELECT outbox.enqueue('busy', '{\"behavior\": \"retry\", \"retry_after_ms\": 1}'::jsonb, "
          "max_attempts => 1000)");
  ASSERT_TRUE(wait_until([&] { return db.count("destination = 'busy' AND attempt >= 3") == 1; })) << daemon->log();
  const long long busy_before = claims_of(api, "busy"), quiet_before = claims_of(api, "quiet");
  ASSERT_GE(busy_before, 1);
  ASSERT_GE(quiet_before, 0);
  ASSERT_TRUE(wait_until([&] { return claims_of(api, "busy") >= busy_before + 200; })) << daemon->log();
  const long long busy_claims = claims_of(api, "busy") - busy_before;
  const long long quiet_claims = claims_of(api, "quiet") - quiet_before;
  EXPECT_LT(quiet_claims * 20, busy_claims)
      << "the quiet lane claimed " << quiet_claims << " times while the busy one polled " << busy_claims << " times";

  enqueue("quiet", R"({"n": 2})");
  ASSERT_TRUE(wait_count("destination = 'quiet' AND state = 'delivered'", 1)) << daemon->log();
  EXPECT_EQ(db.scalar("SELECT last_value FROM outbox.wake_wanted"), "0") << "woken by the scout, not a NOTIFY";
}

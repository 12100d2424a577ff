// End to end against hostile receivers: one that takes 2 s to answer (no request may be started
// that cannot finish, so no POST is duplicated) and one that answers "Retry-After: 0".
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>

#include "tests/e2e/harness.hpp"
#include "tests/support/webhook_peer.hpp"

using namespace outboxd::test;

namespace {

class WebhookHostileE2E : public E2E {
 protected:
  // A webhook destination `name` posting to `url` with the plugin's and the daemon's defaults,
  // except `extra` (indented YAML lines of the destination).
  std::string destination(const std::string &url, const std::string &extra = "") const {
    return "  orders:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/webhook.so\"\n" + extra +
           "    config:\n      url: \"" + url + "\"\n      allow_private_networks: true\n";
  }

  static std::map<std::string, int> posts_by_id(const WebhookReceiver &rx) {
    std::map<std::string, int> out;
    for (const auto &r : rx.requests()) out[r["headers"]["webhook-id"].get<std::string>()]++;
    return out;
  }
};

// The issue's case, scaled down: default workers (2), batch_size (100), timeout_ms (10 s) and
// max_concurrent_requests (16), a receiver that answers every request in 2 s and 160 messages
// waiting. Each batch holds more than its 10 s can send through 16 slots; before, the requests
// started late timed out after the receiver had them and were sent again. Every message is
// delivered, and at most 1 % of the POSTs are duplicates. The throughput is printed, not asserted
// (docs/plugin-webhook.md records it); OUTBOXD_TEST_SLOW_RECEIVER_MESSAGES=500 runs the issue's size.
TEST_F(WebhookHostileE2E, ASlowReceiverGetsNoDuplicatesFromRequestsThatCouldNotFinish) {
  WebhookReceiver rx;
  const char *size = std::getenv("OUTBOXD_TEST_SLOW_RECEIVER_MESSAGES");
  const int messages = size != nullptr ? std::max(1, std::atoi(size)) : 160;
  db.exec("SELECT outbox.enqueue('orders', jsonb_build_object('n', g)) FROM generate_series(1, " +
          std::to_string(messages) + ") g");
  auto daemon = start(write_config(destination(rx.url("/h?delay_ms=2000")), "workers: 2\nbatch_size: 100\n"));
  ASSERT_TRUE(wait_count("state = 'delivered'", messages, std::chrono::seconds(120)))
      << db.count("state = 'delivered'") << " delivered\n"
      << daemon->log();
  const auto posts = posts_by_id(rx);
  int total = 0, duplicates = 0;
  for (const auto &[id, n] : posts) {
    total += n;
    duplicates += n - 1;
  }
  double first = 1e18, last = 0;
  for (const auto &r : rx.requests()) {
    first = std::min(first, r["arrived"].get<double>());
    last = std::max(last, r["answered"].get<double>());
  }
  std::cout << messages << " messages, " << total << " POSTs, " << duplicates << " duplicates, " << (last - first)
            << " s from the first POST to the last answer: " << messages / (last - first) << " messages/s\n";
  EXPECT_EQ(posts.size(), static_cast<std::size_t>(messages));
  EXPECT_LE(duplicates * 100, total) << duplicates << " duplicate POSTs of " << total;
  EXPECT_EQ(db.count("state = 'delivered' AND errors::text LIKE '%timed out%'"), 0)
      << db.scalar("SELECT string_agg(DISTINCT last_error, ' | ') FROM outbox.messages");
}

// A receiver that answers 503 with "Retry-After: 0" twice: each retry waits for the destination's
// backoff (max_backoff 1s here: 0.9 s to 1 s), not 0 ms. The daemon polls every 100 ms, so a
// message due at once would be sent again well within that.
TEST_F(WebhookHostileE2E, RetryAfterZeroWaitsForTheBackoff) {
  WebhookReceiver rx;
  auto daemon = start(write_config(destination(rx.url("/h?seq=503,503,200&retry_after=0"),
                                               "    max_attempts: 5\n    max_backoff: 1s\n"),
                                   "wakeup:\n  linger: 50ms\n  safety_poll: 100ms\n"));
  enqueue("orders", R"({"n": 1})");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 3", 1)) << daemon->log();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (std::size_t i = 1; i < reqs.size(); ++i)
    EXPECT_GE(reqs[i]["arrived"].get<double>() - reqs[i - 1]["arrived"].get<double>(), 0.85) << "retry " << i;
  EXPECT_THAT(db.scalar("SELECT errors::text FROM outbox.messages"),
              ::testing::HasSubstr("under 1 s: the destination's backoff applies"));
}

}  // namespace

// `outboxd stats` shows each daemon's circuit breaker of a destination: the daemon writes every
// change to outbox.breaker_states (core/breaker_publisher.hpp) and the CLI reads it back, in text
// and in --json. A real daemon with a receiver that is down until the test says it is back.
#include <gmock/gmock.h>

#include <csignal>
#include <cstdio>

#include "tests/e2e/harness.hpp"
#include "tests/support/text.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

// The first breaker row of `destination` in `outboxd stats --json`, or null.
json breaker_in_stats(const std::string &json_out, const std::string &destination) {
  for (const auto &row : json::parse(json_out))
    if (row["destination"] == destination && row.contains("breakers")) return row["breakers"][0];
  return nullptr;
}

}  // namespace

class CliBreakerStats : public E2E {
 protected:
  // Polls `outboxd stats --json` until flaky's first breaker row is in `state`; that row, or null
  // (with the last output in `last_out`).
  json wait_for_breaker(const std::string &config, const std::string &state, std::string &last_out) {
    json breaker;
    const bool seen = wait_until([&] {
      auto [code, out] = run_outboxd({"stats", "--json", "--config", config});
      last_out = out;
      if (code != 0) return false;
      breaker = breaker_in_stats(out, "flaky");
      return breaker.is_object() && breaker["state"] == state;
    });
    return seen ? breaker : json(nullptr);
  }
};

TEST_F(CliBreakerStats, StatsShowsTheBreakerOpenWhileTheReceiverIsDownAndClosedAfter) {
  const std::string down = dir.file("receiver-down");
  write_file(down, "");
  const std::string config = write_config(
      scripted_destination("flaky", "    max_backoff: 100ms\n    breaker_failures: 3\n"
                                    "    breaker_cool_off: 3s\n    breaker_max_cool_off: 3s\n"),
      "workers: 1\n");
  auto daemon = start(config);
  const std::string daemon_name_end = ":" + std::to_string(daemon->pid());
  db.exec("SELECT outbox.enqueue('flaky', jsonb_build_object('behavior', 'fail_while', 'path', '" + down +
          "', 'n', n)) FROM generate_series(1, 10) n");
  ASSERT_TRUE(daemon->wait_for_log("breaker of flaky opened")) << daemon->log();

  // Open for 3 s at a time (half-open only while a probe goes): seen open by a poll of the CLI.
  std::string json_out;
  json breaker = wait_for_breaker(config, "open", json_out);
  ASSERT_TRUE(breaker.is_object()) << json_out << "\n" << daemon->log();
  const std::string daemon_name = breaker["daemon"];
  ASSERT_GT(daemon_name.size(), daemon_name_end.size()) << daemon_name;
  // hostname:pid:start, the last a random part drawn at each start (8 hex digits).
  EXPECT_THAT(daemon_name, ::testing::MatchesRegex(".+" + daemon_name_end + ":[0-9a-f]{8}")) << "hostname:pid:start";
  EXPECT_TRUE(contains(breaker["reason"].get<std::string>(), "opened")) << breaker.dump();
  EXPECT_TRUE(breaker.contains("next_probe_at")) << breaker.dump();
  EXPECT_TRUE(breaker.contains("next_probe_in_seconds")) << breaker.dump();
  EXPECT_TRUE(breaker.contains("since")) << breaker.dump();
  EXPECT_EQ(breaker["stale"], false) << breaker.dump();

  auto [text_code, text] = run_outboxd({"stats", "--config", config});
  EXPECT_EQ(text_code, 0) << text;
  EXPECT_TRUE(contains(text, "BREAKER OF")) << text;
  EXPECT_TRUE(contains(text, daemon_name)) << text;
  EXPECT_TRUE(contains(text, "breaker of flaky")) << text;

  std::remove(down.c_str());
  breaker = wait_for_breaker(config, "closed", json_out);
  ASSERT_TRUE(breaker.is_object()) << json_out << "\n" << daemon->log();
  EXPECT_EQ(breaker["reason"], "breaker of flaky closed: a message was delivered") << breaker.dump();
  EXPECT_FALSE(breaker.contains("next_probe_at")) << breaker.dump();
  ASSERT_TRUE(wait_count("state = 'delivered'", 10)) << daemon->log();

  // A clean stop takes the daemon's breakers with it.
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_exit(std::chrono::seconds(20)), 0) << daemon->log();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.breaker_states"), "0");
}

// A database without the breaker table (not yet migrated to 0006): stats still shows the messages
// and says why it shows no breakers, instead of failing on the missing table.
TEST_F(CliBreakerStats, StatsOnADatabaseWithoutTheBreakerTableShowsTheMessagesAndSaysWhy) {
  const std::string config = write_config(scripted_destination("orders"));
  db.exec("DROP TABLE outbox.breaker_states");
  enqueue("orders", R"({"n": 1})");

  auto [code, text] = run_outboxd({"stats", "--config", config});
  EXPECT_EQ(code, 0) << text;
  EXPECT_TRUE(contains(text, "orders")) << text;
  EXPECT_TRUE(contains(text, "no breaker states: the database has no outbox.breaker_states yet (outboxd migrate adds it)"))
      << text;
  auto [json_code, json_out] = run_outboxd({"stats", "--json", "--config", config});
  EXPECT_EQ(json_code, 0) << json_out;
  EXPECT_TRUE(contains(json_out, "\"orders\"")) << json_out;
}

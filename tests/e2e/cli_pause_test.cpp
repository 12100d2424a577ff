// `outboxd pause NAME` and `outboxd resume NAME` as an operator runs them, against a running daemon,
// and what `outboxd stats` shows of a pause. The HTTP API's side is api_pause_test.cpp.
#include "tests/e2e/harness.hpp"
#include "tests/support/text.hpp"

using namespace outboxd::test;
using nlohmann::json;

class CliPause : public E2E {
 protected:
  std::pair<int, std::string> outboxd(const std::string &command, const std::string &name,
                                      const std::string &config) {
    return run_outboxd({command, name, "--config", config});
  }
};

TEST_F(CliPause, PauseAndResumeRoundTripThroughARunningDaemon) {
  const std::string config = write_config(scripted_destination("orders") + scripted_destination("mail"));
  auto daemon = start(config);
  auto [paused, paused_out] = outboxd("pause", "orders", config);
  EXPECT_EQ(paused, 0) << paused_out;
  EXPECT_TRUE(contains(paused_out, "destination orders paused\n")) << paused_out;
  auto [again, again_out] = outboxd("pause", "orders", config);
  EXPECT_EQ(again, 0) << again_out;
  EXPECT_TRUE(contains(again_out, "destination orders was already paused\n")) << again_out;

  enqueue("orders", R"({"behavior": "ok"})");
  enqueue("mail", R"({"behavior": "ok"})");
  ASSERT_TRUE(wait_count("destination = 'mail' AND state = 'delivered'", 1)) << daemon->log();
  EXPECT_EQ(db.count("destination = 'orders' AND state = 'pending' AND attempt = 0"), 1);

  auto [stats, stats_out] = run_outboxd({"stats", "--config", config});
  EXPECT_EQ(stats, 0) << stats_out;
  EXPECT_TRUE(contains(stats_out, "(paused since ")) << stats_out;
  auto [json_code, json_out] = run_outboxd({"stats", "--json", "--config", config});
  ASSERT_EQ(json_code, 0) << json_out;
  for (const auto &row : json::parse(json_out)) {
    EXPECT_EQ(row["paused"], row["destination"] == "orders") << row.dump();
    EXPECT_EQ(row.contains("paused_at"), row["destination"] == "orders") << row.dump();
  }

  auto [resumed, resumed_out] = outboxd("resume", "orders", config);
  EXPECT_EQ(resumed, 0) << resumed_out;
  EXPECT_TRUE(contains(resumed_out, "destination orders resumed\n")) << resumed_out;
  EXPECT_TRUE(wait_count("destination = 'orders' AND state = 'delivered'", 1)) << daemon->log();
  auto [twice, twice_out] = outboxd("resume", "orders", config);
  EXPECT_EQ(twice, 0) << twice_out;
  EXPECT_TRUE(contains(twice_out, "destination orders was not paused\n")) << twice_out;
}

TEST_F(CliPause, StatsListAPausedDestinationThatHasNoMessages) {
  const std::string config = write_config(scripted_destination("orders"));
  ASSERT_EQ(outboxd("pause", "orders", config).first, 0);
  auto [code, out] = run_outboxd({"stats", "--json", "--config", config});
  ASSERT_EQ(code, 0) << out;
  const json rows = json::parse(out);
  ASSERT_EQ(rows.size(), 1u) << out;
  EXPECT_EQ(rows[0]["destination"], "orders");
  EXPECT_EQ(rows[0]["state"], "pending");
  EXPECT_EQ(rows[0]["count"], 0);
  EXPECT_EQ(rows[0]["paused"], true);
  auto [text_code, text] = run_outboxd({"stats", "--config", config});
  EXPECT_EQ(text_code, 0) << text;
  EXPECT_TRUE(contains(text, "(paused since ")) << text;
  EXPECT_FALSE(contains(text, "(no messages)")) << text;
}

TEST_F(CliPause, AnUnknownOrMissingNameIsAUsageErrorAndADatabaseErrorExitsOne) {
  const std::string config = write_config(scripted_destination("orders"));
  auto [unknown, unknown_out] = outboxd("pause", "nowhere", config);
  EXPECT_EQ(unknown, 2) << unknown_out;
  EXPECT_TRUE(contains(unknown_out, "destination 'nowhere' is not configured in " + config + " (configured: orders)"))
      << unknown_out;
  auto [missing, missing_out] = run_outboxd({"resume", "--config", config});
  EXPECT_EQ(missing, 2) << missing_out;
  EXPECT_TRUE(contains(missing_out, "'resume' needs a destination's name")) << missing_out;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.destination_controls"), "0");

  const std::string unreachable =
      write_config(scripted_destination("orders"), "", "unreachable.yaml", "host=127.0.0.1 port=1 dbname=nowhere");
  auto [down, down_out] = outboxd("pause", "orders", unreachable);
  EXPECT_EQ(down, 1) << down_out;
  EXPECT_TRUE(contains(down_out, "cannot connect to PostgreSQL")) << down_out;
}

// `outboxd enqueue` refuses what POST /v1/messages refuses, before touching the database: exit 2
// naming the flag (not exit 1 with PostgreSQL's error), nothing enqueued; the destination's plugin
// is asked too when it can tell (validate()); payload numbers are stored exactly as given.
#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

namespace {

class CliEnqueue : public E2E {
 protected:
  std::string config;
  void SetUp() override { config = write_config(scripted_destination("orders")); }
  std::pair<int, std::string> enqueue_cli(std::vector<std::string> flags, const std::string &path = "") {
    flags.insert(flags.begin(), "enqueue");
    flags.push_back("--config");
    flags.push_back(path.empty() ? config : path);
    return run_outboxd(flags);
  }
};

TEST_F(CliEnqueue, WhatTheApiRefusesExitsTwoNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--priority", "40000"}, "outboxd: --priority: must be an integer from -32768 to 32767, got 40000"},
      {{"--max-attempts", "0"}, "outboxd: --max-attempts: must be an integer from 1 to 1000, got 0"},
      {{"--max-attempts", "-5"}, "outboxd: --max-attempts: must be an integer from 1 to 1000, got -5"},
      {{"--max-attempts", "5000"}, "outboxd: --max-attempts: must be an integer from 1 to 1000, got 5000"},
      {{"--idempotency-key", ""}, "outboxd: --idempotency-key: must be 1 to 255 bytes long in UTF-8"},
      {{"--payload", R"({"a": "\u0000"})"},
       "outboxd: --payload: must not contain \\u0000 (PostgreSQL jsonb cannot store it)"},
      {{"--payload", std::string(100, '[') + std::string(100, ']')},
       "outboxd: --payload: nested more than 64 levels deep (the limit)"},
      {{"--payload", "1e131072"}, "outboxd: --payload: number 1e131072 is out of the range PostgreSQL can store"},
      {{"--headers", R"({"n": [1e131071, 1e131071]})"},
       "outboxd: --headers: number 1e131071 would be written out by PostgreSQL with every digit, 131072 characters; "
       "a number may grow by at most 1000 that way (send it as a string)"},
      {{"--payload", R"({"behavior": "unsendable"})"},
       "outboxd: --payload: behavior: 'unsendable' can never be sent (scripted)"},
  };
  for (const auto &[flags, want] : cases) {
    std::vector<std::string> args = {"--destination", "orders"};
    if (flags[0] != "--payload") args.insert(args.end(), {"--payload", "{}"});
    args.insert(args.end(), flags.begin(), flags.end());
    const auto [code, out] = enqueue_cli(args);
    EXPECT_EQ(code, 2) << flags[0] << " " << flags[1] << ": " << out;
    EXPECT_NE(out.find(want), std::string::npos) << out;
    EXPECT_EQ(out.find("ERROR:"), std::string::npos) << "no raw PostgreSQL error: " << out;
  }
  const auto [code, out] = enqueue_cli({"--destination", "", "--payload", "{}"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--destination: must be 1 to 200 bytes long in UTF-8"), std::string::npos) << out;
  EXPECT_EQ(db.count(), 0);
}

TEST_F(CliEnqueue, PayloadNumbersAreStoredExactlyAsGiven) {
  const auto [code, out] = enqueue_cli({"--destination", "elsewhere", "--payload",
                                        R"({"big": 123456789012345678901234567890, "fine": 1.000000000000000000001})",
                                        "--headers", R"({"n": 1e-400})", "--priority", "-32768", "--max-attempts", "1000"});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(db.scalar("SELECT payload ->> 'big' FROM outbox.messages"), "123456789012345678901234567890");
  EXPECT_EQ(db.scalar("SELECT payload ->> 'fine' FROM outbox.messages"), "1.000000000000000000001");
  EXPECT_EQ(db.scalar("SELECT (headers ->> 'n')::numeric = 1e-400 FROM outbox.messages"), "t");
  EXPECT_EQ(db.scalar("SELECT priority::text || ' ' || max_attempts::text FROM outbox.messages"), "-32768 1000");
  EXPECT_NE(out.find("not in"), std::string::npos) << "an unconfigured destination still only warns: " << out;
}

TEST_F(CliEnqueue, AConfiguredDestinationsPluginThatCannotLoadExitsTwo) {
  const std::string broken = write_config("  orders:\n    plugin: no_such_plugin\n", "", "broken.yaml");
  const auto [code, out] = enqueue_cli({"--destination", "orders", "--payload", "{}"}, broken);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("no_such_plugin.so"), std::string::npos) << out;
  EXPECT_EQ(db.count(), 0);
}

// Names no config can hold: the CLI once enqueued them with a warning, and they waited for ever.
TEST_F(CliEnqueue, ADestinationNameNoConfigCanHoldExitsTwo) {
  for (const std::string name : {"a b", "cli\n2026-11-30 20:00:00.000 error outboxd: FORGED", "caf\xc3\xa9"}) {
    const auto [code, out] = enqueue_cli({"--destination", name, "--payload", "{}"});
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(out.find("--destination: '"), std::string::npos) << out;
    EXPECT_NE(out.find("can never be a configured destination"), std::string::npos) << out;
    EXPECT_EQ(out.find("\n2026-11-30 20:00:00.000 error"), std::string::npos) << "the name is escaped: " << out;
  }
  EXPECT_EQ(db.count(), 0);
}

// Names written into the table by SQL reach the daemon's log and `outboxd stats` escaped: a newline
// cannot forge a log line, and escape sequences do not reach the terminal.
TEST_F(CliEnqueue, NamesFromTheTableAreEscapedInTheLogAndInStats) {
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES "
          "(E'evil\\n2026-11-30 20:00:00.000 error outboxd: FORGED LINE', '1'), "
          "(E'term\\x1b]0;pwned\\x07\\x1b[31mred', '2')");
  const auto [code, out] = run_outboxd({"stats", "--config", config});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find("\n2026-11-30 20:00:00.000 error"), std::string::npos) << out;
  EXPECT_NE(out.find("term\\x1B]0;pwned"), std::string::npos) << out;

  auto daemon = start(config);
  ASSERT_TRUE(daemon->wait_for_log("which this config does not name")) << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("term\\x1B")) << daemon->log();
  const std::string log = daemon->log();
  EXPECT_EQ(log.find("\n2026-11-30 20:00:00.000 error outboxd: FORGED"), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
}

}  // namespace

// The smtp plugin in the real daemon: a server that is down, then up, gets the message exactly
// once; a 550 is dead at once; a partly refused message is delivered with the refusals recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>

#include "tests/e2e/harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/smtp_peer.hpp"

using namespace outboxd::test;
using ::testing::HasSubstr;

namespace {

class SmtpE2E : public E2E {
 protected:
  TempDir spool;

  // A destination on the built smtp plugin (plugin_dir points at the fixture plugins, so by path).
  std::string smtp_destination(int port, const std::string &extra_config = "") const {
    return "  mail:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/smtp.so\"\n    max_attempts: 20\n"
           "    max_backoff: 1s\n    timeout_ms: 5000\n    config:\n"
           "      host: 127.0.0.1\n      port: " + std::to_string(port) + "\n      tls: none\n"
           "      connect_timeout_ms: 1000\n      from: \"Shop <shop@example.com>\"\n" + extra_config;
  }
};

TEST_F(SmtpE2E, ServerDownThenUpDeliversTheMessageExactlyOnce) {
  const int port = free_loopback_port();
  auto daemon = start(write_config(smtp_destination(port)));
  const std::string id = db.scalar(
      "SELECT outbox.enqueue('mail', '{\"to\": [\"user@example.org\"], \"subject\": \"Welcome\", \"content\": \"Hi\"}')");

  // Attempts and errors pile up while nothing listens, each retry scheduled by the backoff.
  ASSERT_TRUE(wait_count("state = 'pending' AND attempt >= 3", 1)) << daemon->log();
  EXPECT_EQ(db.count("jsonb_array_length(errors) >= 3 AND last_error LIKE 'smtp 127.0.0.1:%: cannot connect: %'"), 1)
      << db.scalar("SELECT errors FROM outbox.messages");
  const double gap = std::stod(db.scalar(
      "SELECT min(b - a) FROM (SELECT extract(epoch FROM (e ->> 'at')::timestamptz) AS b, "
      "lag(extract(epoch FROM (e ->> 'at')::timestamptz)) OVER (ORDER BY n) AS a "
      "FROM outbox.messages, jsonb_array_elements(errors) WITH ORDINALITY x(e, n)) g WHERE a IS NOT NULL"));
  EXPECT_GE(gap, 0.8) << "retries wait for the backoff (1 s here, minus jitter)";

  SmtpPeerOptions options;
  options.port = port;
  SmtpPeer server(spool.path(), options);
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  const auto got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["message-id"], "<" + id + "@example.com>");
  EXPECT_EQ(got[0]["text"], "Hi\n");
  // One more chance for a duplicate to show up: the daemon keeps polling; nothing else arrives.
  enqueue("mail", R"({"to": "second@example.org", "text": "marker"})");
  ASSERT_TRUE(wait_count("state = 'delivered'", 2)) << daemon->log();
  EXPECT_EQ(server.count(), 2u) << "the first message was sent once";
}

TEST_F(SmtpE2E, EachWorkerKeepsOneConnectionForAllItsMessages) {
  SmtpPeer server(spool.path());
  auto daemon = start(write_config(smtp_destination(server.port())));  // workers: 2
  db.exec("SELECT outbox.enqueue('mail', jsonb_build_object('to', 'u' || n || '@example.org', 'text', 'n' || n)) "
          "FROM generate_series(1, 30) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 30)) << daemon->log();
  std::set<std::string> connections;
  for (const auto &m : server.messages()) connections.insert(m["envelope"]["peer"].dump());
  EXPECT_GE(connections.size(), 1u);
  EXPECT_LE(connections.size(), 2u) << "30 emails over at most one connection per worker";
}

TEST_F(SmtpE2E, Reply550IsDeadAtOnceWithTheServersLine) {
  SmtpPeer server(spool.path());
  auto daemon = start(write_config(smtp_destination(server.port())));
  enqueue("mail", R"({"to": "reject550@example.org", "text": "t"})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 1", 1)) << daemon->log();
  EXPECT_THAT(db.scalar("SELECT last_error FROM outbox.messages"),
              HasSubstr("550 5.1.1 <reject550@example.org>: mailbox unavailable"));
  EXPECT_EQ(server.count(), 0u);
}

TEST_F(SmtpE2E, PartlyRefusedRecipientsAreDeliveredAndTheRefusalIsInTheErrorHistory) {
  SmtpPeer server(spool.path());
  auto daemon = start(write_config(smtp_destination(server.port())));
  enqueue("mail", R"({"to": ["ok@example.org", "reject550@example.org"], "text": "t"})");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 1", 1)) << daemon->log();
  EXPECT_THAT(db.scalar("SELECT errors -> 0 ->> 'error' FROM outbox.messages"),
              HasSubstr("delivered to 1 of 2 recipients; rejected: reject550@example.org (550"));
  EXPECT_EQ(server.messages().at(0)["envelope"]["rcpt_tos"], nlohmann::json({"ok@example.org"}));
}

TEST_F(SmtpE2E, AnUnsendablePayloadIsDeadAtOnceNamingTheField) {
  SmtpPeer server(spool.path());
  auto daemon = start(write_config(smtp_destination(server.port())));
  enqueue("mail", R"({"to": "x@example.org", "attachments": [{"filename": "a", "content": "!!"}]})");
  ASSERT_TRUE(wait_count("state = 'dead' AND attempt = 1", 1)) << daemon->log();
  EXPECT_EQ(db.scalar("SELECT last_error FROM outbox.messages"), "payload.attachments[0].content: is not valid base64");
}

TEST_F(SmtpE2E, ABadConfigKeyStopsTheDaemonAtStartNamingIt) {
  const auto [code, output] = run_outboxd({"check-config", "--config",
                                           write_config(smtp_destination(25, "      colour: red\n"))});
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("unknown key 'colour'"));
}

TEST_F(SmtpE2E, APasswordFromTheEnvironmentAuthenticatesAndIsNeverPrinted) {
  ::setenv("OUTBOXD_TEST_SMTP_PASSWORD", "correct horse battery", 1);
  SmtpPeerOptions options;
  options.auth = "mailer:correct horse battery";
  SmtpPeer server(spool.path(), options);
  const std::string config = write_config(smtp_destination(
      server.port(), "      username: mailer\n      password: !env OUTBOXD_TEST_SMTP_PASSWORD\n"));
  const auto [code, output] = run_outboxd({"check-config", "--config", config});
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(output.find("correct horse"), std::string::npos) << output;
  auto daemon = start(config);
  enqueue("mail", R"({"to": "x@example.org", "text": "t"})");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_TRUE(server.messages().at(0)["envelope"]["authenticated"].get<bool>());
  EXPECT_EQ(daemon->log().find("correct horse"), std::string::npos);
}

}  // namespace

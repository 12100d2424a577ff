// The HTTP API in front of an smtp destination and a real mail server (aiosmtpd): the Go demo's curl
// line, run verbatim, answers 202 and delivers one email; a message the plugin can never send is
// refused with 422 naming the field (its validate()), on every enqueueing endpoint, and nothing is
// stored.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <csignal>
#include <regex>

#include "tests/e2e/api_harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/smtp_peer.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

class MailApiE2E : public ApiE2E {
 protected:
  TempDir spool;
  std::unique_ptr<SmtpPeer> server;

  // No default from in the config: a mail without one is unsendable, which the API must see.
  void SetUp() override {
    server = std::make_unique<SmtpPeer>(spool.path());
    start_api("  mail:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/smtp.so\"\n    max_attempts: 3\n"
              "    max_backoff: 1s\n    timeout_ms: 5000\n    config:\n      host: 127.0.0.1\n"
              "      port: " + std::to_string(server->port()) + "\n      tls: none\n",
              "  mail_destination: mail\n");
  }

  // Runs `line` through /bin/sh and returns what it printed (stdout and stderr), failing the test
  // if it does not exit 0 within 60 s.
  std::string shell(const std::string &line) {
    const std::string out = dir.file("shell.out");
    const pid_t pid = spawn_child({"/bin/sh", "-c", line}, out, SIGKILL);
    int status = -1;
    const bool exited = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::seconds(60));
    if (!exited) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    EXPECT_TRUE(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) << line << "\n" << read_file(out);
    return read_file(out);
  }
};

TEST_F(MailApiE2E, TheGoDemosCurlLineVerbatimAnswers202AndDeliversOneEmail) {
  // The Go demo README's line, byte for byte (`to` a list, `Content-type` spelt so).
  const std::string line =
      R"(curl -v http://localhost:3080/api/mail/send -H 'Content-type: application/json' -d '{"from":"from@example.com","to":["to@example.com"],"subject":"Test Subject","content":"some content"}')";
  // The line runs as it is, through the real curl; only curl's own config file (found through
  // CURL_HOME) sends localhost:3080 to this test's daemon, so parallel tests and a running demo
  // never fight over port 3080.
  const std::string port = base.substr(base.rfind(':') + 1);
  write_file(dir.file(".curlrc"), "connect-to = localhost:3080:127.0.0.1:" + port + "\nmax-time = 30\n");
  ASSERT_EQ(::setenv("CURL_HOME", dir.path().c_str(), 1), 0);
  const std::string out = shell(line);

  EXPECT_NE(out.find("> Host: localhost:3080"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/1.1 202"), std::string::npos) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"re(\{"id":"([0-9a-f-]{36})"\})re"))) << out;
  const std::string id = m[1];

  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_EQ(db.count("id = '" + id + "' AND attempt = 1"), 1) << "delivered at the first attempt, never retried";
  const json got = server->messages();
  ASSERT_EQ(got.size(), 1u) << got.dump();
  EXPECT_EQ(got[0]["from"], "from@example.com");
  EXPECT_EQ(got[0]["to"], "to@example.com");
  EXPECT_EQ(got[0]["subject"], "Test Subject");
  EXPECT_EQ(got[0]["text"], "some content\n");
  EXPECT_EQ(got[0]["message-id"], "<" + id + "@example.com>");
  EXPECT_EQ(got[0]["envelope"]["mail_from"], "from@example.com");
  EXPECT_EQ(got[0]["envelope"]["rcpt_tos"], json({"to@example.com"}));
}

TEST_F(MailApiE2E, WhatThePluginTakesTheEndpointTakes) {
  HttpReply r = post("/api/mail/send", R"({"from":"Shop <shop@example.com>","to":["a@example.org","b@example.org"],
      "cc":"c@example.org","bcc":["d@example.org"],"reply_to":"r@example.com","subject":"Both","text":"t",
      "html":"<p>h</p>","headers":{"X-Order-Id":"42"}})");
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  const json got = server->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["envelope"]["rcpt_tos"], json({"a@example.org", "b@example.org", "c@example.org", "d@example.org"}));
  EXPECT_EQ(got[0]["headers"]["X-Order-Id"], "42");
}

TEST_F(MailApiE2E, AMailThatCanNeverBeSentIs422NamingTheFieldAndStoresNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"from":"a@example.com","to":["b@example.com","bob"],"subject":"s","content":"c"})",
       "to[1]: 'bob' is not an address (no @)"},
      {R"({"to":"b@example.com","subject":"s","content":"c"})",
       "from: is required (the destination sets no default from)"},
      {R"({"from":"a@example.com","to":"b@example.com","subject":"s\r\nBcc: x@evil.example"})",
       "subject: contains CR or LF (header injection is refused)"},
      {R"({"from":"a@example.com","to":"b@example.com","headers":{"Bad Name":"v"}})",
       "headers.Bad Name: is not a valid header name"},
      {R"({"from":"a@example.com","to":"b@example.com","subjet":"typo"})", "subjet: unknown field (known: "},
  };
  for (const auto &[body, detail] : cases) {
    HttpReply r = post("/api/mail/send", body);
    EXPECT_EQ(r.status, 422) << body << " -> " << r.body;
    EXPECT_EQ(r.json().value("error", ""), "invalid_message") << r.body;
    EXPECT_EQ(r.json().value("detail", "").rfind(detail, 0), 0u) << body << " -> " << r.body;
  }
  // Not JSON, not an object, a field given twice: the API's own 400s, before the plugin is asked.
  EXPECT_EQ(post("/api/mail/send", R"(["b@example.com"])").status, 400);
  HttpReply twice = post("/api/mail/send", R"({"from":"a@example.com","to":"b@example.com","to":"c@example.com"})");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(twice.json().value("detail", ""), "to: given more than once (each field may appear once)");
  EXPECT_EQ(db.count(), 0);
  EXPECT_EQ(server->count(), 0u);
}

TEST_F(MailApiE2E, MessagesAndBatchesAreCheckedByTheirDestinationsPluginToo) {
  HttpReply one = post("/v1/messages", R"({"destination":"mail","payload":{"from":"a@example.com","to":"bob"}})");
  EXPECT_EQ(one.status, 422) << one.body;
  EXPECT_EQ(one.json().value("error", ""), "invalid_message") << one.body;
  EXPECT_EQ(one.json().value("detail", ""), "payload.to: 'bob' is not an address (no @)") << one.body;

  HttpReply batch = post("/v1/messages/batch", R"([{"destination":"mail","payload":{"from":"a@example.com","to":"x@example.org"}},
      {"destination":"mail","payload":{"from":"a@example.com","to":"y@example.org","attachments":[{"filename":"a","content":"!!"}]}}])");
  EXPECT_EQ(batch.status, 422) << batch.body;
  EXPECT_EQ(batch.json().value("detail", ""), "[1].payload.attachments[0].content: is not valid base64") << batch.body;
  EXPECT_EQ(db.count(), 0) << "all or nothing: the good first item is not stored either";

  HttpReply ok = post("/v1/messages", R"({"destination":"mail","payload":{"from":"a@example.com","to":"x@example.org"}})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
}

}  // namespace

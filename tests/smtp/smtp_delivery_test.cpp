// The smtp plugin against a real aiosmtpd: what arrives, parsed by Python's email package, and how
// every server reply is classified.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/smtp/smtp_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/smtp_peer.hpp"
#include "tests/support/wait.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using nlohmann::json;

class SmtpDelivery : public ::testing::Test {
 protected:
  test::TempDir dir;
  test::SmtpPeer server{dir.path()};
  std::unique_ptr<PluginInstance> plugin = test::smtp_instance(test::smtp_plain_config(server.port()));
};

std::string b64(const std::string &bytes) {
  static const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
  }
  if (bytes.size() - i == 1) {
    const unsigned v = (unsigned char)bytes[i] << 16;
    out += {a[v >> 18], a[(v >> 12) & 63], '=', '='};
  } else if (bytes.size() - i == 2) {
    const unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return out;
}

TEST_F(SmtpDelivery, AFullEmailArrivesIntactAsAnIndependentParserSeesIt) {
  std::string binary;
  for (int i = 0; i < 5000; ++i) binary += static_cast<char>((i * 37 + i / 7) & 0xFF);
  const std::string subject = "Ihre Bestellung — Grüße aus Köln 東京 😀 and a long ASCII tail to force folding";
  const std::string text = "Hello Jürgen,\nline two\n.a line starting with a dot\n" + std::string(300, 'x') + "\nend";
  const std::string html = "<html><body><p>Hello <b>J&uuml;rgen</b> — ä</p>" + std::string(500, 'y') + "</body></html>";
  const json payload = {
      {"from", "Shop Team <shop@example.com>"},
      {"to", {"\"Doe, Jane\" <jane@example.org>", "Jürgen Müller <juergen@example.org>"}},
      {"cc", {"cc@example.org"}},
      {"bcc", {"hidden@example.org"}},
      {"reply_to", "support@example.com"},
      {"subject", subject},
      {"text", text},
      {"html", html},
      {"headers", {{"X-Order-Id", "42"}, {"X-Note", "naïve café"}}},
      {"attachments",
       {{{"filename", "data.bin"}, {"content_type", "application/octet-stream"}, {"content", b64(binary)}},
        {{"filename", "résumé.txt"}, {"content_type", "text/plain"}, {"content", b64("plain\r\nattachment")}}}}};
  const auto result = test::smtp_send(*plugin, payload, "0190a0b0-0000-7000-8000-0000000000aa");
  ASSERT_EQ(result.status, OUTBOXD_OK) << result.error;
  EXPECT_EQ(result.error, "");

  const json got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  const json &m = got[0];
  EXPECT_EQ(m["defects"], json::array()) << m.dump(2);
  EXPECT_EQ(m["subject"], subject);
  EXPECT_EQ(m["from"], "Shop Team <shop@example.com>");
  EXPECT_EQ(m["to"], "\"Doe, Jane\" <jane@example.org>, Jürgen Müller <juergen@example.org>");
  EXPECT_EQ(m["cc"], "cc@example.org");
  EXPECT_EQ(m["reply-to"], "support@example.com");
  EXPECT_EQ(m["message-id"], "<0190a0b0-0000-7000-8000-0000000000aa@example.com>");
  EXPECT_EQ(m["mime-version"], "1.0");
  EXPECT_TRUE(m.contains("date"));
  EXPECT_EQ(m["headers"]["X-Order-Id"], "42");
  EXPECT_EQ(m["headers"]["X-Note"], "naïve café");
  EXPECT_FALSE(m.contains("bcc"));
  EXPECT_EQ(m["raw_headers"].get<std::string>().find("hidden"), std::string::npos) << "Bcc never in the headers";
  EXPECT_EQ(m["envelope"]["rcpt_tos"],
            json({"jane@example.org", "juergen@example.org", "cc@example.org", "hidden@example.org"}));
  EXPECT_EQ(m["envelope"]["mail_from"], "shop@example.com");
  EXPECT_EQ(m["content_type"], "multipart/mixed");
  EXPECT_EQ(m["parts"], json({"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                              "application/octet-stream", "text/plain"}));
  // The parser turns CRLF back into "\n" and keeps the text otherwise as sent.
  EXPECT_EQ(m["text"], text + "\n");
  EXPECT_EQ(m["html"], html + "\n");
  ASSERT_EQ(m["attachments"].size(), 2u);
  EXPECT_EQ(m["attachments"][0]["filename"], "data.bin");
  EXPECT_EQ(m["attachments"][0]["content_base64"], b64(binary)) << "byte for byte";
  EXPECT_EQ(m["attachments"][1]["filename"], "résumé.txt");
  EXPECT_EQ(m["attachments"][1]["content_type"], "text/plain");
  EXPECT_EQ(m["attachments"][1]["content_base64"], b64("plain\r\nattachment"));
  EXPECT_TRUE(m["all_crlf"].get<bool>());
  EXPECT_TRUE(m["ascii_only"].get<bool>()) << "7-bit on the wire: encoded words, quoted-printable, base64";
  EXPECT_LE(m["max_line_length"].get<int>(), 78);
}

TEST_F(SmtpDelivery, GoDemoBodyWithDefaultFromArrivesAsPlainText) {
  plugin = test::smtp_instance(test::smtp_plain_config(server.port(), {{"from", "Demo <demo@example.com>"}}));
  const auto r = test::smtp_send(*plugin, {{"to", "user@example.org"}, {"subject", "Welcome"}, {"content", "Hi there"}});
  ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  const json m = server.messages().at(0);
  EXPECT_EQ(m["content_type"], "text/plain");
  EXPECT_EQ(m["text"], "Hi there\n");
  EXPECT_EQ(m["from"], "Demo <demo@example.com>");
  EXPECT_EQ(m["message-id"], "<0190a0b0-0000-7000-8000-00000000e001@example.com>");
}

TEST_F(SmtpDelivery, MessageIdIsTheSameOnARetryAndCanUseAConfiguredDomain) {
  plugin = test::smtp_instance(test::smtp_plain_config(server.port(), {{"message_id_domain", "mail.example.net"}}));
  const json payload = {{"from", "a@example.com"}, {"to", "b@example.org"}, {"subject", "s"}, {"text", "t"}};
  test::SmtpTestMessage first(payload, "0190a0b0-0000-7000-8000-00000000beef");
  test::SmtpTestMessage retry = first;
  retry.attempt = 2;
  ASSERT_EQ(plugin->send(first.view()).status, OUTBOXD_OK);
  ASSERT_EQ(plugin->send(retry.view()).status, OUTBOXD_OK);
  const json got = server.messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["message-id"], "<0190a0b0-0000-7000-8000-00000000beef@mail.example.net>");
  EXPECT_EQ(got[1]["message-id"], got[0]["message-id"]);
}

TEST_F(SmtpDelivery, PartlyRejectedRecipientsDeliverToTheRestAndNameTheRejected) {
  const auto r = test::smtp_send(*plugin, {{"from", "a@example.com"},
                                           {"to", {"ok@example.org", "reject550@example.org"}},
                                           {"cc", "busy451@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_OK);
  EXPECT_THAT(r.error, HasSubstr("delivered to 1 of 3 recipients; rejected: reject550@example.org (550 5.1.1"));
  EXPECT_THAT(r.error, HasSubstr("busy451@example.org (451 4.3.0"));
  const json got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["envelope"]["rcpt_tos"], json({"ok@example.org"}));
}

TEST_F(SmtpDelivery, Reply550ForEveryRecipientIsPermanentWithTheServersLine) {
  const auto r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "reject550@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_THAT(r.error, HasSubstr("every recipient was rejected: reject550@example.org (550 5.1.1 <reject550@example.org>: mailbox unavailable)"));
  EXPECT_EQ(server.count(), 0u);
}

TEST_F(SmtpDelivery, Reply451IsRetried) {
  const auto r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "busy451@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, HasSubstr("451 4.3.0"));
}

TEST_F(SmtpDelivery, RepliesAfterTheDataDecideToo) {
  auto r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "data554@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, "smtp 127.0.0.1:" + std::to_string(server.port()) +
                         ": 554 5.6.0 message refused by policy (after the message data)");
  r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "data451@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, HasSubstr("451 4.3.2 system busy"));
  // The connection is still good for the next message after both refusals.
  r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "fine@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
}

TEST_F(SmtpDelivery, AnUnsendablePayloadIsPermanentAndNamesTheField) {
  const auto r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "x@example.org"}, {"subject", "a\r\nBcc: y@z.org"}});
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, "payload.subject: contains CR or LF (header injection is refused)");
}

TEST_F(SmtpDelivery, OneConnectionIsReusedAcrossMessagesAndReopenedAfterTheServerDropsIt) {
  const json payload = {{"from", "a@example.com"}, {"to", "b@example.org"}, {"text", "t"}};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(test::smtp_send(*plugin, payload).status, OUTBOXD_OK);
  server.stop();  // closes every connection
  server.start();
  ASSERT_EQ(test::smtp_send(*plugin, payload).status, OUTBOXD_OK) << "reopened transparently";
  ASSERT_EQ(test::smtp_send(*plugin, payload).status, OUTBOXD_OK);
  const json got = server.messages();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0]["envelope"]["peer"], got[1]["envelope"]["peer"]);
  EXPECT_EQ(got[0]["envelope"]["peer"], got[2]["envelope"]["peer"]);
  EXPECT_NE(got[2]["envelope"]["peer"], got[3]["envelope"]["peer"]);
  EXPECT_EQ(got[3]["envelope"]["peer"], got[4]["envelope"]["peer"]);
}

TEST_F(SmtpDelivery, ReuseConnectionFalseOpensANewConnectionPerMessage) {
  plugin = test::smtp_instance(test::smtp_plain_config(server.port(), {{"reuse_connection", false}}));
  const json payload = {{"from", "a@example.com"}, {"to", "b@example.org"}, {"text", "t"}};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(test::smtp_send(*plugin, payload).status, OUTBOXD_OK);
  const json got = server.messages();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_NE(got[0]["envelope"]["peer"], got[1]["envelope"]["peer"]);
  EXPECT_NE(got[1]["envelope"]["peer"], got[2]["envelope"]["peer"]);
}

TEST_F(SmtpDelivery, ConcurrentWorkerThreadsEachKeepTheirOwnConnection) {
  const json payload = {{"from", "a@example.com"}, {"to", "b@example.org"}, {"text", "t"}};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 6; ++i) ok += test::smtp_send(*plugin, payload).status == OUTBOXD_OK;
    });
  for (auto &t : threads) t.join();
  EXPECT_EQ(ok.load(), 18);
  std::set<std::string> peers;
  for (const auto &m : server.messages()) peers.insert(m["envelope"]["peer"].dump());
  EXPECT_LE(peers.size(), 3u) << "never more connections than threads sending at once";
}

TEST(SmtpDeliveryDown, ConnectionRefusedIsRetriedAndSaysSo) {
  const int port = test::free_loopback_port();
  auto plugin = test::smtp_instance(test::smtp_plain_config(port));
  const auto r = test::smtp_send(*plugin, {{"from", "a@example.com"}, {"to", "b@example.org"}, {"text", "t"}});
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, StartsWith("smtp 127.0.0.1:" + std::to_string(port) + ": cannot connect: "));
}

// A server that accepts the TCP connection and never says a word (the kernel completes the
// handshake for a listening socket nobody accepts on).
TEST(SmtpDeliveryDown, ASilentServerTimesOutWithinTheMessagesTimeoutAndIsRetried) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len), 0);
  auto plugin = test::smtp_instance(test::smtp_plain_config(ntohs(addr.sin_port), {{"connect_timeout_ms", 60000}}));
  test::SmtpTestMessage msg({{"from", "a@example.com"}, {"to", "b@example.org"}, {"text", "t"}});
  msg.timeout_ms = 400;
  const auto r = plugin->send(msg.view());
  ::close(fd);
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, HasSubstr("timed out"));
}

}  // namespace
}  // namespace outboxd

// Unit tests for payload parsing and message building: every refusal names its field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "smtp_mime.hpp"
#include "smtp_payload.hpp"

namespace outboxd::smtp {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

std::string refusal(const json &payload, const std::string &default_from = "") {
  const std::string text = payload.dump();
  std::string error;
  if (smtp_parse_payload(text.data(), text.size(), default_from, error)) return "";
  return error;
}

Email parsed(const json &payload, const std::string &default_from = "") {
  const std::string text = payload.dump();
  std::string error;
  auto e = smtp_parse_payload(text.data(), text.size(), default_from, error);
  if (!e) throw std::runtime_error(error);
  return *e;
}

const json base = {{"from", "shop@example.com"}, {"to", {"a@example.com"}}, {"subject", "s"}, {"text", "t"}};

json with(const std::string &key, const json &value) {
  json p = base;
  p[key] = value;
  return p;
}

TEST(SmtpPayload, RefusalsNameTheField) {
  EXPECT_EQ(refusal(json{{"from", "a@b.c"}, {"subject", "x"}}), "to: no recipient (to, cc and bcc are all empty)");
  EXPECT_EQ(refusal(with("to", {"a@example.com", "bob"})), "to[1]: 'bob' is not an address (no @)");
  EXPECT_EQ(refusal(with("cc", "x@")), "cc: 'x@' is not an address (empty domain)");
  EXPECT_EQ(refusal(with("subject", "hi\r\nBcc: victim@example.com")),
            "subject: contains CR or LF (header injection is refused)");
  EXPECT_EQ(refusal(with("headers", {{"X-Tag", "a\nb"}})), "headers.X-Tag: contains CR or LF (header injection is refused)");
  EXPECT_EQ(refusal(with("headers", {{"From", "x@y.z"}})), "headers.From: is set by the plugin; use the payload field instead");
  EXPECT_EQ(refusal(with("headers", {{"Bad Name", "v"}})), "headers.Bad Name: is not a valid header name");
  EXPECT_EQ(refusal(with("attachments", {{{"filename", "a.bin"}, {"content", "%%%"}}})),
            "attachments[0].content: is not valid base64");
  EXPECT_EQ(refusal(with("attachments", {{{"content", "aGk="}}})), "attachments[0].filename: is required");
  EXPECT_EQ(refusal(with("attachments", {{{"filename", "a"}, {"content", "aGk="}, {"content_type", "nonsense"}}})),
            "attachments[0].content_type: 'nonsense' is not a type/subtype");
  EXPECT_EQ(refusal(with("attachments", {{{"filename", std::string(256, 'f')}, {"content", "aGk="}}})),
            "attachments[0].filename: is longer than 255 bytes");
  EXPECT_THAT(refusal(with("subjet", "typo")), HasSubstr("subjet: unknown field (known: from, to,"));
  EXPECT_EQ(refusal(with("to", 42)), "to: must be an address or a list of addresses, got number");
  EXPECT_EQ(refusal(with("from", "Jürgen <jürgen@example.com>")),
            "from: 'jürgen@example.com' has non-ASCII characters (SMTPUTF8 mailboxes are not supported)");
  EXPECT_EQ(refusal(json::array()), "payload: must be a JSON object, got array");
  EXPECT_EQ(refusal(json{{"to", "a@b.c"}}), "from: is required (the destination sets no default from)");
}

TEST(SmtpPayload, NotJsonIsRefused) {
  std::string error;
  EXPECT_FALSE(smtp_parse_payload("{", 1, "", error));
  EXPECT_EQ(error, "payload: is not valid JSON");
}

TEST(SmtpPayload, GoDemoBodyIsAcceptedWithContentAsText) {
  const Email e = parsed(json{{"from", "a@b.c"}, {"to", "x@y.z"}, {"subject", "Hi"}, {"content", "Body"}});
  ASSERT_TRUE(e.text);
  EXPECT_EQ(*e.text, "Body");
  EXPECT_EQ(e.to.at(0).address, "x@y.z");
}

TEST(SmtpPayload, DefaultFromAndDisplayNamesAndDedupedEnvelope) {
  const Email e = parsed(json{{"to", {"\"Doe, Jane\" <jane@x.org>", "bob@x.org"}},
                              {"cc", "JANE@x.org"}, {"bcc", {"audit@x.org"}}, {"text", "t"}},
                         "Shop <shop@example.com>");
  EXPECT_EQ(e.from.name, "Shop");
  EXPECT_EQ(e.to.at(0).name, "Doe, Jane");
  EXPECT_EQ(e.recipients(), (std::vector<std::string>{"jane@x.org", "bob@x.org", "audit@x.org"}));
}

TEST(SmtpMessage, MessageIdIsDerivedFromTheOutboxIdOnly) {
  EXPECT_EQ(smtp_message_id("0190a0b0-0000-7000-8000-000000000001", "example.com"),
            "<0190a0b0-0000-7000-8000-000000000001@example.com>");
  EXPECT_EQ(smtp_message_id("a b>c", "x.org"), "<a-b-c@x.org>");
}

TEST(SmtpMessage, DateIsRfc5322) { EXPECT_EQ(smtp_rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000"); }

TEST(SmtpMessage, BccNeverAppearsAndEveryLineIsCrlfWithinLimits) {
  json p = base;
  p["bcc"] = {"secret@example.com"};
  p["html"] = "<p>" + std::string(3000, 'h') + "</p>";
  p["attachments"] = {{{"filename", "a.bin"}, {"content", "AAECAwQ="}}};
  const std::string m = smtp_build_message(parsed(p), "<id@example.com>", 0);
  EXPECT_EQ(m.find("secret"), std::string::npos);
  EXPECT_EQ(m.find("Bcc"), std::string::npos);
  std::size_t start = 0, end;
  while ((end = m.find('\n', start)) != std::string::npos) {
    ASSERT_GT(end, 0u);
    EXPECT_EQ(m[end - 1], '\r') << "bare LF at " << end;
    EXPECT_LE(end - 1 - start, 78u) << m.substr(start, end - start);
    start = end + 1;
  }
}

TEST(SmtpMessage, SameEmailAndIdGiveTheSameBytesApartFromDate) {
  json p = base;
  p["html"] = "<b>x</b>";
  EXPECT_EQ(smtp_build_message(parsed(p), "<id@x>", 1000), smtp_build_message(parsed(p), "<id@x>", 1000));
}

TEST(SmtpAddress, AcceptsTheUsualFormsAndRefusesTheRestWithAReason) {
  std::string reason;
  auto a = smtp_parse_address("  \"Doe, \\\"JD\\\" Jane\" <jane.doe+tag@mail.example.org> ", reason);
  ASSERT_TRUE(a) << reason;
  EXPECT_EQ(a->name, "Doe, \"JD\" Jane");
  EXPECT_EQ(a->address, "jane.doe+tag@mail.example.org");
  EXPECT_EQ(a->domain(), "mail.example.org");
  EXPECT_EQ(smtp_format_address(*a), "\"Doe, \\\"JD\\\" Jane\" <jane.doe+tag@mail.example.org>");
  for (const char *bad : {"", "plain", "a@", "@b.c", "a b@c.d", "a@b..c", ".a@b.c", "a@b@c.d", "<a@b.c", "a@b.c>",
                          "x <a@b.c", "a@b.c\r\nBcc: x@y.z"}) {
    reason.clear();
    EXPECT_FALSE(smtp_parse_address(bad, reason)) << bad;
    EXPECT_FALSE(reason.empty()) << bad;
  }
}

TEST(SmtpMessage, LongRecipientListsFoldWithinTheLineLimit) {
  json p = base;
  p["to"] = json::array();
  for (int i = 0; i < 40; ++i) p["to"].push_back("Recipient Number " + std::to_string(i) + " <r" + std::to_string(i) + "@example.org>");
  const std::string m = smtp_build_message(parsed(p), "<id@example.com>", 0);
  std::size_t start = 0, end, folded = 0;
  while ((end = m.find("\r\n", start)) != std::string::npos) {
    EXPECT_LE(end - start, 78u) << m.substr(start, end - start);
    if (m[start] == ' ') ++folded;
    start = end + 2;
  }
  EXPECT_GT(folded, 10u);
}

TEST(SmtpMessage, AnEmptySubjectLeavesTheHeaderOut) {
  json p = base;
  p.erase("subject");
  EXPECT_EQ(smtp_build_message(parsed(p), "<i@b.c>", 0).find("Subject"), std::string::npos);
}

TEST(SmtpMessage, OnlyBccGivesUndisclosedRecipients) {
  const std::string m = smtp_build_message(parsed(json{{"from", "a@b.c"}, {"bcc", "x@y.z"}}), "<i@b.c>", 0);
  EXPECT_NE(m.find("To: undisclosed-recipients:;\r\n"), std::string::npos);
  EXPECT_EQ(m.find("x@y.z"), std::string::npos);
}

}  // namespace
}  // namespace outboxd::smtp

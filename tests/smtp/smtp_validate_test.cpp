// The smtp plugin's validate(): the payload rules send() applies, with the destination's default
// from, answered without a server (no I/O), each refusal naming the field from the message's top.
#include <gtest/gtest.h>

#include "tests/smtp/smtp_test_support.hpp"

using namespace outboxd;
using nlohmann::json;

namespace {

// An instance whose server is never contacted: validate() must not need it.
std::unique_ptr<PluginInstance> instance(const json &extra = json::object()) {
  return test::smtp_instance(test::smtp_plain_config(1, extra));
}

std::string refusal(PluginInstance &p, const json &payload) {
  return p.validate(payload.dump(), "{}").value_or("");
}

}  // namespace

TEST(SmtpValidate, TheGoDemosBodyIsSendable) {
  auto p = instance();
  EXPECT_TRUE(p->plugin().has_validate());
  EXPECT_EQ(refusal(*p, json::parse(R"({"from":"from@example.com","to":["to@example.com"],"subject":"Test Subject",
                                        "content":"some content"})")),
            "");
  EXPECT_EQ(refusal(*p, {{"from", "a@example.com"}, {"to", "b@example.com"}, {"cc", {"c@example.com"}},
                         {"bcc", "d@example.com"}, {"reply_to", {"e@example.com"}}, {"html", "<p>x</p>"}}),
            "");
}

TEST(SmtpValidate, RefusalsNameThePayloadField) {
  auto p = instance();
  EXPECT_EQ(refusal(*p, {{"from", "a@example.com"}, {"to", {"b@example.com", "bob"}}}),
            "payload.to[1]: 'bob' is not an address (no @)");
  EXPECT_EQ(refusal(*p, {{"from", "a@example.com"}, {"to", "b@example.com"}, {"subject", "a\r\nBcc: x@y.z"}}),
            "payload.subject: contains CR or LF (header injection is refused)");
  EXPECT_EQ(refusal(*p, {{"from", "a@example.com"}, {"to", "b@example.com"}, {"headers", {{"Bad Name", "v"}}}}),
            "payload.headers.Bad Name: is not a valid header name");
  EXPECT_EQ(refusal(*p, {{"to", "b@example.com"}}), "payload.from: is required (the destination sets no default from)");
  EXPECT_EQ(refusal(*p, {{"from", "a@example.com"}}), "payload.to: no recipient (to, cc and bcc are all empty)");
  EXPECT_EQ(refusal(*p, json::array()), "payload: must be a JSON object, got array");
  EXPECT_EQ(p->validate("{", "{}").value_or(""), "payload: is not valid JSON");
}

TEST(SmtpValidate, TheDestinationsDefaultFromCounts) {
  auto p = instance({{"from", "Shop <shop@example.com>"}});
  EXPECT_EQ(refusal(*p, {{"to", "b@example.com"}, {"text", "no from of its own"}}), "");
}

TEST(SmtpValidate, NumbersBeyondADoubleAreJsonToo) {
  // PostgreSQL hands 1e400 over as a 1 and 400 zeros: the payload is valid JSON, and a number where
  // a string belongs is refused by its field, not as "not valid JSON".
  auto p = instance();
  const std::string n = "1" + std::string(400, '0');
  EXPECT_EQ(p->validate(R"({"from":"a@example.com","to":"b@example.com","subject":"s","content":"c"})",
                        "{\"h\": " + n + "}")
                .value_or(""),
            "");
  EXPECT_EQ(p->validate(R"({"from":"a@example.com","to":"b@example.com","n":)" + n + "}", "{}").value_or(""),
            "payload.n: unknown field (known: from, to, cc, bcc, reply_to, subject, text, html, content, headers, "
            "attachments)");
  const std::string refusal =
      p->validate(R"({"from":"a@example.com","to":"b@example.com","subject":)" + n + "}", "{}").value_or("");
  EXPECT_EQ(refusal.rfind("payload.subject: ", 0), 0u) << refusal;
}

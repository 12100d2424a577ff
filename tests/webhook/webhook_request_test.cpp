// Building a request: URL choice (configured or per-message), headers, signature, refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/plugin_call.hpp"
#include "tests/webhook/webhook_test_support.hpp"
#include "webhook_request.hpp"
#include "webhook_signing.hpp"

namespace outboxd::webhook {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

WebhookConfig config_with(const std::string &json) {
  WebhookConfig c;
  std::string error;
  EXPECT_TRUE(webhook_parse_config(json.c_str(), c, error)) << error;
  return c;
}

TEST(WebhookRequest, CarriesTheStandardWebhooksHeadersAndTheConfiguredOnes) {
  const auto config = config_with(R"({"url": "https://h.example/in", "headers": {"X-Env": "prod"},
      "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})");
  test::WebhookTestMessage m;
  WebhookRequest r;
  std::string error;
  ASSERT_TRUE(webhook_build_request(config, m.view(), 1614265330, r, error)) << error;
  EXPECT_EQ(r.url, "https://h.example/in");
  EXPECT_THAT(r.header_lines, Contains("Content-Type: application/json"));
  EXPECT_THAT(r.header_lines, Contains("webhook-id: " + m.id));
  EXPECT_THAT(r.header_lines, Contains("webhook-timestamp: 1614265330"));
  EXPECT_THAT(r.header_lines, Contains("webhook-signature: " + webhook_signature_header(config.signing_keys, m.id,
                                                                                        1614265330, m.payload)));
  EXPECT_THAT(r.header_lines, Contains("X-Env: prod"));
}

TEST(WebhookRequest, WithoutASecretThereIsNoSignatureHeader) {
  const auto config = config_with(R"({"url": "https://h.example/in"})");
  WebhookRequest r;
  std::string error;
  ASSERT_TRUE(webhook_build_request(config, test::WebhookTestMessage{}.view(), 1, r, error));
  for (const auto &h : r.header_lines) EXPECT_EQ(h.rfind("webhook-signature", 0), std::string::npos) << h;
}

TEST(WebhookRequest, UserAgentNamesOutboxdAndItsVersion) {
  EXPECT_EQ(webhook_user_agent(), std::string("outboxd/") + OUTBOXD_WEBHOOK_VERSION + " webhook");
}

TEST(WebhookRequest, AMessageUrlIsUsedOnlyWhenItsHostIsAllowed) {
  const auto config = config_with(R"({"url": "https://default.example/in", "allowed_hosts": ["*.tenants.example"]})");
  test::WebhookTestMessage m;
  WebhookRequest r;
  std::string error;
  m.headers = R"({"webhook-url": "https://acme.tenants.example/hook?x=1"})";
  ASSERT_TRUE(webhook_build_request(config, m.view(), 1, r, error)) << error;
  EXPECT_EQ(r.url, "https://acme.tenants.example/hook?x=1");

  m.headers = R"({"webhook-url": "https://evil.example/steal"})";
  EXPECT_FALSE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_EQ(error, "headers.webhook-url: host evil.example is not in the destination's allowed_hosts");

  m.headers = R"({"webhook-url": "file:///etc/passwd"})";
  EXPECT_FALSE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("scheme must be http or https"));

  m.headers = R"({"webhook-url": 5})";
  EXPECT_FALSE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("must be a string URL"));

  m.headers = R"({"trace": "abc"})";
  ASSERT_TRUE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_EQ(r.url, "https://default.example/in") << "no header: the configured url";
}

TEST(WebhookRequest, WithoutAllowedHostsAMessageUrlIsRefused) {
  const auto config = config_with(R"({"url": "https://default.example/in"})");
  test::WebhookTestMessage m;
  m.headers = R"({"webhook-url": "https://default.example/other"})";
  WebhookRequest r;
  std::string error;
  EXPECT_FALSE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("this destination sets no allowed_hosts"));
}

TEST(WebhookRequest, NoUrlAnywhereIsPermanent) {
  const auto config = config_with(R"({"allowed_hosts": ["a.example"]})");
  WebhookRequest r;
  std::string error;
  EXPECT_FALSE(webhook_build_request(config, test::WebhookTestMessage{}.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("no URL"));
}

TEST(WebhookRequest, ThroughAProxyPrivateLiteralsAndLocalhostAreRefusedUpFront) {
  const auto config = config_with(R"({"url": "http://10.1.2.3/x", "proxy": "http://proxy.internal:3128"})");
  WebhookRequest r;
  std::string error;
  EXPECT_FALSE(webhook_build_request(config, test::WebhookTestMessage{}.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("refused to send to 10.1.2.3 through the proxy: private"));
  const auto local = config_with(R"({"url": "http://localhost:8080/x", "proxy": "http://proxy.internal:3128"})");
  EXPECT_FALSE(webhook_build_request(local, test::WebhookTestMessage{}.view(), 1, r, error));
  const auto allowed = config_with(
      R"({"url": "http://10.1.2.3/x", "proxy": "http://proxy.internal:3128", "allow_private_networks": true})");
  EXPECT_TRUE(webhook_build_request(allowed, test::WebhookTestMessage{}.view(), 1, r, error)) << error;
}

// The proxy resolves the host itself, so every spelling a resolver reads as this host or a blocked
// address is refused: a trailing dot, upper case, the short, octal, hex and decimal IPv4 forms
// (curl and getaddrinfo accept them), IPv6 spellings, the names for this host, and addresses in
// the special-purpose blocks.
TEST(WebhookRequest, ThroughAProxyEverySpellingOfABlockedHostIsRefused) {
  for (const std::string host :
       {"localhost.", "LOCALHOST", "LocalHost.", "api.localhost.", "localhost.localdomain", "ip6-localhost",
        "127.0.0.1.", "127.1", "127.1.", "0x7f.1", "0x7f.1.", "0177.0.0.1", "0177.0.0.1.", "2130706433",
        "2130706433.", "0", "10.1.2.3.", "192.0.2.1", "198.51.100.7", "203.0.113.9", "[::1]", "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[2002:7f00:1::1]", "[64:ff9b:1::a00:1]"}) {
    const auto config =
        config_with(R"({"url": "http://)" + host + R"(:8080/x", "proxy": "http://proxy.internal:3128"})");
    WebhookRequest r;
    std::string error;
    EXPECT_FALSE(webhook_build_request(config, test::WebhookTestMessage{}.view(), 1, r, error)) << host;
    EXPECT_THAT(error, HasSubstr("through the proxy")) << host;
  }
  for (const std::string host : {"hooks.example.com", "hooks.example.com.", "8.8.8.8", "[2606:4700::1111]", "localhost.example"}) {
    const auto config =
        config_with(R"({"url": "http://)" + host + R"(:8080/x", "proxy": "http://proxy.internal:3128"})");
    WebhookRequest r;
    std::string error;
    EXPECT_TRUE(webhook_build_request(config, test::WebhookTestMessage{}.view(), 1, r, error)) << host << ": " << error;
  }
}

TEST(WebhookRequest, HeadersThatAreNotAnObjectArePermanent) {
  const auto config = config_with(R"({"url": "https://h.example/in"})");
  test::WebhookTestMessage m;
  m.headers = "[1]";
  WebhookRequest r;
  std::string error;
  EXPECT_FALSE(webhook_build_request(config, m.view(), 1, r, error));
  EXPECT_THAT(error, HasSubstr("not a JSON object"));
}

// validate(): the plugin loaded as the daemon loads it answers for the URL rules, without DNS or a
// connection and before the message has an id; the lines name the field from the message's top.
TEST(WebhookValidate, RefusesWhatSendWouldRefuseNamingTheHeader) {
  PluginInstance instance(LoadedPlugin::open(test::webhook_plugin_path()), "hooks",
                          R"({"url": "https://default.example/in", "allowed_hosts": ["*.tenants.example"]})");
  ASSERT_TRUE(instance.plugin().has_validate());
  EXPECT_EQ(instance.validate("{}", "{}"), std::nullopt);
  EXPECT_EQ(instance.validate("{}", R"({"webhook-url": "https://acme.tenants.example/hook"})"), std::nullopt);
  EXPECT_EQ(instance.validate("{}", R"({"webhook-url": "https://evil.example/steal"})"),
            "headers.webhook-url: host evil.example is not in the destination's allowed_hosts");
  EXPECT_EQ(instance.validate("{}", R"({"webhook-url": 5})"), "headers.webhook-url: must be a string URL, got number");
  EXPECT_THAT(instance.validate("{}", R"({"webhook-url": "file:///etc/passwd"})").value_or(""),
              HasSubstr("headers.webhook-url: "));
  // A host name that does not resolve is not validate()'s business: that needs DNS.
  EXPECT_EQ(instance.validate("{}", R"({"webhook-url": "https://no-such-host.tenants.example/"})"), std::nullopt);
}

TEST(WebhookValidate, ADestinationWithoutAnyUrlRefusesAMessageWithoutOne) {
  PluginInstance instance(LoadedPlugin::open(test::webhook_plugin_path()), "hooks", R"({"allowed_hosts": ["a.example"]})");
  EXPECT_THAT(instance.validate("{}", "{}").value_or(""), HasSubstr("headers.webhook-url: no URL"));
  EXPECT_EQ(instance.validate("{}", R"({"webhook-url": "https://a.example/x"})"), std::nullopt);
}

}  // namespace
TEST(WebhookRequest, HeadersWithNumbersBeyondADoubleAreStillAnObject) {
  // PostgreSQL hands 1e400 over as a 1 and 400 zeros; the headers used to read as "not a JSON object".
  const auto config = config_with(R"({"url": "https://h.example/in"})");
  test::WebhookTestMessage m;
  m.headers = "{\"n\": 1" + std::string(400, '0') + "}";
  m.payload = "{\"n\": -1" + std::string(400, '0') + "}";
  WebhookRequest r;
  std::string error;
  ASSERT_TRUE(webhook_build_request(config, m.view(), 1, r, error)) << error;
  EXPECT_EQ(r.url, "https://h.example/in");
}

}  // namespace outboxd::webhook

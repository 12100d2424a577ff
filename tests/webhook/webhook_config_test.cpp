// The webhook plugin's config: defaults, every key, and errors that name the key and the reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/daemon_process.hpp"
#include "webhook_config.hpp"

namespace outboxd::webhook {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char *secret_a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char *secret_b = "whsec_YW5vdGhlciBrZXkgb2YgMjQgYnl0ZXMh";

std::string error_for(const std::string &json) {
  WebhookConfig c;
  std::string error;
  EXPECT_FALSE(webhook_parse_config(json.c_str(), c, error)) << json;
  return error;
}

WebhookConfig parsed(const std::string &json) {
  WebhookConfig c;
  std::string error;
  EXPECT_TRUE(webhook_parse_config(json.c_str(), c, error)) << json << ": " << error;
  return c;
}

TEST(WebhookConfig, DefaultsWithJustAUrl) {
  const auto c = parsed(R"({"url": "https://hooks.example.com/in"})");
  EXPECT_EQ(c.url, "https://hooks.example.com/in");
  EXPECT_EQ(c.method, "POST");
  EXPECT_TRUE(c.headers.empty());
  EXPECT_TRUE(c.signing_keys.empty());
  EXPECT_EQ(c.connect_timeout_ms, 5000);
  EXPECT_EQ(c.request_timeout_ms, 0);
  EXPECT_EQ(c.max_concurrent_requests, 16);
  EXPECT_TRUE(c.tls_verify);
  EXPECT_FALSE(c.allow_private_networks);
  EXPECT_TRUE(c.proxy.empty());
  EXPECT_TRUE(c.allowed_hosts.empty());
}

TEST(WebhookConfig, EveryKeyIsRead) {
  test::TempDir dir;
  test::write_file(dir.file("ca.pem"), "x");
  test::write_file(dir.file("cert.pem"), "x");
  test::write_file(dir.file("key.pem"), "x");
  const auto c = parsed(std::string(R"({"url": "http://a.example/x", "allowed_hosts": ["B.example", "*.c.example"],
      "method": "put", "headers": {"Authorization": "Bearer t", "X-Env": "prod"},
      "secret": [")") + secret_a + "\", \"" + secret_b + R"("], "connect_timeout_ms": 250,
      "request_timeout_ms": 3000, "max_concurrent_requests": 4, "tls_verify": false,
      "ca_file": ")" + dir.file("ca.pem") + R"(", "client_cert": ")" + dir.file("cert.pem") +
                        R"(", "client_key": ")" + dir.file("key.pem") + R"(",
      "proxy": "http://proxy.internal:3128", "allow_private_networks": true})");
  EXPECT_EQ(c.method, "PUT");
  EXPECT_EQ(c.allowed_hosts, (std::vector<std::string>{"b.example", "*.c.example"}));
  ASSERT_EQ(c.headers.size(), 2u);
  EXPECT_EQ(c.headers[0].first, "Authorization");
  EXPECT_EQ(c.signing_keys.size(), 2u);
  EXPECT_EQ(c.connect_timeout_ms, 250);
  EXPECT_EQ(c.request_timeout_ms, 3000);
  EXPECT_EQ(c.max_concurrent_requests, 4);
  EXPECT_FALSE(c.tls_verify);
  EXPECT_EQ(c.client_key, dir.file("key.pem"));
  EXPECT_EQ(c.proxy, "http://proxy.internal:3128");
  EXPECT_TRUE(c.allow_private_networks);
}

TEST(WebhookConfig, OneSecretMayBeAPlainString) {
  EXPECT_EQ(parsed(std::string(R"({"url": "http://a.example/", "secret": ")") + secret_a + "\"}").signing_keys.size(),
            1u);
}

TEST(WebhookConfig, UnknownKeysAndBadShapesAreRefused) {
  EXPECT_THAT(error_for(R"({"url": "http://a.example/", "retries": 3})"),
              AllOf(StartsWith("unknown key 'retries' (known: url, allowed_hosts"), HasSubstr("allow_private_networks")));
  EXPECT_THAT(error_for("[1]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error_for("{nope"), HasSubstr("not valid JSON"));
}

TEST(WebhookConfig, EachBadValueNamesItsKeyAndReason) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({})", "url: required (or set allowed_hosts"},
      {R"({"url": 5})", "url: must be a string"},
      {R"({"url": "ftp://a.example/"})", "url: the scheme must be http or https"},
      {R"({"url": "not a url"})", "url: not a valid absolute URL"},
      {R"({"url": "http://a/", "method": "DELETE"})", "method: must be POST, PUT or PATCH"},
      {R"({"url": "http://a/", "headers": ["x"]})", "headers: must be a mapping"},
      {R"({"url": "http://a/", "headers": {"Bad Name": "x"}})", "headers.Bad Name: not a valid HTTP header name"},
      {R"({"url": "http://a/", "headers": {"webhook-id": "x"}})", "headers.webhook-id: set by the plugin itself"},
      {R"({"url": "http://a/", "headers": {"Content-Type": "text/plain"}})", "headers.Content-Type: set by the plugin"},
      {R"({"url": "http://a/", "headers": {"X": "a\nb"}})", "headers.X: the value must be one line"},
      {R"({"url": "http://a/", "headers": {"X": 1}})", "headers.X: must be a string"},
      {R"({"url": "http://a/", "secret": "plain"})", "secret: must be a Standard Webhooks secret"},
      {R"({"url": "http://a/", "secret": []})", "secret: the list is empty"},
      {R"({"url": "http://a/", "secret": 7})", "secret: must be a whsec_ string or a list"},
      {std::string(R"({"url": "http://a/", "secret": [")") + secret_a + R"(", "whsec_@@"]})",
       "secret[1]: the part after whsec_ is not valid base64"},
      {R"({"url": "http://a/", "connect_timeout_ms": 0})", "connect_timeout_ms: must be between 1 and 600000"},
      {R"({"url": "http://a/", "request_timeout_ms": "5s"})", "request_timeout_ms: must be an integer, got string"},
      {R"({"url": "http://a/", "max_concurrent_requests": 0})", "max_concurrent_requests: must be between 1 and 1000"},
      {R"({"url": "http://a/", "tls_verify": "yes"})", "tls_verify: must be true or false"},
      {R"({"url": "http://a/", "ca_file": "/nonexistent/ca.pem"})", "ca_file: cannot read '/nonexistent/ca.pem'"},
      {R"({"url": "http://a/", "client_cert": "/etc/hostname"})", "client_key: client_cert and client_key go together"},
      {R"({"url": "http://a/", "proxy": ""})", "proxy: must not be empty"},
      {R"({"url": "http://a/", "allow_private_networks": 1})", "allow_private_networks: must be true or false"},
      {R"({"url": "http://a/", "allowed_hosts": "a.example"})", "allowed_hosts: must be a list"},
      {R"({"url": "http://a/", "allowed_hosts": ["https://a.example"]})", "allowed_hosts[0]: must be a bare host name"},
      {R"({"url": "http://a/", "allowed_hosts": ["a.*.example"]})", "allowed_hosts[0]: a wildcard may only be"},
  };
  for (const auto &[json, want] : cases) EXPECT_THAT(error_for(json), StartsWith(want)) << json;
}

TEST(WebhookConfig, SecretsNeverAppearInErrors) {
  const std::string bad = "whsec_TOPSECRET*VALUE";
  EXPECT_THAT(error_for(R"({"url": "http://a/", "secret": [")" + bad + "\"]}"), Not(HasSubstr("TOPSECRET")));
}

TEST(WebhookConfig, AllowedHostsMatchExactlyOrBySubdomainWildcard) {
  const std::vector<std::string> p = {"api.example.com", "*.hooks.example.net", "127.0.0.1", "[::1]"};
  EXPECT_TRUE(webhook_host_allowed(p, "api.example.com"));
  EXPECT_TRUE(webhook_host_allowed(p, "API.Example.COM"));
  EXPECT_TRUE(webhook_host_allowed(p, "a.hooks.example.net"));
  EXPECT_TRUE(webhook_host_allowed(p, "x.y.hooks.example.net"));
  EXPECT_TRUE(webhook_host_allowed(p, "127.0.0.1"));
  EXPECT_TRUE(webhook_host_allowed(p, "[::1]"));
  EXPECT_FALSE(webhook_host_allowed(p, "hooks.example.net")) << "the wildcard needs a subdomain";
  EXPECT_FALSE(webhook_host_allowed(p, "evilhooks.example.net"));
  EXPECT_FALSE(webhook_host_allowed(p, "api.example.com.evil.org"));
  EXPECT_FALSE(webhook_host_allowed(p, "example.com"));
  EXPECT_FALSE(webhook_host_allowed({}, "api.example.com"));
}

}  // namespace
}  // namespace outboxd::webhook

// The smtp plugin's config: defaults, and every bad key refused at init with the key and reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "smtp_config.hpp"
#include "tests/smtp/smtp_test_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

std::string config_error(const json &config) {
  smtp::SmtpConfig c;
  std::string error;
  const std::string text = config.dump();
  return smtp::smtp_parse_config(text.c_str(), c, error) ? "" : error;
}

TEST(SmtpConfig, DefaultsAreStartTlsOn587WithVerification) {
  smtp::SmtpConfig c;
  std::string error;
  ASSERT_TRUE(smtp::smtp_parse_config(R"({"host":"mail.example.com"})", c, error)) << error;
  EXPECT_EQ(c.port, 587);
  EXPECT_EQ(c.tls, smtp::SmtpTls::StartTls);
  EXPECT_TRUE(c.tls_verify);
  EXPECT_TRUE(c.reuse_connection);
  EXPECT_EQ(c.connect_timeout_ms, 10000);
  EXPECT_FALSE(c.helo_name.empty());
  EXPECT_EQ(smtp::smtp_url(c).rfind("smtp://mail.example.com:587/", 0), 0u);
}

TEST(SmtpConfig, PortFollowsTlsModeUnlessGiven) {
  smtp::SmtpConfig a, b, d;
  std::string e;
  ASSERT_TRUE(smtp::smtp_parse_config(R"({"host":"h","tls":"none"})", a, e));
  ASSERT_TRUE(smtp::smtp_parse_config(R"({"host":"h","tls":"tls"})", b, e));
  ASSERT_TRUE(smtp::smtp_parse_config(R"({"host":"h","tls":"tls","port":2465,"helo_name":"me.example"})", d, e));
  EXPECT_EQ(a.port, 25);
  EXPECT_EQ(b.port, 465);
  EXPECT_EQ(smtp::smtp_url(d), "smtps://h:2465/me.example");
}

TEST(SmtpConfig, BadValuesAreRefusedByKey) {
  EXPECT_EQ(config_error(json::object()), "host: is required (the SMTP server's name or address)");
  EXPECT_EQ(config_error({{"host", "smtp://x"}}), "host: 'smtp://x' is not a host name or IP address (no scheme or port)");
  EXPECT_EQ(config_error({{"host", "h"}, {"port", 0}}), "port: must be between 1 and 65535, got 0");
  EXPECT_EQ(config_error({{"host", "h"}, {"port", "25"}}), "port: must be an integer, got string");
  EXPECT_EQ(config_error({{"host", "h"}, {"tls", "ssl"}}), "tls: must be one of none, starttls, tls, got 'ssl'");
  EXPECT_EQ(config_error({{"host", "h"}, {"tls_verify", "no"}}), "tls_verify: must be true or false, got string");
  EXPECT_EQ(config_error({{"host", "h"}, {"ca_file", "/nonexistent/ca.pem"}}), "ca_file: cannot read '/nonexistent/ca.pem'");
  EXPECT_EQ(config_error({{"host", "h"}, {"password", "hunter2"}}), "username: is required when a password is given");
  EXPECT_EQ(config_error({{"host", "h"}, {"username", "u"}}), "username: needs a password (password: !env NAME or !file /path)");
  EXPECT_EQ(config_error({{"host", "h"}, {"username", "u"}, {"password", 7}}),
            "password: must be a non-empty string (e.g. !env SMTP_PASSWORD or !file /path)");
  EXPECT_EQ(config_error({{"host", "h"}, {"from", "nobody"}}), "from: 'nobody' is not an address (no @)");
  EXPECT_EQ(config_error({{"host", "h"}, {"auth_mechanism", "CRAM-MD5"}}), "auth_mechanism: 'CRAM-MD5' is not one of PLAIN, LOGIN");
  EXPECT_EQ(config_error({{"host", "h"}, {"connect_timeout_ms", -1}}), "connect_timeout_ms: must be between 1 and 600000, got -1");
  EXPECT_EQ(config_error({{"host", "h"}, {"reuse_connection", 1}}), "reuse_connection: must be true or false, got number");
  EXPECT_EQ(config_error({{"host", "h"}, {"helo_name", "a b"}}), "helo_name: 'a b' is not a host name");
}

TEST(SmtpConfig, ThePluginRefusesAnUnknownKeyListingTheKnownOnes) {
  try {
    test::smtp_instance({{"host", "h"}, {"colour", "red"}});
    FAIL() << "init accepted an unknown key";
  } catch (const PluginLoadError &e) {
    EXPECT_THAT(e.what(), HasSubstr("destination mail: plugin smtp refused its config: unknown key 'colour' (known: host, port, tls,"));
  }
}

TEST(SmtpConfig, ThePluginRefusesConfigThatIsNotAnObjectOrNotJson) {
  EXPECT_THAT([] { test::smtp_instance(json::array({1})); },
              testing::ThrowsMessage<PluginLoadError>(HasSubstr("config must be a JSON object")));
  EXPECT_THAT([] { PluginInstance(LoadedPlugin::open(test::smtp_plugin_path()), "mail", "{not json"); },
              testing::ThrowsMessage<PluginLoadError>(HasSubstr("not valid JSON")));
}

TEST(SmtpConfig, ShutdownAfterFailedInitIsSafe) {
  for (int i = 0; i < 20; ++i)
    EXPECT_THROW(test::smtp_instance({{"nope", 1}}), PluginLoadError);
}

TEST(SmtpConfig, ExportsAWellFormedThreadSafeTable) {
  auto plugin = LoadedPlugin::open(test::smtp_plugin_path());
  EXPECT_EQ(plugin->name(), "smtp");
  EXPECT_FALSE(plugin->version().empty());
  EXPECT_TRUE(plugin->thread_safe());
}

}  // namespace
}  // namespace outboxd

// Unit tests for destinations in the config: names, required plugin, secrets, and config -> JSON.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"

namespace outboxd {
namespace {

using nlohmann::json;

using namespace config_test;

const std::string kDestinationsUrl = "database:\n  url: \"dbname=app\"\n";

// The JSON handed to the plugin of destination "d" configured with `config_yaml` (indented 6).
json destination_plugin_config(const std::string &config_yaml, const EnvLookup &env = fake_env()) {
  const Config c = parse(kDestinationsUrl + "destinations:\n  d:\n    plugin: log\n    config:\n" + config_yaml, env);
  return json::parse(c.destinations.at("d").config_json);
}

TEST(ConfigDestinations, AppliesDestinationDefaultsAndRecordsTheLine) {
  const Config c = parse(kDestinationsUrl + "destinations:\n  audit:\n    plugin: log\n  mail:\n    plugin: smtp\n"
                                "    max_attempts: 5\n    timeout_ms: 2000\n    max_backoff: 10m\n"
                                "    on_outcome: UPDATE t SET s = $2 WHERE id = $1\n");
  ASSERT_EQ(c.destinations.size(), 2u);
  const DestinationConfig &audit = c.destinations.at("audit");
  EXPECT_EQ(audit.name, "audit");
  EXPECT_EQ(audit.plugin, "log");
  EXPECT_EQ(audit.max_attempts, 25);
  EXPECT_EQ(audit.timeout_ms, 10000);
  EXPECT_EQ(audit.max_backoff, std::chrono::hours(1));
  EXPECT_EQ(audit.on_outcome, "");
  EXPECT_EQ(audit.config_json, "{}");
  EXPECT_EQ(audit.config_line, 4);
  const DestinationConfig &mail = c.destinations.at("mail");
  EXPECT_EQ(mail.max_attempts, 5);
  EXPECT_EQ(mail.timeout_ms, 2000);
  EXPECT_EQ(mail.max_backoff, std::chrono::minutes(10));
  EXPECT_EQ(mail.on_outcome, "UPDATE t SET s = $2 WHERE id = $1");
  EXPECT_EQ(mail.config_line, 6);
}

TEST(ConfigDestinations, AllowsAnEmptyDestinationsMap) {
  EXPECT_TRUE(parse(kDestinationsUrl + "destinations: {}\n").destinations.empty());
  EXPECT_TRUE(parse(kDestinationsUrl + "destinations:\n").destinations.empty());
}

TEST(ConfigDestinations, RejectsADestinationWithoutAPlugin) {
  EXPECT_EQ(error_of(kDestinationsUrl + "destinations:\n  mail:\n    timeout_ms: 5\n"),
            "outboxd.yaml:4: destinations.mail.plugin: required: name the plugin that sends to "
            "this destination, e.g. 'plugin: webhook'");
  EXPECT_NE(error_of(kDestinationsUrl + "destinations:\n  mail:\n").find("outboxd.yaml:4: destinations.mail: "
                                                             "expected a mapping"),
            std::string::npos);
}

TEST(ConfigDestinations, RejectsABadDestinationName) {
  EXPECT_EQ(error_of(kDestinationsUrl + "destinations:\n  \"orders webhook\":\n    plugin: webhook\n"),
            "outboxd.yaml:4: destinations: bad destination name \"orders webhook\": use letters, "
            "digits, '_', '.' and '-' only");
  EXPECT_EQ(parse(kDestinationsUrl + "destinations:\n  orders-v2.hook_1:\n    plugin: webhook\n").destinations.size(), 1u);
}

TEST(ConfigDestinations, TypeErrorInsideADestinationNamesTheFullKey) {
  EXPECT_EQ(error_of(kDestinationsUrl + "destinations:\n  mail:\n    plugin: smtp\n    max_attempts: 0\n"),
            "outboxd.yaml:6: destinations.mail.max_attempts: expected an integer from 1 to 1000, "
            "got \"0\"");
  EXPECT_NE(error_of(kDestinationsUrl + "destinations:\n  mail:\n    plugin: smtp\n    config: [1]\n")
                .find("outboxd.yaml:6: destinations.mail.config: expected a mapping, got a list"),
            std::string::npos);
}

TEST(ConfigDestinations, ConvertsTheConfigSubtreeToTypedJson) {
  const json j = destination_plugin_config(
      "      flag: true\n      off: False\n      count: 42\n      negative: -7\n      ratio: 0.25\n"
      "      exp: 1e3\n      nothing: ~\n      also_null: null\n      empty:\n"
      "      quoted_int: \"42\"\n      quoted_bool: 'true'\n      quoted_null: \"null\"\n"
      "      word: hello\n      version: 1.2.3\n      list: [1, two, \"3\"]\n"
      "      nested: {a: {b: [true]}}\n");
  EXPECT_EQ(j.at("flag"), true);
  EXPECT_EQ(j.at("off"), false);
  EXPECT_EQ(j.at("count"), 42);
  EXPECT_TRUE(j.at("count").is_number_integer());
  EXPECT_EQ(j.at("negative"), -7);
  EXPECT_DOUBLE_EQ(j.at("ratio").get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(j.at("exp").get<double>(), 1000.0);
  EXPECT_TRUE(j.at("nothing").is_null());
  EXPECT_TRUE(j.at("also_null").is_null());
  EXPECT_TRUE(j.at("empty").is_null());
  EXPECT_EQ(j.at("quoted_int"), "42");
  EXPECT_EQ(j.at("quoted_bool"), "true");
  EXPECT_EQ(j.at("quoted_null"), "null");
  EXPECT_EQ(j.at("word"), "hello");
  EXPECT_EQ(j.at("version"), "1.2.3");
  EXPECT_EQ(j.at("list"), json::parse(R"([1, "two", "3"])"));
  EXPECT_EQ(j.at("nested"), json::parse(R"({"a": {"b": [true]}})"));
}

TEST(ConfigDestinations, ResolvesEnvSecretsInsideConfig) {
  const json j = destination_plugin_config("      auth:\n        token: !env HOOK_TOKEN\n      port: 25\n",
                               fake_env({{"HOOK_TOKEN", "s3cr3t"}}));
  EXPECT_EQ(j.at("auth").at("token"), "s3cr3t");
  EXPECT_EQ(j.at("port"), 25);
}

TEST(ConfigDestinations, UnsetEnvSecretIsAnErrorNamingTheVariable) {
  const std::string e = error_of(kDestinationsUrl + "destinations:\n  d:\n    plugin: log\n    config:\n"
                                        "      token: !env HOOK_TOKEN\n");
  EXPECT_NE(e.find("outboxd.yaml:7: destinations.d.config.token: environment variable HOOK_TOKEN "
                   "is not set"),
            std::string::npos)
      << e;
}

TEST(ConfigDestinations, ResolvesFileSecretsStrippingOneTrailingNewline) {
  const std::string path = ::testing::TempDir() + std::to_string(::getpid()) + "_outboxd_secret_test.txt";
  std::ofstream(path) << "pa ss\n\n";
  const json j = destination_plugin_config("      password: !file " + path + "\n");
  EXPECT_EQ(j.at("password"), "pa ss\n");
  std::remove(path.c_str());
}

TEST(ConfigDestinations, UnreadableFileSecretIsAnErrorNamingTheFile) {
  const std::string e = error_of(kDestinationsUrl + "destinations:\n  d:\n    plugin: log\n    config:\n"
                                        "      password: !file /nonexistent/secret\n");
  EXPECT_NE(e.find("outboxd.yaml:7: destinations.d.config.password: cannot read secret file "
                   "/nonexistent/secret: No such file or directory"),
            std::string::npos)
      << e;
}

TEST(ConfigDestinations, DatabaseUrlMayBeASecret) {
  EXPECT_EQ(parse("database:\n  url: !env APP_DB\n", fake_env({{"APP_DB", "dbname=x"}})).database_url,
            "dbname=x");
  const std::string path = ::testing::TempDir() + std::to_string(::getpid()) + "_outboxd_url_test.txt";
  std::ofstream(path) << "dbname=from_file\n";
  EXPECT_EQ(parse("database:\n  url: !file " + path + "\n").database_url, "dbname=from_file");
  std::remove(path.c_str());
  EXPECT_EQ(error_of("database:\n  url: {vault: x}\n"),
            "outboxd.yaml:2: database.url: expected a string, !env NAME or !file /path, got a mapping");
  EXPECT_NE(error_of("database:\n  url: !env APP_DB\n").find("environment variable APP_DB is not set"),
            std::string::npos);
}

TEST(ConfigDestinations, MappingsThatAreNotSecretsStayObjects) {
  // Only the !env / !file tags are references, so a plugin may have keys named env or file.
  const json j = destination_plugin_config("      a: {env: X, other: 1}\n      b: {envelope: Y}\n      c: {file: out.txt}\n");
  EXPECT_EQ(j.at("a"), json::parse(R"({"env": "X", "other": 1})"));
  EXPECT_EQ(j.at("b"), json::parse(R"({"envelope": "Y"})"));
  EXPECT_EQ(j.at("c"), json::parse(R"({"file": "out.txt"})"));
}

TEST(ConfigDestinations, DuplicateKeyInsideConfigIsAnError) {
  EXPECT_NE(error_of(kDestinationsUrl + "destinations:\n  d:\n    plugin: log\n    config:\n      a: 1\n      a: 2\n")
                .find("outboxd.yaml:8: destinations.d.config.a: key given twice"),
            std::string::npos);
}

}  // namespace
}  // namespace outboxd

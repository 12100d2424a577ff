// Unit tests for the config loader: defaults, typed values, and errors that name file, line and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"
#include "tests/support/source_paths.hpp"

namespace outboxd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using namespace config_test;

const std::string kUrl = "database:\n  url: \"host=127.0.0.1 dbname=app\"\n";

TEST(ConfigLoader, AppliesDefaultsWhenOnlyTheUrlIsGiven) {
  const Config c = parse(kUrl);
  const Config d;
  EXPECT_EQ(c.database_url, "host=127.0.0.1 dbname=app");
  EXPECT_EQ(c.source, "outboxd.yaml");
  EXPECT_TRUE(c.migrate);
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.batch_size, 100);
  EXPECT_EQ(c.shutdown_grace, seconds(30));
  EXPECT_EQ(c.wakeup_mode, WakeupMode::Notify);
  EXPECT_EQ(c.poll_interval, milliseconds(100));
  EXPECT_EQ(c.busy_poll_interval, milliseconds(2));
  EXPECT_EQ(c.linger, milliseconds(200));
  EXPECT_EQ(c.safety_poll, seconds(5));
  EXPECT_EQ(c.retention_delivered, seconds(7 * 86400));
  EXPECT_EQ(c.retention_finished, seconds(30 * 86400));
  EXPECT_EQ(c.prune_interval, seconds(60));
  EXPECT_EQ(c.prune_batch, 1000);
  EXPECT_EQ(c.plugin_dir, d.plugin_dir);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_format, LogFormat::Text);
  EXPECT_TRUE(c.destinations.empty());
}

TEST(ConfigLoader, ReadsEveryTopLevelValue) {
  const Config c = parse(kUrl +
                         "  migrate: false\nworkers: 8\nbatch_size: 500\nshutdown_grace: 1m\n"
                         "wakeup:\n  mode: poll\n  poll_interval: 250ms\n"
                         "retention:\n  delivered: 0\n  finished: 2d\n  prune_batch: 50\n"
                         "plugin_dir: /opt/plugins\nlog:\n  level: debug\n  format: json\n");
  EXPECT_FALSE(c.migrate);
  EXPECT_EQ(c.workers, 8);
  EXPECT_EQ(c.batch_size, 500);
  EXPECT_EQ(c.shutdown_grace, seconds(60));
  EXPECT_EQ(c.wakeup_mode, WakeupMode::Poll);
  EXPECT_EQ(c.poll_interval, milliseconds(250));
  EXPECT_EQ(c.retention_delivered, seconds(0));
  EXPECT_EQ(c.retention_finished, seconds(2 * 86400));
  EXPECT_EQ(c.prune_batch, 50);
  EXPECT_EQ(c.plugin_dir, "/opt/plugins");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, LogFormat::Json);
}

TEST(ConfigLoader, TypeErrorNamesFileLineKeyAndValue) {
  EXPECT_EQ(error_of(kUrl + "workers: lots\n"),
            "outboxd.yaml:3: workers: expected an integer from 1 to 256, got \"lots\"");
}

TEST(ConfigLoader, RejectsIntegersOutOfRange) {
  EXPECT_EQ(error_of(kUrl + "batch_size: 0\n"),
            "outboxd.yaml:3: batch_size: expected an integer from 1 to 10000, got \"0\"");
  EXPECT_NE(error_of(kUrl + "workers: 257\n").find("got \"257\""), std::string::npos);
  EXPECT_NE(error_of(kUrl + "workers: 2.5\n").find("workers: expected an integer"), std::string::npos);
}

TEST(ConfigLoader, RejectsAMappingWhereAScalarBelongs) {
  EXPECT_EQ(error_of(kUrl + "workers:\n  count: 3\n"),
            "outboxd.yaml:3: workers: expected an integer from 1 to 256, got a mapping");
  EXPECT_NE(error_of(kUrl + "workers:\n").find("got nothing"), std::string::npos);
}

TEST(ConfigLoader, RejectsUnknownKeyWithSuggestion) {
  EXPECT_EQ(error_of(kUrl + "wrkers: 4\n"),
            "outboxd.yaml:3: wrkers: unknown key 'wrkers' (did you mean 'workers'?)");
}

TEST(ConfigLoader, RejectsUnknownKeyInsideASectionWithSuggestion) {
  EXPECT_EQ(error_of(kUrl + "wakeup:\n  mode: notify\n  pol_interval: 5ms\n"),
            "outboxd.yaml:5: wakeup.pol_interval: unknown key 'pol_interval' "
            "(did you mean 'poll_interval'?)");
}

TEST(ConfigLoader, RejectsUnknownKeyListingKnownKeysWhenNothingIsClose) {
  const std::string e = error_of(kUrl + "log:\n  colour: always\n");
  EXPECT_EQ(e, "outboxd.yaml:4: log.colour: unknown key 'colour'; known keys here: level, format");
  const std::string top = error_of("metrics:\n  port: 8080\n" + kUrl);
  EXPECT_NE(top.find("outboxd.yaml:1: metrics: unknown key 'metrics'; known keys here: database, workers"),
            std::string::npos)
      << top;
}

TEST(ConfigLoader, RejectsUnknownKeyInsideADestination) {
  EXPECT_EQ(error_of(kUrl + "destinations:\n  mail:\n    plugin: smtp\n    timeout: 5\n"),
            "outboxd.yaml:6: destinations.mail.timeout: unknown key 'timeout' "
            "(did you mean 'timeout_ms'?)");
}

TEST(ConfigLoader, RejectsAKeyGivenTwice) {
  EXPECT_EQ(error_of(kUrl + "workers: 2\nworkers: 3\n"),
            "outboxd.yaml:4: workers: key given twice; keep one");
}

TEST(ConfigLoader, AcceptsDurationsWithUnitsOrBareMilliseconds) {
  const std::map<std::string, milliseconds> cases = {
      {"250ms", milliseconds(250)}, {"30s", seconds(30)},         {"5m", std::chrono::minutes(5)},
      {"2h", std::chrono::hours(2)}, {"7d", std::chrono::hours(168)}, {"1500", milliseconds(1500)},
      {"\"45s\"", seconds(45)},      {"0", milliseconds(0)}};
  for (const auto &[text, expected] : cases) {
    EXPECT_EQ(parse(kUrl + "shutdown_grace: " + text + "\n").shutdown_grace, expected) << text;
  }
}

TEST(ConfigLoader, RejectsMalformedDurations) {
  for (const std::string text : {"5 s", "1.5s", "-1s", "5w", "s", "\"\"", "ms10", "9999999999999999d"}) {
    const std::string e = error_of(kUrl + "shutdown_grace: " + text + "\n");
    EXPECT_NE(e.find("outboxd.yaml:3: shutdown_grace: expected a duration such as 250ms, 30s, 5m"),
              std::string::npos)
        << text << " -> " << e;
  }
}

TEST(ConfigLoader, RejectsZeroDurationWhereItMakesNoSense) {
  const std::string e = error_of(kUrl + "wakeup:\n  poll_interval: 0\n");
  EXPECT_NE(e.find("outboxd.yaml:4: wakeup.poll_interval: expected a duration"), std::string::npos) << e;
  EXPECT_NE(e.find("greater than 0, got \"0\""), std::string::npos) << e;
  EXPECT_EQ(parse(kUrl + "wakeup:\n  linger: 0\n").linger, milliseconds(0));
}

TEST(ConfigLoader, RetentionIsInWholeSecondsAndZeroDeletesAtDelivery) {
  EXPECT_EQ(parse(kUrl + "retention:\n  delivered: 0\n").retention_delivered, seconds(0));
  EXPECT_EQ(parse(kUrl + "retention:\n  delivered: 90m\n").retention_delivered, seconds(5400));
  const std::string e = error_of(kUrl + "retention:\n  finished: 1500ms\n");
  EXPECT_NE(e.find("retention.finished: expected a duration"), std::string::npos) << e;
  EXPECT_NE(e.find("in whole seconds"), std::string::npos) << e;
}

TEST(ConfigLoader, AcceptsEveryEnumValueAndRejectsOthers) {
  for (const std::string level : {"trace", "debug", "info", "warn", "error"})
    EXPECT_EQ(parse(kUrl + "log:\n  level: " + level + "\n").log_level, level);
  EXPECT_EQ(error_of(kUrl + "log:\n  level: verbose\n"),
            "outboxd.yaml:4: log.level: expected one of trace, debug, info, warn, error, "
            "got \"verbose\"");
  EXPECT_EQ(error_of(kUrl + "wakeup:\n  mode: push\n"),
            "outboxd.yaml:4: wakeup.mode: expected one of notify, poll, got \"push\"");
}

TEST(ConfigLoader, RejectsBooleansOtherThanTrueOrFalse) {
  EXPECT_EQ(error_of(kUrl + "  migrate: maybe\n"),
            "outboxd.yaml:3: database.migrate: expected true or false, got \"maybe\"");
}

TEST(ConfigLoader, RejectsASectionThatIsNotAMapping) {
  EXPECT_EQ(error_of(kUrl + "wakeup: fast\n"),
            "outboxd.yaml:3: wakeup: expected a mapping of keys, got \"fast\"");
  EXPECT_NE(error_of("- workers\n").find("outboxd.yaml:1: the file must be a mapping"), std::string::npos);
}

TEST(ConfigLoader, YamlSyntaxErrorNamesFileAndLine) {
  const std::string e = error_of(kUrl + "workers: [1, 2\nbatch_size: 3\n");
  EXPECT_TRUE(std::regex_search(e, std::regex("^outboxd\\.yaml:[3-5]: YAML syntax error: "))) << e;
}

TEST(ConfigLoader, MissingDatabaseUrlIsAnErrorThatMentionsTheEnvironment) {
  const std::string e = error_of("workers: 2\n");
  EXPECT_NE(e.find("outboxd.yaml: database.url: required"), std::string::npos) << e;
  EXPECT_NE(e.find("OUTBOXD_DATABASE_URL"), std::string::npos) << e;
}

TEST(ConfigLoader, EnvironmentOverridesDatabaseUrl) {
  const auto env = fake_env({{"OUTBOXD_DATABASE_URL", "postgresql://other/db"}});
  EXPECT_EQ(parse(kUrl, env).database_url, "postgresql://other/db");
  EXPECT_EQ(parse("workers: 3\n", env).database_url, "postgresql://other/db");
  // The override makes the file's url unused, so its unset secret is not an error.
  EXPECT_EQ(parse("database:\n  url: !env NOT_SET\n", env).database_url, "postgresql://other/db");
}

TEST(ConfigLoader, EmptyFileNeedsOnlyTheEnvironmentUrl) {
  const Config c = parse("", fake_env({{"OUTBOXD_DATABASE_URL", "dbname=x"}}));
  EXPECT_EQ(c.database_url, "dbname=x");
  EXPECT_EQ(c.workers, 2);
}

TEST(ConfigLoader, DefaultConfigPathComesFromTheEnvironmentOrEtc) {
  EXPECT_EQ(default_config_path(fake_env()), "/etc/outboxd/outboxd.yaml");
  EXPECT_EQ(default_config_path(fake_env({{"OUTBOXD_CONFIG", "/tmp/o.yaml"}})), "/tmp/o.yaml");
}

TEST(ConfigLoader, MissingFileIsAConfigErrorNamingThePath) {
  try {
    load_config("/nonexistent/outboxd.yaml", fake_env());
    FAIL() << "no error";
  } catch (const ConfigError &e) {
    EXPECT_NE(std::string(e.what()).find("cannot read config file /nonexistent/outboxd.yaml: "
                                         "No such file or directory"),
              std::string::npos)
        << e.what();
  }
}

TEST(ConfigLoader, LoadsAFileAndNamesItInErrors) {
  const std::string path = ::testing::TempDir() + std::to_string(::getpid()) + "_outboxd_config_test.yaml";
  std::ofstream(path) << kUrl << "workers: many\n";
  try {
    load_config(path, fake_env());
    FAIL() << "no error";
  } catch (const ConfigError &e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: workers: expected an integer from 1 to 256, got \"many\"");
  }
  std::ofstream(path) << kUrl << "workers: 7\n";
  EXPECT_EQ(load_config(path, fake_env()).workers, 7);
  std::remove(path.c_str());
}

TEST(ConfigLoader, ShippedExampleFileParses) {
  const Config c = load_config(test::source_path("etc/outboxd.yaml"), fake_env());
  EXPECT_EQ(c.database_url, "host=127.0.0.1 port=5432 dbname=app user=outboxd");
  ASSERT_EQ(c.destinations.count("log"), 1u);
  EXPECT_EQ(c.destinations.at("log").plugin, "log");
  EXPECT_EQ(nlohmann::json::parse(c.destinations.at("log").config_json), (nlohmann::json{{"path", "-"}}));
}

}  // namespace
}  // namespace outboxd

TEST(ConfigApi, ListenMustBeALoopbackHostAndPort) {
  using namespace outboxd;
  const std::string url = "database:\n  url: dbname=x\n";
  auto error_of = [&](const std::string &listen) {
    try {
      parse_config(url + "api:\n  listen: \"" + listen + "\"\n", "outboxd.yaml", [](const std::string &) {
        return std::optional<std::string>();
      });
      return std::string("ok");
    } catch (const ConfigError &e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(error_of("127.0.0.1:3080"), "ok");
  EXPECT_EQ(error_of("127.1.2.3:0"), "ok");
  EXPECT_EQ(error_of("localhost:3080"), "ok");
  EXPECT_EQ(error_of("[::1]:3080"), "ok");
  EXPECT_NE(error_of("0.0.0.0:3080").find("outboxd.yaml:4: api.listen: \"0.0.0.0:3080\" is not a loopback"),
            std::string::npos) << error_of("0.0.0.0:3080");
  EXPECT_NE(error_of("10.0.0.1:80").find("not a loopback"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1").find("expected host:port"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:70000").find("0 to 65535"), std::string::npos);
  EXPECT_NE(error_of("::1:3080").find("brackets"), std::string::npos);
  EXPECT_NE(error_of("128.0.0.1:1").find("not a loopback"), std::string::npos);
}

// ---- api.tokens -------------------------------------------------------------------------------

namespace {

std::string tokens_yaml(const std::string &tokens, const std::string &listen = "127.0.0.1:3080") {
  return "database:\n  url: dbname=x\napi:\n  listen: \"" + listen + "\"\n  tokens:\n" + tokens;
}

}  // namespace

TEST(ConfigApiTokens, AreReadWithScopesAndSecretsFromEnvOrFile) {
  using namespace outboxd;
  using namespace outboxd::config_test;
  const std::string file = ::testing::TempDir() + std::to_string(::getpid()) + "_outboxd_config_test_token";
  std::ofstream(file) << "file-token-0123456789abcdef\n";
  const Config c = parse(tokens_yaml("    - name: ci\n      token: literal-token-0123456789\n      scopes: [enqueue]\n"
                                     "    - name: ops\n      token: !env OPS_TOKEN\n      scopes: [read, admin]\n"
                                     "    - name: f\n      token: !file " + file + "\n      scopes: [read]\n",
                                     "0.0.0.0:3080"),
                         fake_env({{"OPS_TOKEN", "env-token-0123456789abcdef"}}));
  ASSERT_EQ(c.api_tokens.size(), 3u);
  EXPECT_EQ(c.api_tokens[0].name, "ci");
  EXPECT_EQ(c.api_tokens[0].token, "literal-token-0123456789");
  EXPECT_EQ(c.api_tokens[0].scopes, (std::vector<std::string>{"enqueue"}));
  EXPECT_EQ(c.api_tokens[1].token, "env-token-0123456789abcdef");
  EXPECT_EQ(c.api_tokens[1].scopes, (std::vector<std::string>{"read", "admin"}));
  EXPECT_EQ(c.api_tokens[2].token, "file-token-0123456789abcdef");
  EXPECT_EQ(c.api_listen, "0.0.0.0:3080");
  // The value shown by check-config and compared on reload never holds a secret.
  const std::string shown = config_value_text(c, "api.tokens");
  EXPECT_EQ(shown, "ci (enqueue), ops (read,admin), f (read)");
}

TEST(ConfigApiTokens, ErrorsNameFileLineAndKey) {
  using namespace outboxd::config_test;
  EXPECT_EQ(error_of(tokens_yaml("    - name: ci\n      token: literal-token-0123456789\n      scopes: [write]\n")),
            "outboxd.yaml:8: api.tokens[0].scopes: unknown scope \"write\" (known: enqueue, read, admin)");
  EXPECT_NE(error_of(tokens_yaml("    - name: ci\n      token: short\n      scopes: [read]\n"))
                .find("outboxd.yaml:7: api.tokens[0].token: too short: a token needs at least 16 characters"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    - name: ci\n      token: literal-token-0123456789\n      scopes: []\n"))
                .find("api.tokens[0].scopes: expected a non-empty list"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    - token: literal-token-0123456789\n      scopes: [read]\n"))
                .find("api.tokens[0].name: required"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    - name: a\n      token: literal-token-0123456789\n      scopes: [read]\n"
                                 "    - name: a\n      token: other-token-0123456789ab\n      scopes: [read]\n"))
                .find("outboxd.yaml:9: api.tokens[1].name: \"a\" is used by another token"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    - name: a\n      token: !env NOPE\n      scopes: [read]\n"))
                .find("api.tokens[0].token: environment variable NOPE is not set"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    - name: a\n      token: literal-token-0123456789\n      scope: [read]\n"))
                .find("api.tokens[0].scope: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(tokens_yaml("    name: a\n")).find("api.tokens: expected a list"), std::string::npos);
}

TEST(ConfigApiTokens, ANonLoopbackListenNeedsAToken) {
  using namespace outboxd::config_test;
  const std::string err = error_of("database:\n  url: dbname=x\napi:\n  listen: 0.0.0.0:3080\n  tokens: []\n");
  EXPECT_NE(err.find("outboxd.yaml:4: api.listen: \"0.0.0.0:3080\" is not a loopback address and api.tokens is empty"),
            std::string::npos)
      << err;
}

// Unit tests for the key table: it agrees with Config's defaults and the rendered reference (the
// shipped file and docs: config_shipped_files_test.cpp).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/config_keys.hpp"
#include "tests/unit/config_test_support.hpp"

namespace outboxd {
namespace {

using config_test::fake_env;

// The table's default as a YAML value: quoted when it is a path or empty.
std::string yaml_value(const ConfigKey &k) {
  if (k.default_text.empty() || k.default_text.find('/') != std::string::npos)
    return nlohmann::json(k.default_text).dump();
  return k.default_text;
}

// A file that writes every key with its table default (and one destination), grouped by section.
std::string file_with_every_default() {
  std::map<std::string, std::string> sections;  // section -> indented lines
  std::string top, dest;
  for (const ConfigKey &k : config_keys()) {
    if (k.path == "database.url") {
      sections["database"] += "  url: \"dbname=x\"\n";
    } else if (k.path.rfind("destinations.*.", 0) == 0) {
      const std::string name = k.path.substr(15);
      dest += "    " + name + ": " + (k.required ? "log" : yaml_value(k)) + "\n";
    } else if (k.path == "destinations") {
      continue;
    } else if (auto dot = k.path.find('.'); dot != std::string::npos) {
      sections[k.path.substr(0, dot)] += "  " + k.path.substr(dot + 1) + ": " + yaml_value(k) + "\n";
    } else {
      top += k.path + ": " + yaml_value(k) + "\n";
    }
  }
  std::string yaml = top;
  for (const auto &[name, body] : sections) yaml += name + ":\n" + body;
  return yaml + "destinations:\n  d:\n" + dest;
}

TEST(ConfigKeys, TableDefaultsMatchTheConfigStruct) {
  const std::string yaml = file_with_every_default();
  const Config parsed = parse_config(yaml, "defaults.yaml", fake_env());
  const Config built_in;
  for (const ConfigKey &k : config_keys()) {
    if (k.path == "database.url" || k.path.rfind("destinations", 0) == 0) continue;
    EXPECT_EQ(config_value_text(parsed, k.path), config_value_text(built_in, k.path)) << k.path;
  }
  const DestinationConfig &d = parsed.destinations.at("d");
  const DestinationConfig built_in_d;
  for (const char *key : {"max_attempts", "timeout_ms", "max_backoff", "on_outcome", "config"})
    EXPECT_EQ(destination_value_text(d, key), destination_value_text(built_in_d, key)) << key;
}

TEST(ConfigKeys, EveryKeyHasTypeHelpAndSaneBounds) {
  for (const ConfigKey &k : config_keys()) {
    EXPECT_FALSE(k.help.empty()) << k.path;
    EXPECT_NE(k.help.back(), '.') << k.path << ": renderers add the full stop";
    if (k.type == KeyType::Int || k.type == KeyType::Duration) {
      EXPECT_LT(k.min, k.max) << k.path;
    }
    if (k.type == KeyType::Enum) {
      EXPECT_GE(k.allowed.size(), 2u) << k.path;
      EXPECT_NE(std::find(k.allowed.begin(), k.allowed.end(), k.default_text), k.allowed.end()) << k.path;
    }
    EXPECT_TRUE(k.required || !k.default_text.empty() || k.path == "destinations.*.on_outcome" ||
                k.path == "destinations.*.rate_limit" || k.path == "api.mail_destination")
        << k.path;
  }
}

TEST(ConfigKeys, RenderedReferenceParsesOnceAUrlIsGiven) {
  const std::string ref = render_config_reference();
  EXPECT_NE(ref.find("workers: 2"), std::string::npos) << ref;
  EXPECT_NE(ref.find("Defaults to 30s. (reload)"), std::string::npos) << ref;
  const Config c = parse_config(ref, "reference.yaml", fake_env({{"OUTBOXD_DATABASE_URL", "dbname=x"}}));
  EXPECT_EQ(c.workers, 2);
  EXPECT_TRUE(c.destinations.empty());
}

TEST(ConfigKeys, KnownKeysUnderASectionFollowTableOrder) {
  EXPECT_EQ(known_keys_under("wakeup"),
            (std::vector<std::string>{"mode", "poll_interval", "busy_poll_interval", "linger", "safety_poll"}));
  const std::vector<std::string> top = known_keys_under("");
  EXPECT_EQ(top.front(), "database");
  EXPECT_NE(std::find(top.begin(), top.end(), "destinations"), top.end());
  EXPECT_EQ(known_keys_under("destinations.*").front(), "plugin");
  EXPECT_TRUE(is_config_section("wakeup"));
  EXPECT_FALSE(is_config_section("workers"));
  EXPECT_FALSE(is_config_section("destinations"));
}

TEST(ConfigKeys, DescribesExpectedValuesForErrors) {
  EXPECT_EQ(describe_expected(*find_config_key("workers")), "an integer from 1 to 256");
  EXPECT_EQ(describe_expected(*find_config_key("log.format")), "one of text, json");
  EXPECT_EQ(find_config_key("nope"), nullptr);
  EXPECT_NE(describe_key(*find_config_key("workers")).find("restart"), std::string::npos);
}

TEST(ConfigKeys, RestartOnlyChangesListsKeysSighupCannotChange) {
  Config running, loaded;
  loaded.workers = 4;             // restart
  loaded.batch_size = 10;         // reload
  loaded.log_format = LogFormat::Json;  // restart
  loaded.log_level = "debug";     // reload
  EXPECT_EQ(restart_only_changes(running, loaded), (std::vector<std::string>{"workers", "log.format"}));
}

TEST(ConfigKeys, EveryKeyIsBoundToItsStorage) {
  for (const ConfigKey &k : config_keys()) {
    const bool top_level = k.path.rfind("destinations.*.", 0) != 0;
    EXPECT_EQ(k.value_text && k.copy_value, top_level) << k.path;
    // api.tokens and destinations are read entry by entry by the loader itself.
    EXPECT_EQ(k.assign != nullptr, top_level && k.type != KeyType::List && k.type != KeyType::Mapping) << k.path;
    // A destination's keys live in DestinationConfig; its `config` subtree is converted to JSON by hand.
    EXPECT_EQ(k.destination_text != nullptr, !top_level) << k.path;
    EXPECT_EQ(k.assign_destination != nullptr, !top_level && k.type != KeyType::Mapping) << k.path;
  }
}

TEST(ConfigKeys, EveryDestinationKeyReadsBackWhatTheFileSays) {
  const Config c = parse_config("database:\n  url: postgresql://x/y\ndestinations:\n  d:\n    plugin: log\n"
                                "    max_attempts: 7\n    timeout_ms: 1234\n    max_backoff: 90s\n"
                                "    on_outcome: SELECT 1\n    config: {a: 1}\n",
                                "d.yaml", fake_env());
  const DestinationConfig &d = c.destinations.at("d");
  EXPECT_EQ(destination_value_text(d, "plugin"), "log");
  EXPECT_EQ(destination_value_text(d, "max_attempts"), "7");
  EXPECT_EQ(destination_value_text(d, "timeout_ms"), "1234");
  EXPECT_EQ(destination_value_text(d, "max_backoff"), "90s");
  EXPECT_EQ(destination_value_text(d, "on_outcome"), "SELECT 1");
  EXPECT_EQ(destination_value_text(d, "config"), "{\"a\":1}");
  EXPECT_EQ(d.on_outcome_line, 9);
  EXPECT_THROW(destination_value_text(d, "no_such_key"), std::invalid_argument);
}

// A config that differs from the built-in defaults in every top-level key. Keep it complete:
// KeepRestartOnlyValuesKeepsEveryKeySighupCannotChange fails for a key it leaves at its default.
Config config_unlike_the_defaults() {
  using namespace std::chrono_literals;
  Config c;
  c.database_url = "dbname=elsewhere";
  c.migrate = false;
  c.dead_connection_timeout = 3s;
  c.statement_timeout = 1s;
  c.pooler = Pooler::Transaction;
  c.workers = 3;
  c.batch_size = 7;
  c.shutdown_grace = 5s;
  c.wakeup_mode = WakeupMode::Poll;
  c.poll_interval = 50ms;
  c.busy_poll_interval = 3ms;
  c.linger = 0ms;
  c.safety_poll = 6s;
  c.retention_delivered = 1h;
  c.retention_finished = 2h;
  c.prune_interval = 2s;
  c.prune_batch = 5;
  c.plugin_dir = "/elsewhere";
  c.log_level = "debug";
  c.log_format = LogFormat::Json;
  c.api_enabled = false;
  c.api_listen = "127.0.0.1:3081";
  c.api_threads = 3;
  c.api_max_body_bytes = 2048;
  c.api_max_connections = 9;
  c.api_idle_timeout = 5s;
  c.api_mail_destination = "mail";
  c.api_metrics_public = true;
  c.api_tokens = {ApiToken{"ops", "0123456789abcdef", {"admin"}}};
  c.destinations["mail"].plugin = "log";
  return c;
}

TEST(ConfigKeys, KeepRestartOnlyValuesKeepsEveryKeySighupCannotChange) {
  const Config running;
  Config loaded = config_unlike_the_defaults();
  std::vector<std::string> restart_only;
  for (const ConfigKey &k : config_keys()) {
    if (k.path.rfind("destinations.*.", 0) == 0) continue;
    ASSERT_NE(config_value_text(loaded, k.path), config_value_text(running, k.path))
        << k.path << ": set it in config_unlike_the_defaults()";
    if (!k.reloadable) restart_only.push_back(k.path);
  }
  EXPECT_EQ(restart_only_changes(running, loaded), restart_only);

  const Config before = loaded;
  keep_restart_only_values(running, loaded);
  for (const ConfigKey &k : config_keys()) {
    if (k.path.rfind("destinations.*.", 0) == 0) continue;
    const Config &expected = k.reloadable ? before : running;
    EXPECT_EQ(config_value_text(loaded, k.path), config_value_text(expected, k.path))
        << k.path << (k.reloadable ? ": a reload applies it" : ": only a restart applies it");
  }
  EXPECT_TRUE(restart_only_changes(running, loaded).empty());
}

TEST(ConfigKeys, ALoadedValueIsStoredWhereItsRowSays) {
  const std::string yaml =
      "database:\n  url: \"dbname=elsewhere\"\n  migrate: false\n  dead_connection_timeout: 3s\n"
      "  statement_timeout: 1s\n  pooler: transaction\n"
      "workers: 3\nbatch_size: 7\nshutdown_grace: 5s\n"
      "wakeup:\n  mode: poll\n  poll_interval: 50ms\n  busy_poll_interval: 3ms\n  linger: 0\n  safety_poll: 6s\n"
      "retention:\n  delivered: 1h\n  finished: 2h\n  prune_interval: 2s\n  prune_batch: 5\n"
      "plugin_dir: /elsewhere\n"
      "log:\n  level: debug\n  format: json\n"
      "api:\n  enabled: false\n  listen: 127.0.0.1:3081\n  threads: 3\n  max_body_bytes: 2048\n"
      "  max_connections: 9\n  idle_timeout: 5s\n  mail_destination: mail\n  metrics_public: true\n"
      "  tokens:\n    - name: ops\n      token: \"0123456789abcdef\"\n      scopes: [admin]\n"
      "destinations:\n  mail:\n    plugin: log\n";
  const Config parsed = parse_config(yaml, "every-key.yaml", fake_env());
  const Config expected = config_unlike_the_defaults();
  for (const ConfigKey &k : config_keys()) {
    if (k.path.rfind("destinations.*.", 0) == 0) continue;
    EXPECT_EQ(config_value_text(parsed, k.path), config_value_text(expected, k.path)) << k.path;
  }
}

TEST(ConfigKeys, FormatsDurationsWithTheLargestExactUnit) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_duration(milliseconds(0)), "0");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(30000)), "30s");
  EXPECT_EQ(format_duration(milliseconds(60000)), "1m");
  EXPECT_EQ(format_duration(std::chrono::hours(168)), "7d");
}

TEST(ConfigKeys, EditDistanceCountsSingleEdits) {
  EXPECT_EQ(edit_distance("wrkers", "workers"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("linger", "linger"), 0u);
}

}  // namespace
}  // namespace outboxd

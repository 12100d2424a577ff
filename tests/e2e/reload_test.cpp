// SIGHUP: the config is re-read; a broken file keeps the old one; restart-only keys are kept.
#include <signal.h>

#include "core/config_keys.hpp"
#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

class Reload : public E2E {};

TEST_F(Reload, SighupAddsADestinationAndDeliversWhatWaitedForIt) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  enqueue("later", "{}");
  enqueue("orders", "{}");
  ASSERT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_EQ(db.count("destination = 'later' AND state = 'pending'"), 1);

  write_config(scripted_destination("orders") + scripted_destination("later"));
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("reload: ")) << daemon->log();
  EXPECT_TRUE(wait_count("state = 'delivered'", 2)) << daemon->log();
  EXPECT_NE(daemon->log().find("applied, 2 destination(s)"), std::string::npos) << daemon->log();
}

TEST_F(Reload, SighupWithABrokenFileKeepsTheRunningConfig) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  write_file(path, "workers: [\n");  // not even YAML
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("still running on the previous config")) << daemon->log();
  enqueue("orders", "{}");
  EXPECT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_TRUE(daemon->running());
}

TEST_F(Reload, SighupWithAPluginThatFailsToInitKeepsTheRunningConfig) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  write_config(scripted_destination("orders") + "  broken:\n    plugin: init_fails\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("still running on the previous config")) << daemon->log();
  EXPECT_NE(daemon->log().find("simulated init failure"), std::string::npos) << daemon->log();
  enqueue("orders", "{}");
  EXPECT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
}

// Every key the table marks restart-only is changed by one reload; each must be named in a warning
// and none may take effect. A new restart-only key fails here until this file changes it too.
TEST_F(Reload, EveryRestartOnlyKeyIsKeptWithAWarning) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  write_config(scripted_destination("orders"),
               "database:\n  migrate: false\n  dead_connection_timeout: 3s\n  statement_timeout: 20s\n"
               "  pooler: transaction\n"
               "workers: 3\n"
               "wakeup:\n  mode: poll\n"
               "log:\n  level: debug\n  format: json\n"
               "api:\n  enabled: false\n  listen: 127.0.0.1:1\n  threads: 3\n  max_body_bytes: 2048\n"
               "  max_connections: 9\n  idle_timeout: 5s\n"
               "  tokens:\n    - name: ops\n      token: \"0123456789abcdef\"\n      scopes: [admin]\n",
               "outboxd.yaml", db.conninfo() + " application_name=reloaded");
  // daemon_config writes plugin_dir itself: the same directory, written differently.
  std::string text = read_file(path);
  const std::string dir_line = "plugin_dir: \"" OUTBOXD_TEST_FIXTURE_PLUGIN_DIR;
  ASSERT_NE(text.find(dir_line), std::string::npos) << text;
  text.replace(text.find(dir_line), dir_line.size(), dir_line + "/.");
  write_file(path, text);

  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("applied")) << daemon->log();
  for (const outboxd::ConfigKey &k : outboxd::config_keys()) {
    if (k.reloadable || k.path.rfind("destinations", 0) == 0) continue;
    EXPECT_NE(daemon->log().find("reload: " + k.path + " changed, but only a restart applies it"), std::string::npos)
        << k.path << ": change it in this test's reloaded file\n" << daemon->log();
  }
  // The running values stayed (text log lines, not json), and delivery goes on.
  EXPECT_EQ(daemon->log().find("{\"time\""), std::string::npos) << daemon->log();
  enqueue("orders", "{}");
  EXPECT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
}

// SIGHUP: the config is re-read; a broken file keeps the old one; restart-only keys are kept.
#include <signal.h>

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

TEST_F(Reload, RestartOnlyKeysKeepTheirRunningValueWithAWarning) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  write_config(scripted_destination("orders"), "workers: 7\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("applied")) << daemon->log();
  EXPECT_NE(daemon->log().find("reload: workers changed, but only a restart applies it"), std::string::npos)
      << daemon->log();
  enqueue("orders", "{}");
  EXPECT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
}

// The outboxd command line as a user meets it: config and plugin errors, migrate, enqueue, stats.
#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

class Cli : public E2E {
 protected:
  std::pair<int, std::string> outboxd(std::vector<std::string> args, const std::string &config) {
    args.push_back("--config");
    args.push_back(config);
    return run_outboxd(args);
  }
  static bool contains(const std::string &text, const std::string &needle) {
    return text.find(needle) != std::string::npos;
  }
};

TEST_F(Cli, VersionNamesThePluginAbi) {
  auto [code, out] = run_outboxd({"--version"});
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(contains(out, "plugin ABI 1")) << out;
}

TEST_F(Cli, UnknownCommandIsAUsageErrorWithExitTwo) {
  auto [code, out] = run_outboxd({"frobnicate"});
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "unknown command 'frobnicate'")) << out;
}

TEST_F(Cli, UnknownConfigKeyExitsTwoNamingFileLineAndKey) {
  auto path = write_config(scripted_destination("orders"), "wrkers: 4\n");
  auto [code, out] = outboxd({"run"}, path);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, path + ":")) << out;
  EXPECT_TRUE(contains(out, "wrkers")) << out;
  EXPECT_TRUE(contains(out, "did you mean 'workers'")) << out;
}

TEST_F(Cli, WrongTypeExitsTwoNamingTheValue) {
  auto path = write_config(scripted_destination("orders"), "batch_size: lots\n");
  auto [code, out] = outboxd({"check-config"}, path);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "batch_size")) << out;
  EXPECT_TRUE(contains(out, "lots")) << out;
}

TEST_F(Cli, MissingConfigFileExitsTwo) {
  auto [code, out] = outboxd({"run"}, dir.file("nope.yaml"));
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "nope.yaml")) << out;
}

TEST_F(Cli, MissingPluginExitsTwoNamingDestinationAndFile) {
  auto path = write_config("  orders:\n    plugin: no_such_plugin\n");
  auto [code, out] = outboxd({"check-config"}, path);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "destination orders")) << out;
  EXPECT_TRUE(contains(out, "no_such_plugin.so")) << out;
  EXPECT_TRUE(contains(out, "not found")) << out;
}

TEST_F(Cli, PluginBuiltForAnotherAbiExitsTwoNamingBothVersions) {
  auto path = write_config("  orders:\n    plugin: bad_abi\n");
  auto [code, out] = outboxd({"run"}, path);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "999")) << out;
  EXPECT_TRUE(contains(out, "ABI 1")) << out;
}

TEST_F(Cli, PluginWithoutEntryOrCallbackExitsTwo) {
  auto [code1, out1] = outboxd({"check-config"}, write_config("  orders:\n    plugin: no_entry\n"));
  EXPECT_EQ(code1, 2);
  EXPECT_TRUE(contains(out1, "outboxd_plugin_entry")) << out1;
  auto [code2, out2] = outboxd({"check-config"}, write_config("  orders:\n    plugin: missing_send\n", "", "b.yaml"));
  EXPECT_EQ(code2, 2);
  EXPECT_TRUE(contains(out2, "send")) << out2;
}

TEST_F(Cli, PluginInitFailureExitsTwoWithThePluginsOwnMessage) {
  auto [code, out] = outboxd({"run"}, write_config("  orders:\n    plugin: init_fails\n"));
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "simulated init failure: key 'x' is bad")) << out;
}

TEST_F(Cli, PluginConfigWithUnknownKeyIsRefusedAtStart) {
  auto [code, out] = outboxd({"check-config"}, write_config("  orders:\n    plugin: scripted\n    config:\n      recrod: x\n"));
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "recrod")) << out;
}

TEST_F(Cli, CheckConfigLoadsEveryPluginAndTouchesNoMessages) {
  enqueue("orders", "{}");
  auto [code, out] = outboxd({"check-config"}, write_config(scripted_destination("orders")));
  EXPECT_EQ(code, 0) << out;
  EXPECT_TRUE(contains(out, "OK, 1 destination(s)")) << out;
  EXPECT_TRUE(contains(out, "orders: plugin scripted")) << out;
  EXPECT_EQ(db.count("state = 'pending' AND attempt = 0"), 1);
}

TEST_F(Cli, BrokenOnOutcomeStatementIsRefusedAtStart) {
  auto path = write_config(scripted_destination("orders", "    on_outcome: \"UPDATE no_such_table SET x = $2\"\n"));
  auto [code, out] = outboxd({"run"}, path);
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "on_outcome")) << out;
  EXPECT_TRUE(contains(out, "no_such_table")) << out;
}

TEST(CliFreshDatabase, MigrateFalseOnAnUnmigratedDatabaseRefusesToStartAndSaysWhatToRun) {
  TestDatabase db(/*migrate=*/false);
  TempDir dir;
  // database.migrate sits inside the database section, so this config is written by hand.
  write_file(dir.file("c.yaml"), "database:\n  url: \"" + db.conninfo() + "\"\n  migrate: false\n"
                                 "plugin_dir: \"" OUTBOXD_TEST_FIXTURE_PLUGIN_DIR "\"\n"
                                 "destinations:\n  orders:\n    plugin: scripted\n");
  auto [code, out] = run_outboxd({"run", "--config", dir.file("c.yaml")});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("outboxd migrate"), std::string::npos) << out;

  auto [mcode, mout] = run_outboxd({"migrate", "--config", dir.file("c.yaml")});
  EXPECT_EQ(mcode, 0) << mout;
  EXPECT_NE(mout.find("applied"), std::string::npos) << mout;
  auto [again, aout] = run_outboxd({"migrate", "--config", dir.file("c.yaml")});
  EXPECT_EQ(again, 0);
  EXPECT_NE(aout.find("up to date"), std::string::npos) << aout;
}

TEST_F(Cli, EnqueuePrintsTheIdAndHonoursTheIdempotencyKey) {
  auto path = write_config(scripted_destination("orders"));
  auto [code, out] = outboxd({"enqueue", "--destination", "orders", "--payload", R"({"a": 1})",
                              "--idempotency-key", "k1", "--headers", R"({"h": "v"})"}, path);
  EXPECT_EQ(code, 0) << out;
  auto id = db.scalar("SELECT id FROM outbox.messages");
  EXPECT_TRUE(contains(out, id)) << out;
  auto [code2, out2] = outboxd({"enqueue", "--destination", "orders", "--payload", "{}", "--idempotency-key", "k1"}, path);
  EXPECT_EQ(code2, 0);
  EXPECT_TRUE(contains(out2, id + " (already enqueued")) << out2;
  EXPECT_EQ(db.count("headers = '{\"h\": \"v\"}'"), 1);
}

TEST_F(Cli, EnqueueRejectsInvalidJsonAndEnqueuesNothing) {
  auto [code, out] = outboxd({"enqueue", "--destination", "orders", "--payload", "{nope"}, write_config(scripted_destination("orders")));
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(contains(out, "--payload: not valid JSON")) << out;
  EXPECT_EQ(db.count(), 0);
}

TEST_F(Cli, StatsCountsPerDestinationAndStateAndFlagsUnconfiguredOnes) {
  enqueue("orders", "{}");
  enqueue("orders", "{}");
  enqueue("nowhere", "{}");
  db.exec("UPDATE outbox.messages SET state = 'dead', finalized_at = now() WHERE seq = 1");
  auto path = write_config(scripted_destination("orders"));
  auto [code, out] = outboxd({"stats"}, path);
  EXPECT_EQ(code, 0) << out;
  EXPECT_TRUE(contains(out, "(destination not configured)")) << out;
  auto [jcode, json_text] = outboxd({"stats", "--json"}, path);
  ASSERT_EQ(jcode, 0);
  auto j = nlohmann::json::parse(json_text);
  ASSERT_EQ(j.size(), 3u) << json_text;
  EXPECT_EQ(j[0]["destination"], "nowhere");
  EXPECT_EQ(j[0]["configured"], false);
  EXPECT_TRUE(j[0].contains("oldest_pending_seconds"));
  EXPECT_EQ(j[1]["state"], "dead");
  EXPECT_EQ(j[2]["count"], 1);
}

TEST_F(Cli, DatabaseUrlFromTheEnvironmentOverridesTheFile) {
  auto path = write_config(scripted_destination("orders"), "", "outboxd.yaml", "host=127.0.0.1 port=1 dbname=wrong");
  setenv("OUTBOXD_DATABASE_URL", db.conninfo().c_str(), 1);
  auto [code, out] = outboxd({"stats"}, path);
  unsetenv("OUTBOXD_DATABASE_URL");
  EXPECT_EQ(code, 0) << out;
}

TEST(CliReference, CheckConfigKeysPrintsEveryKeyWithItsDefaultWithoutAConfigFile) {
  auto [code, out] = run_outboxd({"check-config", "--keys", "--config", "/nonexistent.yaml"});
  EXPECT_EQ(code, 0) << out;
  for (const char *key : {"workers", "batch_size", "linger", "safety_poll", "max_attempts", "on_outcome"})
    EXPECT_NE(out.find(key), std::string::npos) << key << " missing from:\n" << out;
}

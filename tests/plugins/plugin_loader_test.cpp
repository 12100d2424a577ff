// The loader's refusals, each naming the file and the problem, and what PluginInstance promises:
// shutdown after a failed init, host logging with a prefix, status validation, serialised calls.
#include "core/plugin_call.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace outboxd {
namespace {

using test::fixture_path;
using test::plugin_path;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The message of the PluginLoadError `open` throws for `path`, or "" if it did not throw.
std::string open_error(const std::string &path) {
  try {
    LoadedPlugin::open(path);
  } catch (const PluginLoadError &e) {
    return e.what();
  }
  return "";
}

std::string init_error(const std::string &path, const std::string &config) {
  auto plugin = LoadedPlugin::open(path);
  try {
    PluginInstance instance(plugin, "orders", config);
  } catch (const PluginLoadError &e) {
    return e.what();
  }
  return "";
}

TEST(PluginLoader, RefusesMissingFileNamingIt) {
  const std::string path = fixture_path("does_not_exist");
  EXPECT_THAT(open_error(path),
              AllOf(HasSubstr("plugin " + path + ": file not found"), HasSubstr("plugin_dir")));
}

TEST(PluginLoader, LoadPluginNamesPluginDirWhenTheFileIsMissing) {
  try {
    load_plugin("/nonexistent/plugins", "webhook");
    FAIL() << "load_plugin did not throw";
  } catch (const PluginLoadError &e) {
    EXPECT_STREQ(e.what(),
                 "plugin /nonexistent/plugins/webhook.so: file not found "
                 "(plugin_dir is /nonexistent/plugins; set plugin_dir or give a path)");
  }
}

TEST(PluginLoader, RefusesAFileThatIsNotASharedObjectSuggestingLdd) {
  test::TempDir dir;
  const std::string path = dir.file("garbage.so");
  std::ofstream(path) << "not an ELF file\n";
  EXPECT_THAT(open_error(path),
              AllOf(HasSubstr("plugin " + path + ": dlopen failed: "), HasSubstr("ldd " + path)));
}

TEST(PluginLoader, RefusesADirectory) {
  test::TempDir dir;
  std::filesystem::create_directory(dir.file("sub.so"));
  EXPECT_THAT(open_error(dir.file("sub.so")), HasSubstr("not a regular file"));
}

TEST(PluginLoader, RefusesSharedObjectWithoutEntrySymbol) {
  const std::string path = fixture_path("no_entry");
  EXPECT_THAT(open_error(path),
              AllOf(HasSubstr("plugin " + path + ": no outboxd_plugin_entry symbol"),
                    HasSubstr("include/outboxd/plugin.h")));
}

TEST(PluginLoader, RefusesEntryReturningNull) {
  const std::string path = fixture_path("null_entry");
  EXPECT_THAT(open_error(path),
              AllOf(HasSubstr("plugin " + path + ": "), HasSubstr("returned NULL")));
}

TEST(PluginLoader, RefusesOtherAbiVersionNamingBothNumbers) {
  const std::string path = fixture_path("bad_abi");
  EXPECT_EQ(open_error(path), "plugin " + path +
                                  ": ABI version 999 but this outboxd speaks ABI 1 — rebuild the "
                                  "plugin against the installed outboxd/plugin.h");
}

TEST(PluginLoader, RefusesTableSmallerThanAbi1) {
  const std::string path = fixture_path("small_table");
  EXPECT_THAT(open_error(path), AllOf(HasSubstr("plugin " + path + ": plugin table is 8 bytes"),
                                      HasSubstr("rebuild")));
}

TEST(PluginLoader, RefusesMissingCallbackByName) {
  const std::string path = fixture_path("missing_send");
  EXPECT_THAT(open_error(path), HasSubstr("plugin " + path + ": required callback 'send' is NULL"));
}

TEST(PluginLoader, OpensAGoodPluginAndReadsItsTable) {
  auto plugin = LoadedPlugin::open(plugin_path("log"));
  EXPECT_EQ(plugin->name(), "log");
  EXPECT_EQ(plugin->version(), "1.0.0");
  EXPECT_EQ(plugin->path(), plugin_path("log"));
  EXPECT_TRUE(plugin->thread_safe());
}

TEST(PluginLoader, SamePluginOpenedTwiceWorksIndependently) {
  auto first = LoadedPlugin::open(plugin_path("null"));
  auto second = LoadedPlugin::open(plugin_path("null"));
  first.reset();  // dlclose of one owner must not unload the table the other still uses
  PluginInstance instance(second, "bench", "{}");
  EXPECT_EQ(instance.send(test::TestMessage{}.view()).status, OUTBOXD_OK);
}

TEST(ResolvePluginPath, JoinsNameWithPluginDir) {
  EXPECT_EQ(resolve_plugin_path("/usr/lib/outboxd/plugins", "log"),
            "/usr/lib/outboxd/plugins/log.so");
  EXPECT_EQ(resolve_plugin_path("/usr/lib/outboxd/plugins/", "log"),
            "/usr/lib/outboxd/plugins/log.so");
  EXPECT_EQ(resolve_plugin_path("/opt/p", "log.so"), "/opt/p/log.so");
}

TEST(ResolvePluginPath, TakesAnythingWithASlashAsAPath) {
  EXPECT_EQ(resolve_plugin_path("/usr/lib/outboxd/plugins", "/opt/x/mine.so"), "/opt/x/mine.so");
  EXPECT_EQ(resolve_plugin_path("/usr/lib/outboxd/plugins", "./mine.so"), "./mine.so");
}

TEST(ResolvePluginPath, EmptyPluginDirMeansTheBuiltInOne) {
  EXPECT_EQ(resolve_plugin_path("", "log"), std::string(OUTBOXD_PLUGIN_DIR) + "/log.so");
}

TEST(PluginInstance, InitFailureCarriesThePluginsMessageAndDestination) {
  EXPECT_EQ(init_error(fixture_path("init_fails"), "{}"),
            "destination orders: plugin init_fails refused its config: "
            "simulated init failure: key 'x' is bad");
}

TEST(PluginInstance, ShutdownRunsAfterAFailedInitWithTheStateItLeft) {
  test::CapturedPluginLog log;
  (void)init_error(fixture_path("init_fails"), "{}");
  EXPECT_THAT(log.text(),
              HasSubstr("plugin init_fails[orders]: init_fails: shutdown freed the state "
                        "of a failed init"));
}

TEST(PluginInstance, HostLogIsPrefixedWithPluginAndDestination) {
  test::CapturedPluginLog log;
  PluginInstance instance(LoadedPlugin::open(fixture_path("scripted")), "orders-webhook", "{}");
  const auto result = instance.send(
      test::message_with_payload(R"({"behavior":"log","message":"hello there"})").view());
  EXPECT_EQ(result.status, OUTBOXD_OK);
  EXPECT_THAT(log.text(), HasSubstr("info plugin scripted[orders-webhook]: hello there"));
}

TEST(PluginInstance, InvalidStatusBecomesRetryWithExplanation) {
  PluginInstance instance(LoadedPlugin::open(fixture_path("scripted")), "orders", "{}");
  const auto result =
      instance.send(test::message_with_payload(R"({"behavior":"invalid_status"})").view());
  EXPECT_EQ(result.status, OUTBOXD_RETRY);
  EXPECT_EQ(result.error, "plugin returned invalid status 7");
  EXPECT_EQ(result.retry_after_ms, -1);
}

// A plugin built before validate() was appended: the host reads no member its struct_size does not
// cover (the fixture keeps a function there that aborts), and lets every message through.
TEST(PluginInstance, ATableThatEndsBeforeValidateIsNeverAskedToValidate) {
  auto plugin = LoadedPlugin::open(fixture_path("pre_validate"));
  EXPECT_FALSE(plugin->has_validate());
  PluginInstance instance(plugin, "old", "{}");
  EXPECT_EQ(instance.validate(R"({"anything": 1})", "{}"), std::nullopt);
  EXPECT_EQ(instance.send(test::TestMessage{}.view()).status, OUTBOXD_OK);
}

TEST(PluginInstance, APluginWithoutValidateLetsEveryMessageThrough) {
  PluginInstance instance(LoadedPlugin::open(plugin_path("null")), "bench", "{}");
  EXPECT_FALSE(instance.plugin().has_validate());
  EXPECT_EQ(instance.validate("not even JSON", "{}"), std::nullopt);
}

TEST(PluginInstance, ValidateReturnsThePluginsLineAndSendAgrees) {
  PluginInstance instance(LoadedPlugin::open(fixture_path("scripted")), "orders", "{}");
  EXPECT_TRUE(instance.plugin().has_validate());
  EXPECT_EQ(instance.validate(R"({"behavior": "ok"})", "{}"), std::nullopt);
  const std::string line = "payload.behavior: 'unsendable' can never be sent (scripted)";
  EXPECT_EQ(instance.validate(R"({"behavior": "unsendable"})", "{}"), line);
  // A message enqueued through SQL was never validated: send() refuses it with the same line.
  const SendResult r = instance.send(test::message_with_payload(R"({"behavior":"unsendable"})").view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, line);
}

// Runs 8 threads × 4 sends through one instance and returns the plugin's reported peak overlap.
std::string overlap_report(const std::string &fixture) {
  test::CapturedPluginLog log;
  {
    PluginInstance instance(LoadedPlugin::open(fixture_path(fixture)), "serial", "{}");
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 4; ++i) instance.send(test::TestMessage{}.view());
      });
    for (auto &thread : threads) thread.join();
  }  // shutdown logs the peak
  return log.text();
}

TEST(PluginInstance, NeverCallsANonThreadSafePluginConcurrently) {
  const std::string report = overlap_report("serial");
  EXPECT_THAT(report, HasSubstr("max_in_flight=1"));
}

// The control for the test above: the same fixture flagged THREAD_SAFE does see overlap, so
// "max_in_flight=1" above is the host's doing, not a measurement that cannot see anything.
TEST(PluginInstance, CallsAThreadSafePluginConcurrently) {
  const std::string report = overlap_report("concurrent");
  EXPECT_THAT(report, HasSubstr("max_in_flight="));
  EXPECT_THAT(report, Not(HasSubstr("max_in_flight=1\n")));
}

}  // namespace
}  // namespace outboxd

// What every plugin must do, checked through the C ABI over every plugin built in plugins/ (and the
// scripted fixture), each against its real peer (docs/plugins.md, "Conformance"): a well-formed
// table, bad config refused by name, shutdown after a failed init survived, messages delivered and
// seen by the peer (one at a time, in a batch, from several threads, after another instance's
// shutdown), and an unreachable peer reported as a retry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/plugin_loader.hpp"
#include "tests/plugins/conformance_peers.hpp"
#include "tests/plugins/plugin_test_support.hpp"
#include "tests/support/source_paths.hpp"
#include "tests/support/wait.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct PluginUnderTest {
  std::string name;
  std::string path;
  std::string payload;  // a payload the plugin delivers (smtp needs an envelope)
  std::function<std::unique_ptr<test::ConformancePeer>()> start_peer;
};

void PrintTo(const PluginUnderTest &p, std::ostream *os) { *os << p.name; }

// The suite's list. Every plugin built in plugins/ must be here (EveryBuiltPluginIsListed).
std::vector<PluginUnderTest> plugins_under_test() {
  const std::string plain = R"({"hello":"world"})";
  return {
      {"log", test::plugin_path("log"), plain, [] { return test::start_file("path"); }},
      {"null", test::plugin_path("null"), plain, test::start_nothing},
      {"example", test::plugin_path("example"), plain, [] { return test::start_file("path"); }},
      {"webhook", test::plugin_path("webhook"), plain, test::start_webhook_receiver},
      {"smtp", test::plugin_path("smtp"), R"({"from":"a@example.com","to":"b@example.org","subject":"s","text":"t"})",
       test::start_smtp_server},
      {"asynq", test::plugin_path("asynq"), plain, test::start_redis_server},
      {"scripted", test::fixture_path("scripted"), plain, [] { return test::start_file("record"); }},
  };
}

// Each message gets its own id: asynq keys tasks by it, so a repeated id would be one delivery.
test::TestMessage message(const std::string &payload, int n) {
  test::TestMessage m = test::message_with_payload(payload);
  char id[64];
  std::snprintf(id, sizeof id, "0190a0b0-0000-7000-8000-%012d", n);
  m.id = id;
  m.destination = "conformance";
  return m;
}

class PluginConformance : public ::testing::TestWithParam<PluginUnderTest> {
 protected:
  std::shared_ptr<LoadedPlugin> open() { return LoadedPlugin::open(GetParam().path); }

  // Started on first use: the tests that never reach a peer do not pay for one.
  test::ConformancePeer &peer() {
    if (!peer_) peer_ = GetParam().start_peer();
    return *peer_;
  }
  std::string good_config() { return peer().config().dump(); }
  std::unique_ptr<PluginInstance> instance(std::shared_ptr<LoadedPlugin> plugin = nullptr) {
    return std::make_unique<PluginInstance>(plugin ? plugin : open(), "conformance", good_config());
  }

  std::string init_error(const std::string &config) {
    try {
      PluginInstance instance(open(), "conformance", config);
    } catch (const PluginLoadError &e) {
      return e.what();
    }
    return "";
  }

  // Waits until the peer has `n` messages, then says that it has exactly `n`. A plugin without a
  // peer (null) passes.
  void expect_delivered(std::size_t n) {
    if (!peer().delivered()) return;
    wait_until_delivered(n);
    EXPECT_EQ(peer().delivered(), n) << "the peer got more than was sent";
  }
  void wait_until_delivered(std::size_t n) {
    EXPECT_TRUE(test::wait_until([&] { return *peer().delivered() >= n; }, std::chrono::seconds(10)))
        << "the plugin said OK, but its peer has " << *peer().delivered() << " of " << n << " messages";
  }

 private:
  std::unique_ptr<test::ConformancePeer> peer_;
};

TEST_P(PluginConformance, ExportsAWellFormedTable) {
  auto plugin = open();
  EXPECT_EQ(plugin->table().abi_version, OUTBOXD_PLUGIN_ABI_VERSION);
  EXPECT_EQ(plugin->name(), GetParam().name);
  EXPECT_FALSE(plugin->version().empty());
}

TEST_P(PluginConformance, AcceptsItsSmallestConfigAndTheMessageReachesThePeer) {
  auto p = instance();
  const auto result = p->send(message(GetParam().payload, 1).view());
  EXPECT_EQ(result.status, OUTBOXD_OK) << result.error;
  expect_delivered(1);
}

// validate() may refuse only what send() can never deliver: the message above passes, however it
// is spaced.
TEST_P(PluginConformance, ValidatePassesAMessageSendDelivers) {
  auto p = instance();
  const std::string respaced = nlohmann::json::parse(GetParam().payload).dump(2);
  EXPECT_EQ(p->validate(GetParam().payload, "{}"), std::nullopt);
  EXPECT_EQ(p->validate(" " + respaced + " ", R"({"x-any": 1})"), std::nullopt) << "spacing is not a reason";
}

TEST_P(PluginConformance, DeliversEveryMessageOfABatch) {
  auto p = instance();
  std::vector<test::TestMessage> messages;
  for (int i = 0; i < 3; ++i) messages.push_back(message(GetParam().payload, i));
  std::vector<outboxd_message> views;
  for (const auto &m : messages) views.push_back(m.view());
  const auto results = p->send_batch(views);
  ASSERT_EQ(results.size(), 3u);
  for (const auto &r : results) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  expect_delivered(3);
}

// The daemon's workers share one instance; the loader serialises a plugin that is not thread-safe.
TEST_P(PluginConformance, DeliversFromSeveralThreadsAtOnce) {
  auto p = instance();
  constexpr int threads = 4, each = 5;
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i)
        ok += p->send(message(GetParam().payload, t * each + i).view()).status == OUTBOXD_OK;
    });
  for (auto &w : workers) w.join();
  EXPECT_EQ(ok.load(), threads * each);
  expect_delivered(threads * each);
}

// Several destinations share a plugin: one's shutdown must not break another's library state (a
// process-wide init undone by the first shutdown, say), and a new instance must work after it.
TEST_P(PluginConformance, AnInstanceKeepsWorkingAfterAnotherOnesShutdown) {
  auto plugin = open();
  auto first = instance(plugin);
  auto second = instance(plugin);
  EXPECT_EQ(first->send(message(GetParam().payload, 1).view()).status, OUTBOXD_OK);
  first.reset();
  const auto r = second->send(message(GetParam().payload, 2).view());
  EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  second.reset();
  const auto again = instance(plugin)->send(message(GetParam().payload, 3).view());
  EXPECT_EQ(again.status, OUTBOXD_OK) << again.error;
  expect_delivered(3);
}

// A peer that is down may come back: the message must stay in the outbox (RETRY, with a reason),
// neither dropped as delivered nor killed as PERMANENT.
TEST_P(PluginConformance, AnUnreachablePeerIsARetryWithAReason) {
  auto p = instance();
  if (!peer().take_down()) GTEST_SKIP() << GetParam().name << " has no peer that can go away";
  const auto r = p->send(message(GetParam().payload, 1).view());
  EXPECT_EQ(r.status, OUTBOXD_RETRY) << r.error;
  EXPECT_NE(r.error, "");
}

TEST_P(PluginConformance, RejectsUnknownConfigKey) {
  auto config = peer().config();
  config["no_such_key"] = 1;
  const std::string prefix = "destination conformance: plugin " + GetParam().name + " refused its config: ";
  EXPECT_THAT(init_error(config.dump()), AllOf(StartsWith(prefix), HasSubstr("unknown key 'no_such_key'")));
}

TEST_P(PluginConformance, RejectsConfigThatIsNotAnObject) {
  EXPECT_THAT(init_error("[1, 2]"), HasSubstr("must be a JSON object"));
}

TEST_P(PluginConformance, RejectsConfigThatIsNotJson) {
  EXPECT_THAT(init_error("{not json"), HasSubstr("not valid JSON"));
}

// A failed init() is followed by shutdown() with whatever state it left; repeating it many times
// would crash or trip the sanitizers if a plugin mishandled that.
TEST_P(PluginConformance, ShutdownAfterFailedInitIsSafe) {
  for (int i = 0; i < 20; ++i) EXPECT_NE(init_error(R"({"no_such_key": 1})"), "");
}

// The template plugin shows validate(): one rule, refused before enqueueing and by send() alike.
TEST(ExamplePlugin, RefusesANullPayloadInValidateAndInSend) {
  PluginInstance instance(LoadedPlugin::open(test::plugin_path("example")), "audit", R"({"path":"/dev/null"})");
  const std::string line = "payload: is null; this plugin writes only payloads with content";
  EXPECT_EQ(instance.validate(" null ", "{}"), line);
  const SendResult r = instance.send(test::message_with_payload("null").view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, line);
}

INSTANTIATE_TEST_SUITE_P(Builtin, PluginConformance, ::testing::ValuesIn(plugins_under_test()),
                         [](const ::testing::TestParamInfo<PluginUnderTest> &param_info) { return param_info.param.name; });

// A new plugin cannot ship without passing the suite: every directory of plugins/ but common/, and
// every plugin file the build made, must have its line in plugins_under_test() above.
TEST(PluginConformanceList, EveryBuiltPluginIsListed) {
  std::set<std::string> listed;
  for (const auto &p : plugins_under_test()) listed.insert(p.name);
  const auto missing = [&](const std::string &name, const std::string &where) {
    ADD_FAILURE() << "plugin '" << name << "' (" << where << ") is not in the conformance suite: add a "
                  << "PluginUnderTest line for it, with its real peer, to plugins_under_test() in "
                  << "tests/plugins/plugin_conformance_test.cpp (docs/hacking.md, \"A plugin\")";
  };
  for (const auto &entry : std::filesystem::directory_iterator(test::source_path("plugins"))) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != "common" && listed.count(name) == 0) missing(name, "plugins/" + name);
  }
  for (const auto &entry : std::filesystem::directory_iterator(OUTBOXD_TEST_PLUGIN_DIR)) {
    if (entry.path().extension() != ".so") continue;
    const std::string name = entry.path().stem().string();
    if (listed.count(name) == 0) missing(name, "built as " + entry.path().string());
  }
}

}  // namespace
}  // namespace outboxd

// The scripted fixture plugin: each payload behaviour maps to the SendResult the other suites rely
// on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/plugin_call.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;

class ScriptedPlugin : public ::testing::Test {
 protected:
  SendResult send(const std::string &payload, int32_t attempt = 1, int32_t timeout_ms = 5000) {
    auto msg = test::message_with_payload(payload, attempt);
    msg.timeout_ms = timeout_ms;
    return instance_.send(msg.view());
  }
  PluginInstance instance_{LoadedPlugin::open(test::fixture_path("scripted")), "scripted-dest",
                           "{}"};
};

TEST_F(ScriptedPlugin, OkIsOk) {
  const auto r = send(R"({"behavior":"ok"})");
  EXPECT_EQ(r.status, OUTBOXD_OK);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.retry_after_ms, -1);
}

TEST_F(ScriptedPlugin, RetryWithoutDelayLeavesItToTheDaemon) {
  const auto r = send(R"({"behavior":"retry"})");
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_EQ(r.error, "scripted retry");
  EXPECT_EQ(r.retry_after_ms, -1);
}

TEST_F(ScriptedPlugin, RetryCarriesRetryAfter) {
  const auto r = send(R"({"behavior":"retry","retry_after_ms":1500})");
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_EQ(r.retry_after_ms, 1500);
}

TEST_F(ScriptedPlugin, PermanentIsPermanent) {
  const auto r = send(R"({"behavior":"permanent"})");
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, "scripted permanent failure");
  EXPECT_EQ(r.retry_after_ms, -1);
}

TEST_F(ScriptedPlugin, HangStopsAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = send(R"({"behavior":"hang","ms":60000})", 1, 100);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_EQ(r.error, "timed out after 100 ms");
  EXPECT_GE(elapsed, std::chrono::milliseconds(100));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(ScriptedPlugin, FailUntilRetriesUntilTheAttempt) {
  const std::string payload = R"({"behavior":"fail_until","attempt":3})";
  EXPECT_EQ(send(payload, 1).status, OUTBOXD_RETRY);
  EXPECT_EQ(send(payload, 2).status, OUTBOXD_RETRY);
  EXPECT_EQ(send(payload, 3).status, OUTBOXD_OK);
  EXPECT_EQ(send(payload, 4).status, OUTBOXD_OK);
}

TEST_F(ScriptedPlugin, AnythingElseIsOk) {
  EXPECT_EQ(send(R"({"behavior":"dance"})").status, OUTBOXD_OK);
  EXPECT_EQ(send(R"({"order":1})").status, OUTBOXD_OK);
  EXPECT_EQ(send("[1,2]").status, OUTBOXD_OK);
  EXPECT_EQ(send("not json").status, OUTBOXD_OK);
}

TEST(ScriptedPluginRecord, AppendsOneLinePerCallWithTheOutcome) {
  test::TempDir dir;
  const std::string record = dir.file("calls.jsonl");
  {
    PluginInstance instance(LoadedPlugin::open(test::fixture_path("scripted")), "orders",
                            nlohmann::json{{"record", record}}.dump());
    auto msg = test::message_with_payload(R"({"behavior":"fail_until","attempt":2})", 1);
    msg.id = "id-1";
    msg.destination = "orders";
    instance.send(msg.view());
    msg.attempt = 2;
    instance.send(msg.view());
  }
  const auto lines = test::read_lines(record);
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["id"], "id-1");
  EXPECT_EQ(first["destination"], "orders");
  EXPECT_EQ(first["attempt"], 1);
  EXPECT_EQ(first["payload"]["behavior"], "fail_until");
  EXPECT_EQ(first["outcome"], "retry");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["outcome"], "ok");
}

TEST(ScriptedPluginRecord, RefusesUnknownKeys) {
  EXPECT_THAT(
      [] {
        PluginInstance(LoadedPlugin::open(test::fixture_path("scripted")), "d",
                       R"({"recrod":"/tmp/x"})");
      },
      testing::ThrowsMessage<PluginLoadError>(HasSubstr("unknown key 'recrod' (known: record)")));
}

}  // namespace
}  // namespace outboxd

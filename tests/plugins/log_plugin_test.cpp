// The log plugin: one JSON line per message, appended to its file, with headers and payload as
// stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/plugin_call.hpp"
#include "tests/plugins/plugin_test_support.hpp"
#include "tests/support/wait.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<PluginInstance> log_instance(const std::string &config) {
  return std::make_unique<PluginInstance>(LoadedPlugin::open(test::plugin_path("log")), "demo",
                                          config);
}

std::string path_config(const std::string &path) { return nlohmann::json{{"path", path}}.dump(); }

TEST(LogPlugin, WritesOneJsonLinePerMessageWithPayloadAsStored) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));

  test::TestMessage msg;
  msg.id = "0190a0b0-0000-7000-8000-00000000abcd";
  msg.destination = "demo";
  msg.attempt = 3;
  msg.headers = R"({"x-trace":"t1"})";
  msg.payload = R"({"order_id": 42, "items": [1, 2]})";
  const auto result = instance->send(msg.view());
  EXPECT_EQ(result.status, OUTBOXD_OK);
  EXPECT_EQ(result.error, "");

  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            R"({"id":"0190a0b0-0000-7000-8000-00000000abcd","destination":"demo","attempt":3,)"
            R"("headers":{"x-trace":"t1"},"payload":{"order_id": 42, "items": [1, 2]}})");
}

TEST(LogPlugin, AppendsToAnExistingFile) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  std::ofstream(file) << "earlier line\n";
  auto instance = log_instance(path_config(file));
  instance->send(test::message_with_payload("[1]").view());
  instance->send(test::message_with_payload("[2]").view());
  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "earlier line");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["payload"], nlohmann::json::parse("[2]"));
}

TEST(LogPlugin, KeepsEachRecordOnOneLineEvenForMultiLinePayloads) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));
  instance->send(test::message_with_payload("{\n  \"a\": \"x\\ny\"\n}").view());
  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["payload"]["a"], "x\ny");
}

TEST(LogPlugin, WritesNumbersBeyondADoubleAsNumbersVerbatim) {
  // PostgreSQL hands 1e400 over as a 1 and 400 zeros; it used to be logged as a quoted string.
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));
  const std::string n = "1" + std::string(400, '0');
  test::TestMessage msg = test::message_with_payload("{\"n\": " + n + ", \"m\": [-" + n + "]}");
  msg.headers = "{\"h\":\n" + n + "}";
  instance->send(msg.view());
  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"payload\":{\"n\": " + n + ", \"m\": [-" + n + "]}"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"headers\":{\"h\": " + n + "}"), std::string::npos) << lines[0];
}

TEST(LogPlugin, QuotesAPayloadThatIsNotJsonSoTheLineStillParses) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));
  instance->send(test::message_with_payload("not json \"at all\"").view());
  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["payload"], "not json \"at all\"");
}

TEST(LogPlugin, ConcurrentSendsProduceWholeLines) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));
  ASSERT_TRUE(instance->plugin().thread_safe());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        instance->send(
            test::message_with_payload(
                nlohmann::json{{"t", t}, {"i", i}, {"pad", std::string(200, 'x')}}.dump())
                .view());
    });
  for (auto &thread : threads) thread.join();
  const auto lines = test::read_lines(file);
  ASSERT_EQ(lines.size(), 200u);
  for (const auto &line : lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
}

TEST(LogPlugin, WritesToStdoutWithoutAPath) {
  testing::internal::CaptureStdout();
  {
    auto instance = log_instance("{}");
    instance->send(test::message_with_payload(R"({"k":1})").view());
  }
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr(R"("payload":{"k":1}})"
                             "\n"));
}

TEST(LogPlugin, RefusesUnknownKeyListingTheKnownOnes) {
  try {
    log_instance(R"({"path":"-","colour":"red"})");
    FAIL() << "init accepted an unknown key";
  } catch (const PluginLoadError &e) {
    EXPECT_STREQ(e.what(),
                 "destination demo: plugin log refused its config: "
                 "unknown key 'colour' (known: path)");
  }
}

TEST(LogPlugin, RefusesPathOfTheWrongType) {
  EXPECT_THAT([] { log_instance(R"({"path":42})"); },
              testing::ThrowsMessage<PluginLoadError>(HasSubstr("path: must be a string")));
}

TEST(LogPlugin, RefusesAFileItCannotCreate) {
  EXPECT_THAT([] { log_instance(R"({"path":"/nonexistent-dir/x.jsonl"})"); },
              testing::ThrowsMessage<PluginLoadError>(HasSubstr(
                  "path: cannot create '/nonexistent-dir/x.jsonl': directory '/nonexistent-dir': No such file")));
}

TEST(LogPlugin, InitCreatesNothingAndTheFirstWriteCreatesTheFileUnreadableToOthers) {
  // `outboxd check-config` inits every plugin: a check must leave no file behind.
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl");
  auto instance = log_instance(path_config(file));
  struct stat st {};
  EXPECT_NE(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(instance->send(test::message_with_payload("[1]").view()).status, OUTBOXD_OK);
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(test::read_lines(file).size(), 1u);
}

TEST(LogPlugin, WritesToANewFileOnceTheOldOneWasRotatedAway) {
  test::TempDir dir;
  const std::string file = dir.file("out.jsonl"), rotated = dir.file("out.jsonl.1");
  auto instance = log_instance(path_config(file));
  ASSERT_EQ(instance->send(test::message_with_payload("[0]").view()).status, OUTBOXD_OK);
  ASSERT_EQ(std::rename(file.c_str(), rotated.c_str()), 0);  // what logrotate does first
  int sent = 1;
  const bool reopened = test::wait_until(
      [&] {
        EXPECT_EQ(instance->send(test::message_with_payload("[" + std::to_string(sent++) + "]").view()).status,
                  OUTBOXD_OK);
        return !test::read_lines(file).empty();
      },
      std::chrono::seconds(10));
  ASSERT_TRUE(reopened);
  // Every line is in one of the two files, none twice.
  EXPECT_EQ(test::read_lines(rotated).size() + test::read_lines(file).size(), static_cast<std::size_t>(sent));
}

}  // namespace
}  // namespace outboxd

// From an outbox message to the Redis script call: keys, pending or scheduled, the encoded task,
// and the permanent failures that say why a message cannot become a task.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "task_builder.hpp"
#include "tests/asynq/proto_reader.hpp"
#include "tests/plugins/plugin_test_support.hpp"

using namespace outboxd::asynq;
using outboxd::test::read_proto;
using outboxd::test::TestMessage;
using ::testing::HasSubstr;

namespace {

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

AsynqConfig config(const std::string &json = R"({"task_type": "email:deliver"})") {
  AsynqConfig c;
  std::string error;
  EXPECT_TRUE(parse_config(json.c_str(), c, error)) << error;
  return c;
}

TestMessage message(const std::string &payload = R"({"ID":42})", const std::string &headers = "{}") {
  TestMessage m;
  m.id = "5f0c2a8e-3b1d-4c7e-9a6f-2d8b1e0c4f37";
  m.payload = payload;
  m.headers = headers;
  return m;
}

}  // namespace

TEST(TaskBuilder, ADueMessageIsEnqueuedOnThePendingListAsTheGoDemoDid) {
  const auto m = message();
  const auto r = build_call(config(), m.view(), kNow);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.call.script == Script::Enqueue);
  EXPECT_EQ(r.call.keys, (std::vector<std::string>{"asynq:{default}:t:" + m.id, "asynq:{default}:pending"}));
  ASSERT_EQ(r.call.args.size(), 3u);
  EXPECT_EQ(r.call.args[0], outboxd::test::from_hex(
                                "0a0d656d61696c3a64656c6976657212097b224944223a34327d1a2435663063326138652d33623164"
                                "2d346337652d396136662d326438623165306334663337220764656661756c74281940880e6080a305"))
      << "the same 82 bytes as asynq's client with TaskID and Retention(24h)";
  EXPECT_EQ(r.call.args[1], m.id);
  EXPECT_EQ(r.call.args[2], std::to_string(kNow * 1000000)) << "pending_since in Unix nanoseconds";
}

TEST(TaskBuilder, AFutureMessageGoesToTheScheduledSetScoredInSeconds) {
  auto m = message();
  m.available_at_ms = kNow + 90500;
  const auto r = build_call(config(), m.view(), kNow);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.call.script == Script::Schedule);
  EXPECT_EQ(r.call.keys[1], "asynq:{default}:scheduled");
  EXPECT_EQ(r.call.args[1], std::to_string((kNow + 90500) / 1000));
  EXPECT_EQ(r.call.args[2], m.id);
  m.available_at_ms = kNow;
  EXPECT_TRUE(build_call(config(), m.view(), kNow).call.script == Script::Enqueue) << "due now: pending";
}

TEST(TaskBuilder, QueueRetryTimeoutDeadlineAndRetentionComeFromTheConfig) {
  auto m = message();
  m.available_at_ms = kNow + 60000;
  const auto r = build_call(
      config(R"({"task_type": "t", "queue": "critical", "max_retry": 3, "deadline": "1h", "retention": "0s"})"),
      m.view(), kNow);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.call.keys[0], "asynq:{critical}:t:" + m.id);
  const auto f = read_proto(r.call.args[0]);
  EXPECT_EQ(f.text(4), "critical");
  EXPECT_EQ(f.number(5), 3u);
  EXPECT_EQ(f.number(8), 0u) << "a deadline without a timeout: no timeout, as the Go client";
  EXPECT_EQ(f.number(9), static_cast<uint64_t>((kNow + 60000) / 1000 + 3600)) << "deadline counts from the due time";
  EXPECT_EQ(f.number(12), 0u);
}

TEST(TaskBuilder, TheTaskTypeHeaderWinsOverTheConfiguredType) {
  const auto c = config(R"({"task_type": "fallback", "task_type_header": "task"})");
  auto r = build_call(c, message("{}", R"({"task": "invoice:send"})").view(), kNow);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(read_proto(r.call.args[0]).text(1), "invoice:send");
  r = build_call(c, message("{}", R"({"other": 1})").view(), kNow);
  EXPECT_EQ(read_proto(r.call.args[0]).text(1), "fallback");
}

TEST(TaskBuilder, AMessageWithoutATaskTypeIsRefusedSayingWhy) {
  const auto c = config(R"({"task_type_header": "task"})");
  auto r = build_call(c, message("{}", "{}").view(), kNow);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.not_due_ms, 0);
  EXPECT_THAT(r.error, HasSubstr("no task type: the message has no 'task' header"));
  EXPECT_THAT(build_call(c, message("{}", R"({"task": 7})").view(), kNow).error,
              HasSubstr("header 'task' must be a string"));
  EXPECT_THAT(build_call(c, message("{}", R"({"task": " "})").view(), kNow).error, HasSubstr("empty or blank"));
  EXPECT_THAT(build_call(c, message("{}", "[]").view(), kNow).error, HasSubstr("headers are not a JSON object"));
}

// validate()'s answer: the refusals above, without an id yet and named by the header.
TEST(TaskBuilder, TaskRefusalNamesTheHeaderAndNeedsNoId) {
  const auto c = config(R"({"task_type_header": "task"})");
  auto m = message("{}", "{}");
  m.id = "";
  EXPECT_EQ(task_refusal(c, m.view()),
            "headers.task: no task type: the message has no 'task' header and the destination sets no task_type");
  m.headers = R"({"task": 7})";
  EXPECT_EQ(task_refusal(c, m.view()), "headers.task: header 'task' must be a string naming the task type, got number");
  m.headers = R"({"task": "email:welcome"})";
  EXPECT_EQ(task_refusal(c, m.view()), "");
  EXPECT_EQ(task_refusal(config(), message().view()), "");
  // Mode stream holds a message that is not due yet; that is not a refusal.
  auto later = message();
  later.available_at_ms = kNow + 60000;
  EXPECT_EQ(task_refusal(config(R"({"mode": "stream"})"), later.view()), "");
}

TEST(TaskBuilder, HeadersAreForwardedOnlyWhenAskedFor) {
  const auto m = message("{}", R"({"trace": "abc", "n": 5})");
  EXPECT_EQ(read_proto(build_call(config(), m.view(), kNow).call.args[0]).bytes.count(15), 0u);
  const auto f = read_proto(build_call(config(R"({"task_type": "t", "forward_headers": true})"), m.view(), kNow)
                                .call.args[0]);
  ASSERT_EQ(f.bytes.at(15).size(), 2u);
  EXPECT_EQ(f.bytes.at(15)[0], std::string("\x0a\x01n\x12\x01" "5", 6)) << "non-string values as JSON text";
  EXPECT_EQ(f.bytes.at(15)[1], std::string("\x0a\x05trace\x12\x03" "abc", 12));
}

TEST(TaskBuilder, HeaderNumbersBeyondADoubleAreForwardedWithEveryDigit) {
  // PostgreSQL hands 1e400 over as a 1 and 400 zeros; the headers used to be "not a JSON object".
  const std::string n = "1" + std::string(400, '0');
  const auto m = message("{\"p\": " + n + "}", "{\"task\": \"t:x\", \"n\": " + n + "}");
  const auto r = build_call(config(R"({"task_type_header": "task", "forward_headers": true})"), m.view(), kNow);
  ASSERT_EQ(r.error, "");
  const auto f = read_proto(r.call.args[0]);
  ASSERT_EQ(f.bytes.at(15).size(), 2u);
  EXPECT_EQ(f.bytes.at(15)[0], std::string("\x0a\x01n\x12\x91\x03", 6) + n) << "the number as written";
}

TEST(TaskBuilder, StreamModeCarriesIdDestinationHeadersAndPayload) {
  auto m = message(R"({"a":1})", R"({"h":"v"})");
  m.destination = "events";
  const auto r = build_call(config(R"({"mode": "stream"})"), m.view(), kNow);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.call.script == Script::Stream);
  EXPECT_EQ(r.call.keys, (std::vector<std::string>{"outboxd:events", "outboxd:events:dedup:" + m.id}));
  EXPECT_EQ(r.call.args, (std::vector<std::string>{"86400", "0", m.id, "events", R"({"h":"v"})", R"({"a":1})"}));
}

TEST(TaskBuilder, StreamModeHoldsAFutureMessageUntilItIsDue) {
  auto m = message();
  m.available_at_ms = kNow + 5000;
  const auto r = build_call(config(R"({"mode": "stream"})"), m.view(), kNow);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.not_due_ms, 5000);
}

// The asynq plugin's config: defaults, every key, and a named error for each bad value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "asynq_config.hpp"

using namespace outboxd::asynq;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

std::string error_of(const std::string &json) {
  AsynqConfig c;
  std::string error;
  EXPECT_FALSE(parse_config(json.c_str(), c, error)) << json;
  return error;
}

AsynqConfig parsed(const std::string &json) {
  AsynqConfig c;
  std::string error;
  EXPECT_TRUE(parse_config(json.c_str(), c, error)) << error;
  return c;
}

}  // namespace

TEST(AsynqConfig, DefaultsMatchTheGoClientAndTheDemo) {
  const auto c = parsed(R"({"task_type": "email:deliver"})");
  EXPECT_EQ(c.address_text(), "127.0.0.1:6379");
  EXPECT_EQ(c.db, 0);
  EXPECT_EQ(c.queue, "default");
  EXPECT_EQ(c.max_retry, 25);
  EXPECT_EQ(c.timeout_s, 1800);
  EXPECT_EQ(c.deadline_s, 0);
  EXPECT_EQ(c.retention_s, 86400);
  EXPECT_EQ(c.connect_timeout_ms, 1000);
  EXPECT_EQ(c.command_timeout_ms, 5000);
  EXPECT_TRUE(c.pipeline);
  EXPECT_FALSE(c.forward_headers);
  EXPECT_TRUE(c.mode == Mode::Asynq);
}

TEST(AsynqConfig, EveryKeyIsRead) {
  const auto c = parsed(R"({"address": "redis.internal:6380", "db": 3, "username": "u", "password": "p",
    "connect_timeout": "250ms", "command_timeout": "2s", "pipeline": false, "task_type_header": "type",
    "queue": "critical", "max_retry": 5, "timeout": "10m", "deadline": "1h", "retention": "7d",
    "forward_headers": true})");
  EXPECT_EQ(c.host, "redis.internal");
  EXPECT_EQ(c.port, 6380);
  EXPECT_EQ(c.db, 3);
  EXPECT_EQ(c.username, "u");
  EXPECT_EQ(c.password, "p");
  EXPECT_EQ(c.connect_timeout_ms, 250);
  EXPECT_EQ(c.command_timeout_ms, 2000);
  EXPECT_FALSE(c.pipeline);
  EXPECT_EQ(c.task_type_header, "type");
  EXPECT_EQ(c.queue, "critical");
  EXPECT_EQ(c.max_retry, 5);
  EXPECT_EQ(c.timeout_s, 600);
  EXPECT_EQ(c.deadline_s, 3600);
  EXPECT_EQ(c.retention_s, 7 * 86400);
  EXPECT_TRUE(c.forward_headers);
}

TEST(AsynqConfig, ADeadlineWithoutATimeoutDropsTheDefaultTimeoutAsTheGoClientDoes) {
  EXPECT_EQ(parsed(R"({"task_type": "t", "deadline": "1h"})").timeout_s, 0);
  EXPECT_EQ(parsed(R"({"task_type": "t", "deadline": "1h", "timeout": "1m"})").timeout_s, 60);
}

TEST(AsynqConfig, UnixSocketAddresses) {
  EXPECT_EQ(parsed(R"({"task_type": "t", "address": "unix:/run/redis.sock"})").unix_socket, "/run/redis.sock");
  EXPECT_EQ(parsed(R"({"task_type": "t", "address": "/run/redis.sock"})").address_text(), "unix:/run/redis.sock");
}

TEST(AsynqConfig, StreamModeKeys) {
  const auto c = parsed(R"({"mode": "stream", "stream": "events", "stream_maxlen": 1000, "dedup_ttl": "1h"})");
  EXPECT_TRUE(c.mode == Mode::Stream);
  EXPECT_EQ(c.stream, "events");
  EXPECT_EQ(c.stream_maxlen, 1000);
  EXPECT_EQ(c.dedup_ttl_s, 3600);
  EXPECT_EQ(parsed(R"({"mode": "stream"})").stream, "") << "default: outboxd:<destination>";
}

TEST(AsynqConfig, BadValuesAreRefusedNamingTheKey) {
  EXPECT_THAT(error_of(R"({"task_type": "t", "nope": 1})"), StartsWith("unknown key 'nope' (known: address, db,"));
  EXPECT_THAT(error_of("{}"), StartsWith("task_type: set task_type, or task_type_header"));
  EXPECT_THAT(error_of(R"({"task_type": "  "})"), StartsWith("task_type: must not be empty or blank"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "address": "localhost"})"), StartsWith("address: must be host:port"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "address": "h:99999"})"), StartsWith("address: port must be"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "address": "redis://h:6379/0"})"), StartsWith("address: give host:port"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "address": "unix:relative.sock"})"),
              StartsWith("address: a unix socket needs an absolute path"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "db": -1})"), StartsWith("db: must be between 0"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "db": "1"})"), StartsWith("db: must be an integer, got string"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "queue": "a{b}"})"), StartsWith("queue: must not contain '{' or '}'"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "queue": ""})"), StartsWith("queue: must not be empty"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "max_retry": -1})"), StartsWith("max_retry: must be between 0"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "timeout": 30})"), StartsWith("timeout: must be a duration"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "timeout": "30 s"})"), StartsWith("timeout: must be a duration"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "timeout": "500ms"})"), StartsWith("timeout: must be at least 1000 ms"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "retention": "1y"})"), StartsWith("retention: must be a duration"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "connect_timeout": "0ms"})"), StartsWith("connect_timeout: must be at least"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "pipeline": "yes"})"), StartsWith("pipeline: must be true or false"));
  EXPECT_THAT(error_of(R"({"task_type": "t", "mode": "list"})"), StartsWith("mode: must be \"asynq\" or \"stream\""));
  EXPECT_THAT(error_of(R"({"task_type": "t", "stream": "s"})"), StartsWith("mode: stream, stream_maxlen and dedup_ttl"));
  EXPECT_THAT(error_of(R"({"mode": "stream", "queue": "q"})"), StartsWith("mode: task_type, task_type_header"));
  EXPECT_THAT(error_of("[1]"), StartsWith("config must be a JSON object, got array"));
  EXPECT_THAT(error_of("{not json"), StartsWith("config is not valid JSON"));
}

TEST(AsynqConfig, Durations) {
  int64_t ms = 0;
  EXPECT_TRUE(parse_duration_ms("24h", ms));
  EXPECT_EQ(ms, 86400000);
  EXPECT_TRUE(parse_duration_ms("0s", ms));
  EXPECT_EQ(ms, 0);
  EXPECT_FALSE(parse_duration_ms("", ms));
  EXPECT_FALSE(parse_duration_ms("h", ms));
  EXPECT_FALSE(parse_duration_ms("-1s", ms));
  EXPECT_FALSE(parse_duration_ms("1.5s", ms));
  EXPECT_FALSE(parse_duration_ms("99999999999999999999d", ms));
}

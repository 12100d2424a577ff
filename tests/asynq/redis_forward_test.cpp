// The asynq plugin, loaded with dlopen as the daemon does, against a real redis-server: every key
// and field an asynq worker reads, duplicate forwards, scheduled tasks, stream mode, and failures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/plugin_call.hpp"
#include "tests/asynq/proto_reader.hpp"
#include "tests/support/redis_peer.hpp"
#include "tests/plugins/plugin_test_support.hpp"
#include "tests/support/wait.hpp"

using namespace outboxd;
using namespace outboxd::test;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char *kId = "5f0c2a8e-3b1d-4c7e-9a6f-2d8b1e0c4f37";

}  // namespace

// Outside the anonymous namespace: a test derived from it would have a base of internal linkage
// (-Wsubobject-linkage in a unity batch).
class AsynqRedis : public ::testing::Test {
 protected:
  RedisPeer redis;
  std::unique_ptr<PluginInstance> instance(const std::string &extra = R"("task_type": "email:deliver")") {
    return std::make_unique<PluginInstance>(LoadedPlugin::open(plugin_path("asynq")), "orders",
                                            "{\"address\": \"" + redis.address() + "\", " + extra + "}");
  }
  static TestMessage msg(const std::string &id, const std::string &payload = R"({"ID":42})") {
    TestMessage m;
    m.id = id;
    m.destination = "orders";
    m.payload = payload;
    return m;
  }
  std::vector<SendResult> send_all(PluginInstance &p, const std::vector<TestMessage> &messages) {
    std::vector<outboxd_message> views;
    for (const auto &m : messages) views.push_back(m.view());
    return p.send_batch(views);
  }
};

TEST_F(AsynqRedis, TheTableSaysThreadSafeSchedulesAheadAndBatches) {
  auto p = instance();
  EXPECT_EQ(p->plugin().name(), "asynq");
  EXPECT_TRUE(p->plugin().thread_safe());
  EXPECT_TRUE(p->plugin().schedules_ahead());
  EXPECT_TRUE(p->has_send_batch());
}

TEST_F(AsynqRedis, APendingTaskHasEveryKeyAndFieldAnAsynqWorkerReads) {
  auto p = instance();
  const int64_t before_ns = now_ms() * 1000000;
  const auto r = p->send(msg(kId).view());
  ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_EQ(r.error, "");
  RedisClient c(redis.port());
  const std::string task = std::string("asynq:{default}:t:") + kId;
  EXPECT_EQ(c.type("asynq:queues"), "set");
  EXPECT_EQ(c.list({"SMEMBERS", "asynq:queues"}), std::vector<std::string>{"default"});
  EXPECT_EQ(c.type("asynq:{default}:pending"), "list");
  EXPECT_EQ(c.list({"LRANGE", "asynq:{default}:pending", "0", "-1"}), std::vector<std::string>{kId});
  EXPECT_EQ(c.type(task), "hash");
  EXPECT_EQ(c.integer({"HLEN", task}), 3) << "msg, state, pending_since and nothing else";
  EXPECT_EQ(c.str({"HGET", task, "state"}), "pending");
  const long long since = std::stoll(c.str({"HGET", task, "pending_since"}));
  EXPECT_GE(since, before_ns);
  EXPECT_LE(since, now_ms() * 1000000);
  const std::string stored = c.str({"HGET", task, "msg"});
  EXPECT_EQ(stored, from_hex("0a0d656d61696c3a64656c6976657212097b224944223a34327d1a2435663063326138652d336231642d"
                             "346337652d396136662d326438623165306334663337220764656661756c74281940880e6080a305"));
  const auto f = read_proto(stored);
  EXPECT_EQ(f.text(1), "email:deliver");
  EXPECT_EQ(f.text(2), R"({"ID":42})");
  EXPECT_EQ(f.text(3), kId);
  EXPECT_EQ(f.text(4), "default");
  EXPECT_EQ(f.number(5), 25u);
  EXPECT_EQ(f.number(8), 1800u);
  EXPECT_EQ(f.number(12), 86400u);
  EXPECT_EQ(c.integer({"EXISTS", "asynq:{default}:scheduled"}), 0);
}

TEST_F(AsynqRedis, ASecondForwardOfTheSameIdIsAConflictCountedAsDeliveredAndLeavesOneTask) {
  auto p = instance();
  ASSERT_EQ(p->send(msg(kId).view()).status, OUTBOXD_OK);
  const auto again = p->send(msg(kId, R"({"ID":43})").view());
  EXPECT_EQ(again.status, OUTBOXD_OK);
  EXPECT_THAT(again.error, StartsWith(std::string("already forwarded: task ") + kId + " in queue 'default' exists"));
  RedisClient c(redis.port());
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 1);
  EXPECT_EQ(read_proto(c.str({"HGET", std::string("asynq:{default}:t:") + kId, "msg"})).text(2), R"({"ID":42})")
      << "the first task is untouched";
}

TEST_F(AsynqRedis, AConflictAlsoHoldsAgainstAScheduledOrCompletedTask) {
  auto p = instance();
  auto later = msg(kId);
  later.available_at_ms = now_ms() + 3600 * 1000;
  ASSERT_EQ(p->send(later.view()).status, OUTBOXD_OK);
  const auto due = p->send(msg(kId).view());
  EXPECT_EQ(due.status, OUTBOXD_OK);
  EXPECT_THAT(due.error, StartsWith("already forwarded"));
  RedisClient c(redis.port());
  EXPECT_EQ(c.integer({"EXISTS", "asynq:{default}:pending"}), 0);
  EXPECT_EQ(c.integer({"ZCARD", "asynq:{default}:scheduled"}), 1);
}

TEST_F(AsynqRedis, AFutureMessageLandsInTheScheduledSetWithItsTimeAsScore) {
  auto p = instance(R"("task_type": "report:build", "queue": "critical")");
  auto m = msg(kId);
  m.available_at_ms = now_ms() + 90 * 1000 + 500;
  ASSERT_EQ(p->send(m.view()).status, OUTBOXD_OK);
  RedisClient c(redis.port());
  const std::string task = std::string("asynq:{critical}:t:") + kId;
  EXPECT_EQ(c.type("asynq:{critical}:scheduled"), "zset");
  EXPECT_EQ(c.str({"ZSCORE", "asynq:{critical}:scheduled", kId}), std::to_string(m.available_at_ms / 1000));
  EXPECT_EQ(c.integer({"HLEN", task}), 2) << "msg and state; no pending_since";
  EXPECT_EQ(c.str({"HGET", task, "state"}), "scheduled");
  EXPECT_EQ(read_proto(c.str({"HGET", task, "msg"})).text(4), "critical");
  EXPECT_EQ(c.list({"SMEMBERS", "asynq:queues"}), std::vector<std::string>{"critical"});
  EXPECT_EQ(c.integer({"EXISTS", "asynq:{critical}:pending"}), 0);
}

TEST_F(AsynqRedis, ABatchIsOneRoundTripAndEachMessageGetsItsOwnOutcome) {
  auto p = instance(R"("task_type_header": "type")");
  std::vector<TestMessage> batch;
  for (int i = 0; i < 500; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
    auto m = msg(id, "{\"n\": " + std::to_string(i) + "}");
    m.headers = i % 100 == 7 ? "{}" : R"({"type": "job:run"})";  // five cannot become tasks
    batch.push_back(m);
  }
  RedisClient c(redis.port());
  const long long reads_before = c.info_number("stats", "total_reads_processed");
  const auto results = send_all(*p, batch);
  const long long reads = c.info_number("stats", "total_reads_processed") - reads_before;
  int ok = 0, permanent = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (i % 100 == 7) {
      EXPECT_EQ(results[i].status, OUTBOXD_PERMANENT);
      EXPECT_THAT(results[i].error, HasSubstr("cannot become an asynq task: no task type"));
      ++permanent;
    } else {
      EXPECT_EQ(results[i].status, OUTBOXD_OK) << results[i].error;
      ++ok;
    }
  }
  EXPECT_EQ(ok, 495);
  EXPECT_EQ(permanent, 5);
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 495);
  // Redis counts a read event per socket read: a pipelined batch arrives in a few reads of up to
  // 16 KiB, one command per round trip would take one read per message.
  EXPECT_LT(reads, 60) << "read events for 495 commands";
}

TEST_F(AsynqRedis, WithoutPipeliningEveryMessageIsItsOwnRoundTrip) {
  auto p = instance(R"("task_type": "job:run", "pipeline": false)");
  std::vector<TestMessage> batch;
  for (int i = 0; i < 100; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
    batch.push_back(msg(id));
  }
  RedisClient c(redis.port());
  const long long reads_before = c.info_number("stats", "total_reads_processed");
  for (const auto &r : send_all(*p, batch)) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_GE(c.info_number("stats", "total_reads_processed") - reads_before, 100);
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 100);
}

TEST_F(AsynqRedis, AFlushedScriptCacheFallsBackToEval) {
  auto p = instance();
  ASSERT_EQ(p->send(msg("00000000-0000-7000-8000-000000000001").view()).status, OUTBOXD_OK);
  RedisClient c(redis.port());
  ASSERT_EQ(c.str({"SCRIPT", "FLUSH"}), "OK");
  const auto r = p->send(msg("00000000-0000-7000-8000-000000000002").view());
  EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 2);
}

TEST_F(AsynqRedis, RedisDownIsARetryNamingTheAddressAndRedisBackDelivers) {
  auto p = instance(R"("task_type": "t", "connect_timeout": "200ms")");
  redis.stop();
  const auto down = p->send(msg(kId).view());
  EXPECT_EQ(down.status, OUTBOXD_RETRY);
  EXPECT_THAT(down.error, StartsWith("redis " + redis.address() + ": "));
  EXPECT_THAT(down.error, HasSubstr("refused"));
  redis.start();
  const auto up = p->send(msg(kId).view());
  EXPECT_EQ(up.status, OUTBOXD_OK) << up.error;
}

TEST_F(AsynqRedis, ARedisThatStopsAnsweringIsATimeoutRetryAndTheMessageLandsOnceAfterwards) {
  auto p = instance(R"("task_type": "t", "command_timeout": "200ms", "connect_timeout": "300ms")");
  RedisClient c(redis.port());
  c.command({"CLIENT", "PAUSE", "1500", "ALL"});  // Redis accepts and reads, but answers nothing
  const auto paused = p->send(msg(kId).view());
  EXPECT_EQ(paused.status, OUTBOXD_RETRY);
  EXPECT_THAT(paused.error, HasSubstr("timed out waiting for a reply"));
  // Once Redis answers again, the next attempt delivers; if the timed-out write ran after all,
  // the attempt is a conflict, also delivered: either way one task.
  SendResult again;
  ASSERT_TRUE(wait_until([&] {
    again = p->send(msg(kId).view());
    return again.status == OUTBOXD_OK;
  }, std::chrono::seconds(10))) << again.error;
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 1);
}

TEST_F(AsynqRedis, OutOfMemoryAndReadOnlyRepliesAreRetries) {
  auto p = instance();
  RedisClient c(redis.port());
  c.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  c.command({"CONFIG", "SET", "maxmemory", "1"});
  const auto oom = p->send(msg(kId).view());
  EXPECT_EQ(oom.status, OUTBOXD_RETRY);
  EXPECT_THAT(oom.error, HasSubstr("OOM"));
  c.command({"CONFIG", "SET", "maxmemory", "0"});
  // A replica answers writes with READONLY (e.g. during a failover).
  RedisPeer primary;
  c.command({"REPLICAOF", "127.0.0.1", std::to_string(primary.port())});
  const auto readonly = p->send(msg(kId).view());
  EXPECT_EQ(readonly.status, OUTBOXD_RETRY);
  EXPECT_THAT(readonly.error, HasSubstr("READONLY"));
  c.command({"REPLICAOF", "NO", "ONE"});
}

TEST_F(AsynqRedis, WrongPasswordIsARetryThatSaysAuthFailed) {
  RedisClient c(redis.port());
  c.command({"CONFIG", "SET", "requirepass", "s3cret"});
  auto bad = instance(R"("task_type": "t", "password": "wrong")");
  const auto r = bad->send(msg(kId).view());
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_THAT(r.error, HasSubstr("AUTH failed"));
  auto good = instance(R"("task_type": "t", "password": "s3cret", "db": 2)");
  EXPECT_EQ(good->send(msg(kId).view()).status, OUTBOXD_OK);
  c.command({"AUTH", "s3cret"});
  c.command({"SELECT", "2"});
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 1) << "written to database 2";
}

TEST_F(AsynqRedis, AUnixSocketAddressWorks) {
  auto p = std::make_unique<PluginInstance>(LoadedPlugin::open(plugin_path("asynq")), "orders",
                                            "{\"address\": \"unix:" + redis.socket_path() + "\", \"task_type\": \"t\"}");
  EXPECT_EQ(p->send(msg(kId).view()).status, OUTBOXD_OK);
}

TEST_F(AsynqRedis, StreamModeAddsEachMessageOnceWithIdDestinationHeadersAndPayload) {
  auto p = instance(R"("mode": "stream", "stream": "events")");
  auto m = msg(kId, R"({"a": 1})");
  m.headers = R"({"trace": "t1"})";
  const auto first = p->send(m.view());
  ASSERT_EQ(first.status, OUTBOXD_OK) << first.error;
  const auto second = p->send(m.view());
  EXPECT_EQ(second.status, OUTBOXD_OK);
  EXPECT_THAT(second.error, StartsWith(std::string("already forwarded: message ") + kId + " in stream 'events'"));
  RedisClient c(redis.port());
  EXPECT_EQ(c.type("events"), "stream");
  EXPECT_EQ(c.integer({"XLEN", "events"}), 1) << "the second forward left one entry";
  auto entries = c.command({"XRANGE", "events", "-", "+"});
  ASSERT_EQ(entries->elements, 1u);
  const redisReply *fields = entries->element[0]->element[1];
  std::vector<std::string> flat;
  for (size_t i = 0; i < fields->elements; ++i) flat.emplace_back(fields->element[i]->str, fields->element[i]->len);
  EXPECT_EQ(flat, (std::vector<std::string>{"id", kId, "destination", "orders", "headers", R"({"trace": "t1"})",
                                            "payload", R"({"a": 1})"}));
  const std::string marker = std::string("events:dedup:") + kId;
  EXPECT_EQ(c.str({"GET", marker}), std::string(entries->element[0]->element[0]->str));
  EXPECT_GT(c.integer({"TTL", marker}), 86000);
}

TEST_F(AsynqRedis, StreamModeTrimsWithMaxlenAndWaitsForAFutureMessage) {
  auto p = instance(R"("mode": "stream", "stream_maxlen": 10)");
  std::vector<TestMessage> batch;
  for (int i = 0; i < 300; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
    batch.push_back(msg(id));
  }
  for (const auto &r : send_all(*p, batch)) EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
  RedisClient c(redis.port());
  EXPECT_LT(c.integer({"XLEN", "outboxd:orders"}), 300) << "MAXLEN ~ trims";
  auto later = msg(kId);
  later.available_at_ms = now_ms() + 60000;
  const auto r = p->send(later.view());
  EXPECT_EQ(r.status, OUTBOXD_RETRY);
  EXPECT_GT(r.retry_after_ms, 50000);
  EXPECT_THAT(r.error, HasSubstr("mode stream adds a message to the stream when it is due"));
}

TEST_F(AsynqRedis, InitWithRedisDownSucceedsAndLogsIt) {
  CapturedPluginLog log;
  redis.stop();
  auto p = instance(R"("task_type": "t", "connect_timeout": "200ms")");
  EXPECT_THAT(log.text(), HasSubstr("messages stay in the outbox and are retried"));
  redis.start();
  EXPECT_EQ(p->send(msg(kId).view()).status, OUTBOXD_OK);
  EXPECT_THAT(log.text(), HasSubstr("connected again"));
}

// The asynq plugin inside the real daemon: Redis down and back, ten thousand messages pipelined,
// a scheduled message, and a forward that had already reached Redis before the daemon's commit.
#include <gmock/gmock.h>

#include "core/plugin_call.hpp"
#include "tests/asynq/proto_reader.hpp"
#include "tests/support/redis_peer.hpp"
#include "tests/e2e/harness.hpp"
#include "tests/plugins/plugin_test_support.hpp"  // plugin_path

using namespace outboxd::test;
using ::testing::HasSubstr;

namespace {

long long command_calls(RedisClient &c, const std::string &command) {
  const std::string text = c.str({"INFO", "commandstats"});
  const std::string needle = "cmdstat_" + command + ":calls=";
  const auto at = text.find(needle);
  return at == std::string::npos ? 0 : std::stoll(text.substr(at + needle.size()));
}

}  // namespace

class AsynqDaemon : public E2E {
 protected:
  std::string asynq_destination(const RedisPeer &redis, const std::string &extra_config = "") const {
    return "  jobs:\n    plugin: \"" + plugin_path("asynq") +
           "\"\n    max_attempts: 50\n    max_backoff: 500ms\n    timeout_ms: 5000\n    config:\n"
           "      address: \"" + redis.address() + "\"\n      task_type: \"job:run\"\n"
           "      connect_timeout: 200ms\n" + extra_config;
  }
};

TEST_F(AsynqDaemon, RedisStoppedAttemptsAndErrorsAccumulateRedisStartedForwardedOnce) {
  RedisPeer redis(/*start_now=*/false);
  auto daemon = start(write_config(asynq_destination(redis)));
  db.exec("SELECT outbox.enqueue('jobs', jsonb_build_object('n', n)) FROM generate_series(1, 3) n");
  ASSERT_TRUE(wait_count("state = 'pending' AND attempt >= 2 AND jsonb_array_length(errors) >= 2", 3))
      << daemon->log();
  EXPECT_EQ(db.count("last_error LIKE 'redis " + redis.address() + ": Connection refused%'"), 3)
      << db.scalar("SELECT last_error FROM outbox.messages LIMIT 1");
  redis.start();
  ASSERT_TRUE(wait_count("state = 'delivered'", 3)) << daemon->log();
  RedisClient c(redis.port());
  auto ids = c.list({"LRANGE", "asynq:{default}:pending", "0", "-1"});
  std::sort(ids.begin(), ids.end());
  const std::vector<std::string> expected = [&] {
    std::vector<std::string> v;
    auto conn = db.connect();
    pqxx::work tx(*conn);
    for (const auto &row : tx.exec("SELECT id::text FROM outbox.messages ORDER BY id")) v.push_back(row[0].c_str());
    return v;
  }();
  EXPECT_EQ(ids, expected) << "each message forwarded exactly once";
  for (const auto &id : expected) EXPECT_EQ(c.str({"HGET", "asynq:{default}:t:" + id, "state"}), "pending");
  EXPECT_TRUE(daemon->wait_for_log("connected again")) << daemon->log();
}

TEST_F(AsynqDaemon, TenThousandMessagesAreForwardedInPipelinedBatches) {
  RedisPeer redis;
  RedisClient c(redis.port());
  const long long reads_before = c.info_number("stats", "total_reads_processed");
  auto daemon = start(write_config(asynq_destination(redis), "batch_size: 500\n"));
  db.exec("INSERT INTO outbox.messages (destination, payload) "
          "SELECT 'jobs', jsonb_build_object('n', n) FROM generate_series(1, 10000) n");
  ASSERT_TRUE(wait_count("state = 'delivered'", 10000, std::chrono::seconds(90))) << daemon->log();
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 10000);
  EXPECT_EQ(command_calls(c, "evalsha"), 10000) << "one script call per message, no second tries";
  // One SADD per plugin call (each batch's first command): the daemon handed over whole batches.
  const long long batches = command_calls(c, "sadd");
  EXPECT_GE(batches, 20);
  EXPECT_LE(batches, 1000) << "batches of 10 messages or more on average";
  // One round trip per batch: Redis reads a pipelined batch in a few socket reads of up to 16 KiB;
  // a command per round trip would be one read event per message, 10,000 at least.
  const long long reads = c.info_number("stats", "total_reads_processed") - reads_before;
  EXPECT_LT(reads, 2000) << "read events for " << batches << " batches of 10,000 commands";
  // Connections are pooled: one per worker thread at most, plus the one opened at start.
  EXPECT_LE(c.info_number("stats", "total_connections_received"), 1 + 1 + 2) << "the test's own, init's, 2 workers";
  RecordProperty("redis_read_events", std::to_string(reads));
  RecordProperty("batches", std::to_string(batches));
}

TEST_F(AsynqDaemon, AMessageForTheFutureIsScheduledInAsynqAtOnce) {
  RedisPeer redis;
  auto daemon = start(write_config(asynq_destination(redis)));
  const auto id = db.scalar("SELECT outbox.enqueue('jobs', '{\"report\": 1}', "
                            "available_at => now() + interval '2 hours')");
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 1", 1)) << daemon->log();
  RedisClient c(redis.port());
  const long long due_s =
      std::stoll(db.scalar("SELECT floor(extract(epoch FROM available_at))::bigint FROM outbox.messages"));
  EXPECT_EQ(c.str({"ZSCORE", "asynq:{default}:scheduled", id}), std::to_string(due_s));
  EXPECT_EQ(c.str({"HGET", "asynq:{default}:t:" + id, "state"}), "scheduled");
  EXPECT_EQ(read_proto(c.str({"HGET", "asynq:{default}:t:" + id, "msg"})).text(2), R"({"report": 1})")
      << "the payload as stored";
}

TEST_F(AsynqDaemon, AForwardThatReachedRedisBeforeACrashIsDeliveredWithANote) {
  RedisPeer redis;
  const std::string id = "0190a0b0-0000-7000-8000-0000000000aa";
  {
    // The first forward: it reached Redis, but (as if the daemon died) the outbox never heard.
    outboxd::PluginInstance first(outboxd::LoadedPlugin::open(plugin_path("asynq")), "jobs",
                                  "{\"address\": \"" + redis.address() + "\", \"task_type\": \"job:run\"}");
    const std::string payload = R"({"n": 1})";
    outboxd_message m{};
    m.struct_size = sizeof m;
    m.id = id.c_str();
    m.destination = "jobs";
    m.payload = payload.c_str();
    m.payload_len = payload.size();
    m.headers_json = "{}";
    m.attempt = 1;
    m.timeout_ms = 5000;
    ASSERT_EQ(first.send(m).status, OUTBOXD_OK);
  }
  db.exec("INSERT INTO outbox.messages (id, destination, payload) VALUES ('" + id + "', 'jobs', '{\"n\": 1}')");
  auto daemon = start(write_config(asynq_destination(redis)));
  ASSERT_TRUE(wait_count("state = 'delivered' AND attempt = 1", 1)) << daemon->log();
  EXPECT_THAT(db.scalar("SELECT last_error FROM outbox.messages"),
              HasSubstr("already forwarded: task " + id + " in queue 'default' exists"));
  EXPECT_EQ(db.scalar("SELECT jsonb_array_length(errors) FROM outbox.messages"), "1") << "kept in the history";
  RedisClient c(redis.port());
  EXPECT_EQ(c.integer({"LLEN", "asynq:{default}:pending"}), 1);
}

// End to end through the real daemon: a plugin with OUTBOXD_PLUGIN_SCHEDULES_AHEAD gets a future
// message at once with its available_at, other plugins only when it is due, and a failed early
// forward is retried no earlier than the message's own time.
#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

class SchedulesAhead : public E2E {
 protected:
  std::string ahead_destination(const std::string &name) const {
    return "  " + name + ":\n    plugin: scripted_ahead\n    max_attempts: 5\n    max_backoff: 1s\n"
           "    config:\n      record: \"" + record_path() + "\"\n";
  }
};

TEST_F(SchedulesAhead, AFutureMessageReachesASchedulingPluginAtOnceWithItsTime) {
  auto daemon = start(write_config(ahead_destination("jobs") + scripted_destination("mail")));
  enqueue("mail", R"({"to": "later"})", ", available_at => now() + interval '1 hour'");
  auto id = db.scalar("SELECT outbox.enqueue('jobs', '{\"job\": 1}', available_at => now() + interval '1 hour')");
  ASSERT_TRUE(wait_count("destination = 'jobs' AND state = 'delivered' AND attempt = 1", 1)) << daemon->log();
  const auto lines = read_lines(record_path());
  ASSERT_EQ(lines.size(), 1u) << "the plain plugin got nothing";
  const auto call = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(call["id"], id);
  EXPECT_EQ(call["available_at_ms"].get<long long>(),
            std::stoll(db.scalar("SELECT floor(extract(epoch FROM available_at) * 1000)::bigint "
                                 "FROM outbox.messages WHERE destination = 'jobs'")));
  EXPECT_EQ(db.count("destination = 'mail' AND state = 'pending' AND attempt = 0"), 1);
}

TEST_F(SchedulesAhead, AFailedEarlyForwardIsRetriedAtTheMessagesOwnTimeNotItsBackoff) {
  auto daemon = start(write_config(ahead_destination("jobs")));
  enqueue("jobs", R"({"behavior": "retry", "retry_after_ms": 10})", ", available_at => now() + interval '1 hour'");
  ASSERT_TRUE(wait_count("attempt = 1", 1)) << daemon->log();
  EXPECT_EQ(db.count("state = 'pending' AND last_error = 'scripted retry' "
                     "AND available_at > now() + interval '59 minutes'"), 1)
      << "the 10 ms retry hint does not pull the message before its schedule";
  const auto lines = read_lines(record_path());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_GT(nlohmann::json::parse(lines[0])["available_at_ms"].get<long long>(), 0);
}

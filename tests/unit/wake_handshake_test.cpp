// core/wake_handshake: when a worker sleeps, what wakes it, and the busy/idle bookkeeping the
// listener drives. Real threads and the real clock; every wait is bounded, and "still asleep" is
// checked over a short bounded wait, never a bare sleep.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "core/wake_handshake.hpp"

using namespace outboxd;
using namespace std::chrono_literals;

namespace {

// Long enough that a worker woken for the right reason never gets near it on a loaded machine.
constexpr auto kLiveness = 20s;
// How long a sleeping worker is watched to see that it does not return on its own.
constexpr auto kStillAsleep = 150ms;

WakeTimings notify_timings(std::chrono::milliseconds safety_poll = std::chrono::hours(1)) {
  WakeTimings t;
  t.notify_mode = true;
  t.busy_poll_interval = 1ms;
  t.safety_poll = safety_poll;
  return t;
}

// Runs one worker wait on its own thread.
std::future<void> wait_async(WakeHandshake &h, const WakeTimings &t) {
  const uint64_t ticket = h.ticket();
  return std::async(std::launch::async, [&h, t, ticket] { h.wait_for_work(ticket, t); });
}

bool returns(std::future<void> &f) { return f.wait_for(kLiveness) == std::future_status::ready; }
bool still_asleep(std::future<void> &f) { return f.wait_for(kStillAsleep) == std::future_status::timeout; }

const auto kNever = WakeHandshake::Clock::time_point::max();

}  // namespace

TEST(WakeHandshake, PollModeWaitsThePollIntervalWithoutAListener) {
  WakeHandshake h;
  WakeTimings t;
  t.notify_mode = false;
  t.poll_interval = 20ms;
  auto f = wait_async(h, t);
  EXPECT_TRUE(returns(f));
}

TEST(WakeHandshake, StartsBusySoWorkersPollUntilTheListenerHasPassedTheGate) {
  WakeHandshake h;
  EXPECT_FALSE(h.idle());
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(returns(f)) << "a busy daemon polls every busy_poll_interval, not every safety poll";
}

TEST(WakeHandshake, AnIdleWorkerSleepsUntilANotify) {
  WakeHandshake h;
  h.go_idle(kNever);
  ASSERT_TRUE(h.idle());
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(still_asleep(f));
  h.notified();
  EXPECT_TRUE(returns(f));
  EXPECT_TRUE(h.work_found_while_idle()) << "a NOTIFY starts a linger period";
  EXPECT_GT(h.linger_left(std::chrono::hours(1)), std::chrono::minutes(59));
}

TEST(WakeHandshake, AWakeBetweenTheTicketAndTheWaitIsNotMissed) {
  WakeHandshake h;
  h.go_idle(kNever);
  const uint64_t ticket = h.ticket();  // the worker starts looking for work...
  h.notified();                        // ...a NOTIFY comes while it looks...
  auto f = std::async(std::launch::async, [&] { h.wait_for_work(ticket, notify_timings()); });
  EXPECT_TRUE(returns(f)) << "...so its wait returns at once instead of sleeping until the safety poll";
}

TEST(WakeHandshake, AnIdleWorkerWakesForTheSafetyPoll) {
  WakeHandshake h;
  h.go_idle(kNever);
  auto f = wait_async(h, notify_timings(30ms));
  EXPECT_TRUE(returns(f));
}

TEST(WakeHandshake, AnIdleWorkerWakesWhenTheEarliestScheduledMessageIsDue) {
  WakeHandshake h;
  h.go_idle(WakeHandshake::Clock::now() + 30ms);
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(returns(f));
  EXPECT_FALSE(h.work_found_while_idle()) << "waking at the due time is not yet work found";
  // The next wait finds the time has come: it returns at once and counts as work found, so the
  // listener goes busy, and forgets the due time (it looks it up again when it goes idle).
  auto g = wait_async(h, notify_timings());
  EXPECT_TRUE(returns(g));
  EXPECT_TRUE(h.work_found_while_idle());
  auto k = wait_async(h, notify_timings());
  EXPECT_TRUE(still_asleep(k)) << "the due time was forgotten once it had come";
  h.wake_all();
  EXPECT_TRUE(returns(k));
}

TEST(WakeHandshake, AnEarlierRetryLowersTheDueTimeAndALaterOneDoesNot) {
  WakeHandshake h;
  h.go_idle(kNever);
  h.retry_scheduled(std::chrono::hours(2));
  h.retry_scheduled(20ms);
  h.retry_scheduled(std::chrono::hours(1));
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(returns(f)) << "the 20 ms retry wakes the idle worker";
}

TEST(WakeHandshake, ALostListenerMakesWorkersPollAgain) {
  WakeHandshake h;
  h.go_idle(kNever);
  h.listener_lost();
  EXPECT_FALSE(h.idle());
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(returns(f));
}

// A lane with no work of its own fell asleep while the daemon was idle; then another lane's work
// made it busy (or the listener lost its connection), so producers stop notifying: the sleeper must
// poll again, or the next messages of its destination would wait for the safety poll.
TEST(WakeHandshake, GoingBusyOrLosingTheListenerWakesWorkersAsleepUntilANotify) {
  for (auto make_busy : {+[](WakeHandshake &h) { h.go_busy(); }, +[](WakeHandshake &h) { h.listener_lost(); }}) {
    WakeHandshake h;
    h.go_idle(kNever);
    auto f = wait_async(h, notify_timings());
    EXPECT_TRUE(still_asleep(f));
    make_busy(h);
    EXPECT_TRUE(returns(f));
  }
}

TEST(WakeHandshake, AReloadWakesSleepingWorkersAndCountsAsWork) {
  WakeHandshake h;
  h.go_idle(kNever);
  auto f = wait_async(h, notify_timings());
  EXPECT_TRUE(still_asleep(f));
  h.config_reloaded();
  EXPECT_TRUE(returns(f));
  EXPECT_TRUE(h.work_found_while_idle());
}

TEST(WakeHandshake, TheLingerRunsFromTheLastWorkFound) {
  WakeHandshake h;
  EXPECT_LE(h.linger_left(200ms).count(), 0) << "no work found yet: nothing to linger after";
  h.found_work();
  EXPECT_GT(h.linger_left(std::chrono::hours(1)), std::chrono::minutes(59));
  h.go_idle(kNever);
  EXPECT_FALSE(h.work_found_while_idle());
  h.found_work();
  EXPECT_TRUE(h.work_found_while_idle());
  h.go_busy();
  EXPECT_FALSE(h.idle());
}

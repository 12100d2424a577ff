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

// ---- Lanes: claiming when work is known to exist (core/lane_wake.hpp) ---------------------------

namespace {

// A lane attached to `h`, as the engine attaches each lane it opens.
struct AttachedLane {
  explicit AttachedLane(WakeHandshake &h) : handshake(h) { h.attach(lane.signal()); }
  ~AttachedLane() { handshake.detach(lane.signal()); }
  WakeHandshake &handshake;
  LaneWake lane;
};

std::future<void> lane_wait_async(WakeHandshake &h, LaneWake &lane, const WakeTimings &t) {
  const uint64_t ticket = lane.ticket();
  return std::async(std::launch::async, [&h, &lane, t, ticket] { h.wait_for_work(lane, ticket, t); });
}

// A busy daemon whose lane scout is connected.
void busy_with_scout(WakeHandshake &h) {
  h.go_busy();
  h.scout_available(true);
}

}  // namespace

TEST(WakeHandshake, ALaneThatFoundWorkLatelyPollsOnItsBeat) {
  WakeHandshake h;
  busy_with_scout(h);
  AttachedLane a(h);
  a.lane.found_work();
  auto f = lane_wait_async(h, a.lane, notify_timings());
  EXPECT_TRUE(returns(f));
  EXPECT_FALSE(a.lane.quiet());
}

TEST(WakeHandshake, ABusyDaemonsQuietLaneSleepsUntilTheScoutSeesWorkOfIt) {
  WakeHandshake h;
  busy_with_scout(h);
  AttachedLane a(h), b(h);  // neither has found work: both quiet
  auto fa = lane_wait_async(h, a.lane, notify_timings());
  auto fb = lane_wait_async(h, b.lane, notify_timings());
  EXPECT_TRUE(still_asleep(fa));
  EXPECT_TRUE(a.lane.quiet()) << "so the scout looks for it";
  a.lane.scouted();
  EXPECT_TRUE(returns(fa));
  EXPECT_FALSE(a.lane.quiet());
  EXPECT_TRUE(still_asleep(fb)) << "the scout wakes only the lane it saw work of";
  h.wake_all();
  EXPECT_TRUE(returns(fb));
}

TEST(WakeHandshake, AScoutedLanePollsOnItsBeatForALingerPeriod) {
  WakeHandshake h;
  busy_with_scout(h);
  AttachedLane a(h);
  a.lane.scouted();  // its claim may find nothing (a row a claim skips): it must not be woken again at once
  auto f = lane_wait_async(h, a.lane, notify_timings());
  EXPECT_TRUE(returns(f)) << "it polls on its beat, once per interval for the lane";
}

TEST(WakeHandshake, ALaneGoingQuietWakesTheScout) {
  WakeHandshake h;
  busy_with_scout(h);
  AttachedLane a(h);
  const uint64_t scout_ticket = h.scout_ticket();
  auto worker = lane_wait_async(h, a.lane, notify_timings());
  auto scout = std::async(std::launch::async, [&] {
    h.scout_wait(scout_ticket, WakeHandshake::Clock::now() + std::chrono::hours(1));
  });
  EXPECT_TRUE(returns(scout));
  h.wake_all();
  EXPECT_TRUE(returns(worker));
}

TEST(WakeHandshake, WithoutAScoutNoLaneGoesQuiet) {
  WakeHandshake h;
  h.go_busy();  // the scout has not connected (yet)
  AttachedLane a(h);
  auto f = lane_wait_async(h, a.lane, notify_timings());
  EXPECT_TRUE(returns(f)) << "it polls on its beat, as nothing would wake it";
  EXPECT_FALSE(a.lane.quiet());
}

TEST(WakeHandshake, LosingTheScoutWakesTheQuietLanes) {
  WakeHandshake h;
  busy_with_scout(h);
  AttachedLane a(h);
  auto f = lane_wait_async(h, a.lane, notify_timings());
  EXPECT_TRUE(still_asleep(f));
  h.scout_available(false);
  EXPECT_TRUE(returns(f));
  auto g = lane_wait_async(h, a.lane, notify_timings());
  EXPECT_TRUE(returns(g)) << "and they poll on their beat until it is back";
}

// Every daemon-wide wake reaches a lane's workers, asleep quiet or idle: a NOTIFY, going busy (the
// producers stop notifying), going idle (the one last poll), a reload, a stop.
TEST(WakeHandshake, EveryDaemonWideWakeReachesTheAttachedLanes) {
  using Wake = void (*)(WakeHandshake &);
  for (Wake wake : {+[](WakeHandshake &h) { h.notified(); }, +[](WakeHandshake &h) { h.go_busy(); },
                    +[](WakeHandshake &h) { h.go_idle(kNever); }, +[](WakeHandshake &h) { h.config_reloaded(); },
                    +[](WakeHandshake &h) { h.wake_all(); }}) {
    for (bool idle : {true, false}) {
      WakeHandshake h;
      busy_with_scout(h);
      if (idle) h.go_idle(kNever);
      AttachedLane a(h);
      auto f = lane_wait_async(h, a.lane, notify_timings());
      EXPECT_TRUE(still_asleep(f));
      wake(h);
      EXPECT_TRUE(returns(f)) << (idle ? "idle" : "quiet");
    }
  }
}

TEST(WakeHandshake, ADetachedLaneIsNoLongerWoken) {
  WakeHandshake h;
  LaneWake lane;
  h.attach(lane.signal());
  h.detach(lane.signal());
  const uint64_t ticket = lane.ticket();
  h.wake_all();
  EXPECT_EQ(lane.ticket(), ticket);
}

TEST(WakeHandshake, ALanesWorkersTakeTurnsOnItsBeat) {
  LaneWake lane;
  const auto now = LaneWake::Clock::now();
  const auto first = lane.take_poll_slot(now, 2ms);
  const auto second = lane.take_poll_slot(now, 2ms);
  EXPECT_EQ(first, now + 2ms);
  EXPECT_EQ(second, first + 2ms) << "two workers of one lane poll one interval apart, not together";
  const auto later = now + 1s;
  EXPECT_EQ(lane.take_poll_slot(later, 2ms), later + 2ms) << "a beat long past holds nobody back";
}

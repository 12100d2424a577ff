// A destination's circuit breaker (core/circuit_breaker.hpp), driven by a clock the test moves by
// hand: when it opens, how long it keeps claims away, the one probe at a time, and what it reports.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/circuit_breaker.hpp"

namespace outboxd {
namespace {

using BreakerClock = CircuitBreaker::Clock;
using State = BreakerState;
using std::chrono::milliseconds;

const BreakerClock::time_point kT0 = BreakerClock::time_point() + std::chrono::hours(1);

BreakerSettings breaker_after(int failures, milliseconds cool_off = milliseconds(1000),
                              milliseconds max_cool_off = milliseconds(300000)) {
  BreakerSettings s;
  s.failures = failures;
  s.cool_off = cool_off;
  s.max_cool_off = max_cool_off;
  return s;
}

// What the observer saw, safe to collect from several threads.
struct Transitions {
  std::mutex mu;
  std::vector<BreakerTransition> seen;
  CircuitBreaker::Observer observer() {
    return [this](const BreakerTransition &t) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(t);
    };
  }
};

// allow_claim's answer and the max it handed back (100 when it left it alone).
struct ClaimAnswer {
  bool allowed;
  int max_messages;
};
ClaimAnswer ask(CircuitBreaker &b, BreakerClock::time_point now) {
  int max = 100;
  const bool allowed = b.allow_claim(now, max);
  return ClaimAnswer{allowed, max};
}

// Opens a breaker of `failures` at kT0 with a batch of failures.
void open_at_t0(CircuitBreaker &b, int failures) {
  b.record(0, failures, kT0);
  ASSERT_EQ(b.state(), State::Open);
}

// Each change carries its place in the breaker's order, so that an observer that gets two
// threads' changes the other way round can tell which is newer (core/breaker_board.cpp).
TEST(CircuitBreaker, ItsChangesAreNumberedInTheOrderTheyHappened) {
  Transitions seen;
  CircuitBreaker b(breaker_after(1), seen.observer());
  open_at_t0(b, 1);
  ASSERT_TRUE(ask(b, kT0 + milliseconds(1000)).allowed);  // the probe: Open -> HalfOpen
  b.record(1, 0, kT0 + milliseconds(1001));               // it worked: HalfOpen -> Closed
  ASSERT_EQ(seen.seen.size(), 3u);
  EXPECT_EQ(seen.seen[0].sequence, 1u);
  EXPECT_EQ(seen.seen[1].sequence, 2u);
  EXPECT_EQ(seen.seen[2].sequence, 3u);
}

TEST(CircuitBreaker, StateNames) {
  EXPECT_STREQ(breaker_state_name(State::Closed), "closed");
  EXPECT_STREQ(breaker_state_name(State::Open), "open");
  EXPECT_STREQ(breaker_state_name(State::HalfOpen), "half_open");
}

TEST(CircuitBreaker, OpensAfterNConsecutiveFailuresAcrossBatches) {
  Transitions log;
  CircuitBreaker b(breaker_after(5), log.observer());
  b.record(0, 2, kT0);
  b.record(0, 2, kT0);
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_EQ(b.consecutive_failures(), 4);
  EXPECT_TRUE(ask(b, kT0).allowed);
  EXPECT_EQ(ask(b, kT0).max_messages, 100) << "closed: the batch size is the caller's";
  EXPECT_TRUE(log.seen.empty());
  b.record(0, 1, kT0);
  EXPECT_EQ(b.state(), State::Open);
  EXPECT_EQ(b.opened_total(), 1u);
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(1000));
  ASSERT_EQ(log.seen.size(), 1u);
  EXPECT_EQ(log.seen[0].from, State::Closed);
  EXPECT_EQ(log.seen[0].to, State::Open);
  EXPECT_EQ(log.seen[0].consecutive_failures, 5);
  EXPECT_EQ(log.seen[0].cool_off, milliseconds(1000));
  EXPECT_EQ(describe_transition(log.seen[0], "mail"),
            "breaker of mail opened after 5 consecutive failures; next probe in 1.0 s");
}

TEST(CircuitBreaker, ASuccessResetsTheConsecutiveCount) {
  CircuitBreaker b(breaker_after(3));
  b.record(0, 2, kT0);
  b.record(1, 0, kT0);
  EXPECT_EQ(b.consecutive_failures(), 0);
  b.record(0, 2, kT0);
  EXPECT_EQ(b.state(), State::Closed) << "2 in a row since the success";
  b.record(4, 6, kT0);
  EXPECT_EQ(b.state(), State::Closed) << "a batch with a success: the destination answers";
  EXPECT_EQ(b.consecutive_failures(), 0);
  b.record(0, 0, kT0);
  EXPECT_EQ(b.consecutive_failures(), 0);
}

TEST(CircuitBreaker, StaysOpenWithNoClaimsUntilTheCoolOffEnds) {
  CircuitBreaker b(breaker_after(1));
  open_at_t0(b, 1);
  for (int ms : {0, 1, 500, 999}) EXPECT_FALSE(ask(b, kT0 + milliseconds(ms)).allowed) << ms << " ms";
  b.record(3, 0, kT0 + milliseconds(10));
  EXPECT_EQ(b.state(), State::Open) << "a batch claimed before it opened changes nothing";
  b.record(0, 3, kT0 + milliseconds(10));
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(1000)) << "nor do its failures push the probe back";
  EXPECT_EQ(b.opened_total(), 1u);
  const ClaimAnswer probe = ask(b, kT0 + milliseconds(1000));
  EXPECT_TRUE(probe.allowed);
  EXPECT_EQ(probe.max_messages, 1);
  EXPECT_EQ(b.state(), State::HalfOpen);
  EXPECT_EQ(b.next_probe_at(), BreakerClock::time_point()) << "only while open";
}

TEST(CircuitBreaker, HalfOpenHandsOutOneProbeAtATime) {
  Transitions log;
  CircuitBreaker b(breaker_after(2), log.observer());
  open_at_t0(b, 2);
  const BreakerClock::time_point later = kT0 + milliseconds(1500);
  EXPECT_TRUE(ask(b, later).allowed);
  EXPECT_FALSE(ask(b, later).allowed) << "the probe is out";
  EXPECT_FALSE(ask(b, later + milliseconds(60000)).allowed) << "however long it takes";
  ASSERT_EQ(log.seen.size(), 2u);
  EXPECT_EQ(log.seen[1].from, State::Open);
  EXPECT_EQ(log.seen[1].to, State::HalfOpen);
  EXPECT_EQ(describe_transition(log.seen[1], "mail"), "breaker of mail half-open: sending one probe message");
}

TEST(CircuitBreaker, ExactlyOneOfManyThreadsGetsTheProbe) {
  CircuitBreaker b(breaker_after(1));
  open_at_t0(b, 1);
  std::atomic<int> allowed{0}, ones{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        int max = 100;
        if (b.allow_claim(kT0 + milliseconds(2000), max)) {
          ++allowed;
          if (max == 1) ++ones;
        }
      }
    });
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1);
  EXPECT_EQ(ones.load(), 1);
}

TEST(CircuitBreaker, ASuccessfulProbeClosesIt) {
  Transitions log;
  CircuitBreaker b(breaker_after(2), log.observer());
  open_at_t0(b, 2);
  ASSERT_TRUE(ask(b, kT0 + milliseconds(1000)).allowed);
  b.record(1, 0, kT0 + milliseconds(1100));
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_EQ(b.consecutive_failures(), 0);
  EXPECT_EQ(ask(b, kT0 + milliseconds(1100)).max_messages, 100) << "whole batches again";
  ASSERT_EQ(log.seen.size(), 3u);
  EXPECT_EQ(log.seen[2].from, State::HalfOpen);
  EXPECT_EQ(log.seen[2].to, State::Closed);
  EXPECT_EQ(describe_transition(log.seen[2], "mail"), "breaker of mail closed: a message was delivered");
  b.record(0, 1, kT0 + milliseconds(1200));
  EXPECT_EQ(b.state(), State::Closed) << "the count starts over";
  b.record(0, 1, kT0 + milliseconds(1200));
  EXPECT_EQ(b.state(), State::Open);
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(2200)) << "and so does the cool-off";
}

TEST(CircuitBreaker, AFailedProbeReopensWithTheCoolOffDoubledUpToTheMax) {
  Transitions log;
  CircuitBreaker b(breaker_after(1, milliseconds(1000), milliseconds(5000)), log.observer());
  open_at_t0(b, 1);
  BreakerClock::time_point now = kT0;
  for (int expected : {2000, 4000, 5000, 5000}) {
    now = b.next_probe_at();
    ASSERT_TRUE(ask(b, now).allowed);
    b.record(0, 1, now);
    EXPECT_EQ(b.state(), State::Open);
    EXPECT_EQ(b.next_probe_at(), now + milliseconds(expected));
    EXPECT_EQ(log.seen.back().cool_off, milliseconds(expected));
    EXPECT_EQ(log.seen.back().from, State::HalfOpen);
  }
  EXPECT_EQ(b.opened_total(), 5u) << "every opening counts, again after a probe too";
  EXPECT_EQ(describe_transition(log.seen.back(), "mail"),
            "breaker of mail opened again: the probe failed; next probe in 5.0 s");
}

TEST(CircuitBreaker, AbandonedProbeLetsTheNextCallerProbe) {
  CircuitBreaker b(breaker_after(1));
  open_at_t0(b, 1);
  const BreakerClock::time_point later = kT0 + milliseconds(1000);
  ASSERT_TRUE(ask(b, later).allowed);
  EXPECT_FALSE(ask(b, later).allowed);
  b.record(0, 0, later);
  EXPECT_FALSE(ask(b, later).allowed) << "a batch that sent nothing is not the probe's end";
  b.probe_abandoned();
  EXPECT_EQ(b.state(), State::HalfOpen);
  const ClaimAnswer next = ask(b, later);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.max_messages, 1);
  EXPECT_FALSE(ask(b, later).allowed);
}

TEST(CircuitBreaker, ProbeAbandonedOutsideHalfOpenChangesNothing) {
  CircuitBreaker b(breaker_after(1));
  b.probe_abandoned();
  EXPECT_EQ(b.state(), State::Closed);
  open_at_t0(b, 1);
  b.probe_abandoned();
  EXPECT_EQ(b.state(), State::Open);
  EXPECT_FALSE(ask(b, kT0).allowed);
}

TEST(CircuitBreaker, OffWhenFailuresIsZero) {
  Transitions log;
  CircuitBreaker b(breaker_after(0), log.observer());
  for (int i = 0; i < 100; ++i) b.record(0, 1000, kT0);
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_EQ(b.consecutive_failures(), 0);
  EXPECT_EQ(b.opened_total(), 0u);
  const ClaimAnswer a = ask(b, kT0);
  EXPECT_TRUE(a.allowed);
  EXPECT_EQ(a.max_messages, 100);
  EXPECT_TRUE(log.seen.empty());
}

TEST(CircuitBreaker, TurningItOffClosesItAndTurningItOnStartsCounting) {
  Transitions log;
  CircuitBreaker b(breaker_after(1), log.observer());
  open_at_t0(b, 1);
  b.update(breaker_after(0));
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_TRUE(ask(b, kT0).allowed);
  ASSERT_EQ(log.seen.size(), 2u);
  EXPECT_TRUE(log.seen[1].turned_off);
  EXPECT_EQ(describe_transition(log.seen[1], "mail"), "breaker of mail closed: turned off");
  b.update(breaker_after(2));
  b.record(0, 1, kT0);
  EXPECT_EQ(b.state(), State::Closed);
  b.record(0, 1, kT0);
  EXPECT_EQ(b.state(), State::Open);
}

TEST(CircuitBreaker, UpdateKeepsAPendingProbeAndBoundsTheNextCoolOff) {
  CircuitBreaker b(breaker_after(1, milliseconds(1000), milliseconds(60000)));
  open_at_t0(b, 1);
  b.update(breaker_after(1, milliseconds(200), milliseconds(300)));
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(1000)) << "the probe time already named stands";
  ASSERT_TRUE(ask(b, kT0 + milliseconds(1000)).allowed);
  b.record(0, 1, kT0 + milliseconds(1000));
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(1300)) << "doubled, but at most the new max";
}

TEST(CircuitBreaker, ACoolOffOverTheMaxIsCutToIt) {
  CircuitBreaker b(breaker_after(1, milliseconds(10000), milliseconds(3000)));
  open_at_t0(b, 1);
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(3000));
}

TEST(CircuitBreaker, LongCoolOffsAreDescribedInWholeSeconds) {
  BreakerTransition t;
  t.from = State::Closed;
  t.to = State::Open;
  t.consecutive_failures = 12;
  t.cool_off = milliseconds(300000);
  EXPECT_EQ(describe_transition(t, "hooks"), "breaker of hooks opened after 12 consecutive failures; next probe in 300 s");
}

TEST(CircuitBreaker, TheObserverMayCallTheBreaker) {
  CircuitBreaker *self = nullptr;
  std::vector<State> states;
  CircuitBreaker b(breaker_after(1), [&](const BreakerTransition &) { states.push_back(self->state()); });
  self = &b;
  b.record(0, 1, kT0);
  ASSERT_TRUE(ask(b, kT0 + milliseconds(1000)).allowed);
  b.record(1, 0, kT0 + milliseconds(1000));
  EXPECT_EQ(states, (std::vector<State>{State::Open, State::HalfOpen, State::Closed})) << "no lock held: no deadlock";
}

// ---- The failure ratio over a window ---------------------------------------------------------

BreakerSettings breaker_by_ratio(double ratio, milliseconds window = milliseconds(10000), int min_sends = 10) {
  BreakerSettings s;
  s.failure_ratio = ratio;
  s.window = window;
  s.min_sends = min_sends;
  return s;
}

TEST(CircuitBreakerRatio, EveryOtherSendFailingOpensItByRatioThoughNoTwoFailInARow) {
  Transitions log;
  BreakerSettings s = breaker_by_ratio(0.5);
  s.failures = 5;  // never reached: no two failures in a row
  CircuitBreaker b(s, log.observer());
  for (int i = 0; i < 4; ++i) {
    b.record(1, 0, kT0 + milliseconds(100 * i));
    b.record(0, 1, kT0 + milliseconds(100 * i + 50));
  }
  EXPECT_EQ(b.state(), State::Closed) << "8 sends: under min_sends";
  b.record(1, 0, kT0 + milliseconds(900));
  b.record(0, 1, kT0 + milliseconds(950));
  ASSERT_EQ(b.state(), State::Open) << "5 of 10 failed";
  ASSERT_EQ(log.seen.size(), 1u);
  const BreakerTransition &t = log.seen[0];
  EXPECT_TRUE(t.by_ratio);
  EXPECT_EQ(t.window_sends, 10u);
  EXPECT_EQ(t.window_failures, 5u);
  EXPECT_EQ(t.consecutive_failures, 0);
  EXPECT_EQ(describe_transition(t, "mail"),
            "breaker of mail opened: 5 of 10 sends failed in the last 10 s (50%, breaker_failure_ratio 50%); "
            "next probe in 1.0 s");
  EXPECT_EQ(b.next_probe_at(), kT0 + milliseconds(950 + 1000));
}

TEST(CircuitBreakerRatio, OneFailureOfTwoNeverOpensIt) {
  CircuitBreaker b(breaker_by_ratio(0.5, milliseconds(10000), 20));
  b.record(1, 1, kT0);
  EXPECT_EQ(b.state(), State::Closed);
  b.record(0, 1, kT0);
  EXPECT_EQ(b.state(), State::Closed) << "2 of 3 failed, but 3 sends are too few to judge";
}

TEST(CircuitBreakerRatio, UnderTheRatioStaysClosed) {
  CircuitBreaker b(breaker_by_ratio(0.5));
  b.record(60, 40, kT0);
  b.record(0, 9, kT0 + milliseconds(10));
  EXPECT_EQ(b.state(), State::Closed) << "49 of 109";
  b.record(0, 11, kT0 + milliseconds(20));
  EXPECT_EQ(b.state(), State::Open) << "60 of 120";
}

TEST(CircuitBreakerRatio, FailuresOlderThanTheWindowNoLongerCount) {
  CircuitBreaker b(breaker_by_ratio(0.5));
  b.record(0, 9, kT0);  // 9 of 9: too few sends
  EXPECT_EQ(b.state(), State::Closed);
  b.record(1, 0, kT0 + milliseconds(10000));  // the failures have left the window
  b.record(5, 4, kT0 + milliseconds(10000));
  EXPECT_EQ(b.state(), State::Closed) << "4 of 10 in the window, not 13 of 19";
}

TEST(CircuitBreakerRatio, ARatioLikeThirtyPercentIsReachedExactly) {
  CircuitBreaker b(breaker_by_ratio(0.3, milliseconds(10000), 20));
  b.record(14, 5, kT0);
  b.record(0, 1, kT0);
  EXPECT_EQ(b.state(), State::Open) << "6 of 20 is 30%";
}

TEST(CircuitBreakerRatio, AfterRecoveryTheWindowStartsAfresh) {
  CircuitBreaker b(breaker_by_ratio(0.5));
  b.record(5, 5, kT0);
  ASSERT_EQ(b.state(), State::Open);
  ASSERT_TRUE(ask(b, kT0 + milliseconds(1000)).allowed);
  b.record(1, 0, kT0 + milliseconds(1000));
  ASSERT_EQ(b.state(), State::Closed);
  b.record(0, 1, kT0 + milliseconds(1001));
  EXPECT_EQ(b.state(), State::Closed) << "the failures before the opening are forgotten: 1 of 2 sends";
}

TEST(CircuitBreakerRatio, RatioAloneIsABreakerAndTurningItOffClosesIt) {
  Transitions log;
  CircuitBreaker b(breaker_by_ratio(1.0), log.observer());
  b.record(0, 10, kT0);
  ASSERT_EQ(b.state(), State::Open);
  b.update(breaker_by_ratio(0));
  EXPECT_EQ(b.state(), State::Closed);
  ASSERT_EQ(log.seen.size(), 2u);
  EXPECT_TRUE(log.seen[1].turned_off);
}

TEST(CircuitBreakerRatio, ANewWindowLengthStartsTheCountAfresh) {
  CircuitBreaker b(breaker_by_ratio(0.5));
  b.record(0, 9, kT0);
  b.update(breaker_by_ratio(0.5, milliseconds(20000)));
  b.record(0, 1, kT0 + milliseconds(1));
  EXPECT_EQ(b.state(), State::Closed) << "1 send in the new window";
  b.update(breaker_by_ratio(0.5, milliseconds(20000), 10));
  for (int i = 0; i < 9; ++i) b.record(0, 1, kT0 + milliseconds(2));
  EXPECT_EQ(b.state(), State::Open) << "the same window length keeps its count across a reload";
}

TEST(CircuitBreakerRatio, ParsesFractionsAndPercentages) {
  struct Good {
    const char *text;
    double ratio;
  } good[] = {{"0", 0}, {"0.5", 0.5}, {"1", 1}, {"1.0", 1}, {"50%", 0.5}, {"12.5%", 0.125}, {"100%", 1}};
  for (const Good &g : good) {
    double ratio = -1;
    std::string error;
    EXPECT_TRUE(parse_failure_ratio(g.text, ratio, error)) << g.text << ": " << error;
    EXPECT_DOUBLE_EQ(ratio, g.ratio) << g.text;
  }
  for (const char *bad : {"", "1.5", "101%", "0%", "-0.5", "50 %", "0.5.5", ".5", "5.", "1e-1", "nan", "inf", "0x1",
                          "half", "%", "0.5\nforged", "12345678901234567"}) {
    double ratio = -1;
    std::string error;
    EXPECT_FALSE(parse_failure_ratio(bad, ratio, error)) << bad;
    EXPECT_NE(error.find("(0, 1]"), std::string::npos) << bad << ": " << error;
  }
}

}  // namespace
}  // namespace outboxd

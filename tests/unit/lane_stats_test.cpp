// What a lane shows of its flow control (core/lane.hpp, core/in_flight_budget.hpp): in_flight is
// the claimed part of the budget, not the reservations made before a claim; the rate limit's
// counter counts seconds held back, not waits.
#include <gtest/gtest.h>

#include "core/in_flight_budget.hpp"
#include "core/lane.hpp"

namespace outboxd {
namespace {

using std::chrono::milliseconds;

TEST(LaneStats, InFlightCountsClaimedMessagesNotReservations) {
  InFlightBudget budget;
  {
    InFlightReservation r(budget);
    EXPECT_EQ(r.take(100, 150), 100);
    EXPECT_EQ(budget.reserved(), 100) << "the cap sees the reservation";
    EXPECT_EQ(budget.in_flight(), 0) << "nothing claimed yet";
    r.keep_only(7);
    EXPECT_EQ(budget.reserved(), 7);
    EXPECT_EQ(budget.in_flight(), 7);
    r.keep_only(3);  // a shared rate limit left four of them out of the batch
    EXPECT_EQ(budget.in_flight(), 3);
    InFlightReservation other(budget);
    EXPECT_EQ(other.take(200, 150), 147) << "the cap counts the reservations";
    EXPECT_EQ(budget.in_flight(), 3);
  }
  EXPECT_EQ(budget.reserved(), 0);
  EXPECT_EQ(budget.in_flight(), 0) << "the batch ended";
}

TEST(LaneStats, AClaimThatFindsNothingIsNeverInFlight) {
  InFlightBudget budget;
  InFlightReservation r(budget);
  r.take(10, 0);
  r.keep_only(0);
  EXPECT_EQ(budget.in_flight(), 0);
  EXPECT_EQ(budget.reserved(), 0);
}

TEST(LaneStats, RateLimitedCountsEachSecondOnceHoweverManyWaits) {
  DestinationConfig config;
  config.name = "mail";
  Lane lane(config);
  const Lane::Clock::time_point t0 = Lane::Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 50; ++i) lane.note_rate_limited(t0 + milliseconds(10 * i));  // 50 waits in 0.5 s
  EXPECT_EQ(lane.status(t0 + milliseconds(500)).rate_limited_seconds_total, 1u);
  EXPECT_TRUE(lane.status(t0 + milliseconds(500)).rate_limited);
  lane.note_rate_limited(t0 + milliseconds(1000));
  lane.note_rate_limited(t0 + milliseconds(1999));
  lane.note_rate_limited(t0 + milliseconds(5000));
  const LaneStatus s = lane.status(t0 + milliseconds(5000));
  EXPECT_EQ(s.rate_limited_seconds_total, 3u) << "seconds 0, 1 and 5";
  EXPECT_FALSE(lane.status(t0 + milliseconds(7000)).rate_limited) << "no wait in the last second";
}

// SIGHUP hands the lane the destination's new keys (Engine::reload -> Lane::configure).
TEST(LaneStats, AReloadTurnsTheFailureRatioOnAndOff) {
  DestinationConfig config;
  config.name = "mail";
  Lane lane(config);
  const Lane::Clock::time_point t0 = Lane::Clock::time_point() + std::chrono::hours(1);
  lane.breaker().record(5, 5, t0);
  EXPECT_EQ(lane.status(t0).breaker, BreakerState::Closed) << "no breaker configured";
  config.breaker_failure_ratio = "50%";
  config.breaker_min_sends = 10;
  lane.configure(config);
  lane.breaker().record(5, 5, t0);
  EXPECT_EQ(lane.status(t0).breaker, BreakerState::Open) << "5 of 10 failed";
  config.breaker_failure_ratio = "0";
  lane.configure(config);
  EXPECT_EQ(lane.status(t0).breaker, BreakerState::Closed) << "turned off";
}

}  // namespace
}  // namespace outboxd

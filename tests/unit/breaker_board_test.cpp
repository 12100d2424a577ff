// The board of this daemon's breaker states (core/breaker_board.hpp): what the publisher takes
// when lanes come and go with reloads, and a retired lane's late changes.
#include <gtest/gtest.h>

#include "core/breaker_board.hpp"

namespace outboxd {
namespace {

using Clock = BreakerBoard::Clock;

BreakerTransition transition(BreakerState from, BreakerState to) {
  static uint64_t sequence = 0;  // in the order the test makes them, as a breaker numbers its own
  BreakerTransition t;
  t.sequence = ++sequence;
  t.from = from;
  t.to = to;
  t.cool_off = std::chrono::seconds(5);
  return t;
}

std::vector<BreakerBoard::Entry> take_changed(BreakerBoard &board) {
  std::vector<BreakerBoard::Entry> out;
  EXPECT_TRUE(board.take(std::chrono::milliseconds(0), false, out));
  return out;
}

// Two lanes of one destination, one after the other (owner tokens: any distinct addresses).
int old_lane, new_lane;  // not const: distinct objects, whose addresses are never merged

TEST(BreakerBoard, ARetiredLanesOpenBreakerIsShownClosedWithTheReason) {
  BreakerBoard board;
  board.lane_opened("hooks", &old_lane, Clock::now());
  board.note("hooks", &old_lane, transition(BreakerState::Closed, BreakerState::Open), Clock::now());
  ASSERT_EQ(take_changed(board).size(), 1u);

  board.lane_retired("hooks", &old_lane, Clock::now());
  const auto changed = take_changed(board);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, BreakerState::Closed);
  EXPECT_NE(changed[0].reason.find("no longer configured"), std::string::npos) << changed[0].reason;
  EXPECT_EQ(changed[0].next_probe_at, Clock::time_point());
}

// The retired lane's workers finish the batch they were sending: its breaker may open after the
// retirement, or close after a new lane of that name opened. Neither reaches the board.
TEST(BreakerBoard, ARetiredLanesLateChangesDoNotReachTheBoard) {
  BreakerBoard board;
  board.lane_opened("hooks", &old_lane, Clock::now());
  board.lane_retired("hooks", &old_lane, Clock::now());
  board.note("hooks", &old_lane, transition(BreakerState::Closed, BreakerState::Open), Clock::now());
  EXPECT_TRUE(take_changed(board).empty()) << "opened after its lane was retired";

  board.lane_opened("hooks", &new_lane, Clock::now());
  board.note("hooks", &new_lane, transition(BreakerState::Closed, BreakerState::Open), Clock::now());
  board.note("hooks", &old_lane, transition(BreakerState::HalfOpen, BreakerState::Closed), Clock::now());
  const auto changed = take_changed(board);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, BreakerState::Open) << "the new lane's breaker is what shows";
  board.lane_retired("hooks", &old_lane, Clock::now());
  EXPECT_TRUE(take_changed(board).empty()) << "the old lane retiring again does not touch the new one's entry";
}

TEST(BreakerBoard, ADestinationConfiguredAgainShowsItsBreakerStartingClosed) {
  BreakerBoard board;
  board.lane_opened("hooks", &old_lane, Clock::now());
  board.note("hooks", &old_lane, transition(BreakerState::Closed, BreakerState::Open), Clock::now());
  board.lane_retired("hooks", &old_lane, Clock::now());
  take_changed(board);
  board.lane_opened("hooks", &new_lane, Clock::now());
  const auto changed = take_changed(board);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, BreakerState::Closed);
  EXPECT_NE(changed[0].reason.find("is configured"), std::string::npos) << changed[0].reason;
}

// A breaker reports its changes outside its mutex: a worker whose change came first may report it
// last. The board keeps the newer one.
TEST(BreakerBoard, AnOlderChangeArrivingLastDoesNotOverwriteANewerOne) {
  BreakerBoard board;
  board.lane_opened("hooks", &old_lane, Clock::now());
  const BreakerTransition half_open = transition(BreakerState::Open, BreakerState::HalfOpen);
  const BreakerTransition closed = transition(BreakerState::HalfOpen, BreakerState::Closed);
  board.note("hooks", &old_lane, closed, Clock::now());
  board.note("hooks", &old_lane, half_open, Clock::now());
  const auto changed = take_changed(board);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, BreakerState::Closed);
}

TEST(BreakerBoard, ALaneWhoseBreakerNeverChangedLeavesNothingToPublish) {
  BreakerBoard board;
  board.lane_opened("quiet", &old_lane, Clock::now());
  board.lane_retired("quiet", &old_lane, Clock::now());
  board.lane_opened("quiet", &new_lane, Clock::now());
  EXPECT_TRUE(take_changed(board).empty());
}

}  // namespace
}  // namespace outboxd

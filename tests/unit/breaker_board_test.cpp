// The board of this daemon's breaker states (core/breaker_board.hpp): what the publisher takes,
// and what a lane's retirement leaves for `outboxd stats`.
#include <gtest/gtest.h>

#include "core/breaker_board.hpp"

namespace outboxd {
namespace {

using Clock = BreakerBoard::Clock;

BreakerTransition opened() {
  BreakerTransition t;
  t.from = BreakerState::Closed;
  t.to = BreakerState::Open;
  t.cool_off = std::chrono::seconds(5);
  return t;
}

std::vector<BreakerBoard::Entry> take_changed(BreakerBoard &board) {
  std::vector<BreakerBoard::Entry> out;
  EXPECT_TRUE(board.take(std::chrono::milliseconds(0), false, out));
  return out;
}

TEST(BreakerBoard, ARetiredLanesOpenBreakerIsShownClosedWithTheReason) {
  BreakerBoard board;
  board.note("hooks", opened(), Clock::now());
  ASSERT_EQ(take_changed(board).size(), 1u);

  board.lane_retired("hooks", Clock::now());
  const auto changed = take_changed(board);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, BreakerState::Closed);
  EXPECT_NE(changed[0].reason.find("no longer configured"), std::string::npos) << changed[0].reason;
  EXPECT_EQ(changed[0].next_probe_at, Clock::time_point());
}

TEST(BreakerBoard, ARetiredLaneWithoutAnOpenBreakerChangesNothing) {
  BreakerBoard board;
  board.lane_retired("never-noted", Clock::now());
  EXPECT_TRUE(take_changed(board).empty());
  BreakerTransition closed = opened();
  closed.from = BreakerState::HalfOpen;
  closed.to = BreakerState::Closed;
  board.note("hooks", closed, Clock::now());
  take_changed(board);
  board.lane_retired("hooks", Clock::now());
  EXPECT_TRUE(take_changed(board).empty()) << "closed already: nothing new to publish";
}

}  // namespace
}  // namespace outboxd

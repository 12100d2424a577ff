// Outcome decisions: which plugin results deliver, retry or kill a message.
#include <gtest/gtest.h>

#include "core/outcome.hpp"

using namespace outboxd;
using namespace std::chrono;

namespace {
SendResult result(outboxd_status s, const std::string &error = "", int64_t retry_after = -1) {
  SendResult r;
  r.status = s;
  r.error = error;
  r.retry_after_ms = retry_after;
  return r;
}
}  // namespace

TEST(Outcome, OkIsDelivered) {
  auto o = decide_outcome(result(OUTBOXD_OK), 1, 25, hours(1), 0.5);
  EXPECT_EQ(o.state, NextState::Delivered);
  EXPECT_EQ(std::string(state_name(o.state)), "delivered");
}

TEST(Outcome, RetryWithAttemptsLeftIsRescheduled) {
  auto o = decide_outcome(result(OUTBOXD_RETRY, "HTTP 503", 2000), 3, 25, hours(1), 0.5);
  EXPECT_EQ(o.state, NextState::Retry);
  EXPECT_EQ(o.delay, milliseconds(2000));
  EXPECT_EQ(o.error, "HTTP 503");
  EXPECT_EQ(std::string(state_name(o.state)), "pending");
}

TEST(Outcome, RetryOnTheLastAttemptIsDeadAndSaysSo) {
  auto o = decide_outcome(result(OUTBOXD_RETRY, "HTTP 503"), 25, 25, hours(1), 0.5);
  EXPECT_EQ(o.state, NextState::Dead);
  EXPECT_EQ(o.error, "HTTP 503 (gave up after 25 attempts)");
}

TEST(Outcome, PermanentIsDeadAtOnce) {
  auto o = decide_outcome(result(OUTBOXD_PERMANENT, "550 no such user"), 1, 25, hours(1), 0.5);
  EXPECT_EQ(o.state, NextState::Dead);
  EXPECT_EQ(o.error, "550 no such user");
}

TEST(Outcome, FailureWithoutAReasonStillRecordsOne) {
  EXPECT_FALSE(decide_outcome(result(OUTBOXD_RETRY), 1, 25, hours(1), 0.5).error.empty());
  EXPECT_FALSE(decide_outcome(result(OUTBOXD_PERMANENT), 1, 25, hours(1), 0.5).error.empty());
}

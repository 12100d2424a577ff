// Retry delays: the plugin's hint wins, else attempt^4 seconds with +/-10 % jitter, always capped.
#include <gtest/gtest.h>

#include "core/retry_policy.hpp"

using namespace std::chrono;
using outboxd::retry_delay;

TEST(RetryPolicy, GrowsAsAttemptToTheFourthSeconds) {
  EXPECT_EQ(retry_delay(1, -1, hours(1), 0.5), milliseconds(1000));
  EXPECT_EQ(retry_delay(2, -1, hours(1), 0.5), milliseconds(16000));
  EXPECT_EQ(retry_delay(3, -1, hours(1), 0.5), milliseconds(81000));
}

TEST(RetryPolicy, JitterStaysWithinTenPercent) {
  EXPECT_EQ(retry_delay(2, -1, hours(1), 0.0), milliseconds(14400));
  EXPECT_EQ(retry_delay(2, -1, hours(1), 1.0), milliseconds(17600));
}

TEST(RetryPolicy, CapsDelayAtMaxBackoff) {
  EXPECT_EQ(retry_delay(20, -1, seconds(30), 0.5), seconds(30));
  EXPECT_EQ(retry_delay(1, 90000, seconds(30), 0.5), seconds(30)) << "a plugin's hint is capped too";
}

TEST(RetryPolicy, PluginRetryAfterWinsOverBackoff) {
  EXPECT_EQ(retry_delay(5, 250, hours(1), 0.5), milliseconds(250));
  EXPECT_EQ(retry_delay(5, 0, hours(1), 0.5), milliseconds(0));
}

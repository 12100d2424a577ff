// A destination's rate limit in one daemon (core/rate_limiter.hpp): the text form, and the token
// bucket driven by a clock the test moves by hand.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/rate_limiter.hpp"

namespace outboxd {
namespace {

using Clock = LocalRateLimiter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

RateLimit bucket_of(double rate, int burst = 0) {
  RateLimit limit;
  limit.per_second = rate;
  limit.burst = burst;
  return limit;
}

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1);

TEST(RateLimitText, ReadsEveryUnit) {
  const struct {
    const char *text;
    double per_second;
  } cases[] = {{"20/s", 20},         {"20/second", 20},    {"600/m", 10},  {"600/min", 10},
               {"600/minute", 10},   {"3600/h", 1},        {"3600/hour", 1}, {"1/h", 1.0 / 3600},
               {"1000000000/s", 1e9}};
  for (const auto &c : cases) {
    RateLimit limit;
    std::string error;
    EXPECT_TRUE(parse_rate_limit(c.text, limit, error)) << c.text << ": " << error;
    EXPECT_DOUBLE_EQ(limit.per_second, c.per_second) << c.text;
    EXPECT_EQ(error, "") << c.text;
  }
}

TEST(RateLimitText, LeavesBurstAndSharedAsTheyAre) {
  RateLimit limit;
  limit.burst = 7;
  limit.shared = true;
  std::string error;
  ASSERT_TRUE(parse_rate_limit("5/s", limit, error)) << error;
  EXPECT_EQ(limit.burst, 7);
  EXPECT_TRUE(limit.shared);
}

TEST(RateLimitText, AnythingElseIsRefusedWithAMessageNamingIt) {
  const struct {
    const char *text;
    const char *error;
  } cases[] = {
      {"20 per s", "\"20 per s\" is not N/s, N/min or N/h"},
      {"", "\"\" is not N/s, N/min or N/h"},
      {"20", "\"20\" is not N/s, N/min or N/h"},
      {"/s", "\"/s\" is not N/s, N/min or N/h"},
      {"20/", "\"20/\" is not N/s, N/min or N/h"},
      {"20/d", "\"20/d\" is not N/s, N/min or N/h"},
      {"20/S", "\"20/S\" is not N/s, N/min or N/h"},
      {"20/seconds", "\"20/seconds\" is not N/s, N/min or N/h"},
      {" 20/s", "\" 20/s\" is not N/s, N/min or N/h"},
      {"20 /s", "\"20 /s\" is not N/s, N/min or N/h"},
      {"-5/s", "\"-5/s\" is not N/s, N/min or N/h"},
      {"+5/s", "\"+5/s\" is not N/s, N/min or N/h"},
      {"2.5/s", "\"2.5/s\" is not N/s, N/min or N/h"},
      {"5/s/s", "\"5/s/s\" is not N/s, N/min or N/h"},
      {"0/s", "\"0/s\": the count must be a whole number from 1 to 1000000000"},
      {"000/min", "\"000/min\": the count must be a whole number from 1 to 1000000000"},
      {"1000000001/s", "\"1000000001/s\": the count must be a whole number from 1 to 1000000000"},
      {"99999999999999999999999999/s",
       "\"99999999999999999999999999/s\": the count must be a whole number from 1 to 1000000000"},
  };
  for (const auto &c : cases) {
    RateLimit limit;
    limit.per_second = 3;
    std::string error;
    EXPECT_FALSE(parse_rate_limit(c.text, limit, error)) << c.text;
    EXPECT_EQ(error, c.error);
    EXPECT_EQ(limit.per_second, 3) << c.text << ": a refused text changes nothing";
  }
}

TEST(RateLimitText, TheMessageQuotesALongOrOddTextOnlyInPart) {
  RateLimit limit;
  std::string error;
  EXPECT_FALSE(parse_rate_limit(std::string(10000, '7') + "/fortnight", limit, error));
  EXPECT_LT(error.size(), 100u) << error;
  EXPECT_FALSE(parse_rate_limit("5/s\nforged log line", limit, error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(RateLimitBurst, DefaultsToOneSecondOfTokensAndAtLeastOne) {
  EXPECT_EQ(effective_burst(bucket_of(20)), 20);
  EXPECT_EQ(effective_burst(bucket_of(2.5)), 3);
  EXPECT_EQ(effective_burst(bucket_of(10.0 / 60)), 1);
  EXPECT_EQ(effective_burst(bucket_of(1e9)), 1000000000);
  EXPECT_EQ(effective_burst(bucket_of(20, 5)), 5);
}

TEST(LocalRateLimiter, StartsFullAndGrantsNoMoreThanTheBucketHolds) {
  LocalRateLimiter bucket(bucket_of(10, 4));
  EXPECT_EQ(bucket.take(3, kStart), 3);
  EXPECT_EQ(bucket.take(3, kStart), 1) << "one token was left";
  EXPECT_EQ(bucket.take(3, kStart), 0);
  EXPECT_EQ(bucket.take(0, kStart), 0);
  EXPECT_EQ(bucket.take(-2, kStart), 0);
}

TEST(LocalRateLimiter, RefillsByTheTimeElapsedUpToTheBurst) {
  LocalRateLimiter bucket(bucket_of(10, 5));
  EXPECT_EQ(bucket.take(5, kStart), 5);
  EXPECT_EQ(bucket.take(5, kStart + milliseconds(50)), 0) << "half a token";
  EXPECT_EQ(bucket.take(5, kStart + milliseconds(100)), 1);
  EXPECT_EQ(bucket.take(5, kStart + milliseconds(350)), 2) << "2.5 tokens made";
  EXPECT_EQ(bucket.take(5, kStart + milliseconds(400)), 1) << "the half left over plus half a token";
  EXPECT_EQ(bucket.take(100, kStart + seconds(60)), 5) << "a long idle time fills only up to the burst";
}

TEST(LocalRateLimiter, TheTotalGrantedFollowsTheRateOverManySmallSteps) {
  LocalRateLimiter bucket(bucket_of(7, 3));
  int granted = 0;
  Clock::time_point now = kStart;
  for (int i = 0; i <= 10000; ++i) {
    granted += bucket.take(2, now);
    now += milliseconds(1);
  }
  // 3 at the start, 7 per second for the 10 s from the first take to the last.
  EXPECT_EQ(granted, 3 + 70);
}

TEST(LocalRateLimiter, NextTokenAtIsWhenTakeGrantsAgain) {
  LocalRateLimiter bucket(bucket_of(3, 1));
  EXPECT_EQ(bucket.next_token_at(kStart), kStart) << "full: a token is there now";
  ASSERT_EQ(bucket.take(1, kStart), 1);
  Clock::time_point now = kStart;
  for (int i = 0; i < 30; ++i) {  // a third of a second each, which no clock tick holds exactly
    const Clock::time_point next = bucket.next_token_at(now);
    EXPECT_GT(next, now);
    EXPECT_LE(next - now, milliseconds(334));
    EXPECT_EQ(bucket.take(1, next - std::chrono::microseconds(1)), 0) << "round " << i << ": not yet";
    EXPECT_EQ(bucket.take(1, next), 1) << "round " << i << ": the caller that slept until then gets its token";
    now = next;
  }
}

TEST(LocalRateLimiter, NextTokenAtOfAVerySlowRateIsBounded) {
  LocalRateLimiter bucket(bucket_of(1e-12));
  ASSERT_EQ(bucket.take(1, kStart), 1);
  EXPECT_EQ(bucket.next_token_at(kStart), kStart + kLongestTokenWait);
}

TEST(LocalRateLimiter, NoLimitGrantsEverythingAtOnce) {
  LocalRateLimiter bucket(RateLimit{});
  EXPECT_EQ(bucket.take(1000000, kStart), 1000000);
  EXPECT_EQ(bucket.take(1000000, kStart), 1000000);
  EXPECT_EQ(bucket.next_token_at(kStart), kStart);
}

TEST(LocalRateLimiter, ATimeEarlierThanOneSeenMakesNoTokens) {
  LocalRateLimiter bucket(bucket_of(10, 2));
  EXPECT_EQ(bucket.take(2, kStart + seconds(10)), 2);
  EXPECT_EQ(bucket.take(2, kStart), 0);
  EXPECT_EQ(bucket.take(2, kStart + seconds(10)), 0) << "the earlier time did not move the refill back";
  EXPECT_EQ(bucket.take(2, kStart + seconds(10) + milliseconds(100)), 1);
}

TEST(LocalRateLimiter, UpdateShrinkingTheBurstKeepsNoMoreThanTheNewBurst) {
  LocalRateLimiter bucket(bucket_of(10, 20));
  EXPECT_EQ(bucket.take(5, kStart), 5);  // 15 left
  bucket.update(bucket_of(10, 4));
  EXPECT_EQ(bucket.limit().burst, 4);
  EXPECT_EQ(bucket.take(100, kStart), 4) << "15 tokens held, but the new burst is 4";
  EXPECT_EQ(bucket.take(100, kStart + seconds(60)), 4) << "and it refills to 4 only";
}

TEST(LocalRateLimiter, UpdateKeepsTheFillBelowTheNewBurstAndUsesTheNewRate) {
  LocalRateLimiter bucket(bucket_of(10, 10));
  EXPECT_EQ(bucket.take(8, kStart), 8);  // 2 left
  bucket.update(bucket_of(100, 50));
  EXPECT_EQ(bucket.take(100, kStart), 2) << "growing the burst gives no tokens by itself";
  EXPECT_EQ(bucket.take(100, kStart + milliseconds(100)), 10) << "100/s for 0.1 s";
}

TEST(LocalRateLimiter, UpdateFromNoLimitStartsFullAndToNoLimitGrantsAll) {
  LocalRateLimiter bucket(RateLimit{});
  EXPECT_EQ(bucket.take(50, kStart), 50);
  bucket.update(bucket_of(1, 3));
  EXPECT_EQ(bucket.take(50, kStart), 3);
  EXPECT_EQ(bucket.take(50, kStart), 0);
  bucket.update(RateLimit{});
  EXPECT_EQ(bucket.take(50, kStart), 50);
}

TEST(LocalRateLimiter, ThreadsTakingAtOnceShareTheBucketExactly) {
  LocalRateLimiter bucket(bucket_of(1000, 500));
  std::vector<int> granted(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) granted[t] += bucket.take(1, kStart);
    });
  for (auto &thread : threads) thread.join();
  EXPECT_EQ(granted[0] + granted[1] + granted[2] + granted[3], 500) << "the time stood still: the burst only";
}

// A claim that found fewer messages than it took tokens for gives the rest back, up to the burst.
TEST(LocalRateLimiter, GivesBackUnusedTokensUpToTheBurst) {
  RateLimit limit;
  limit.per_second = 10;
  limit.burst = 10;
  LocalRateLimiter bucket(limit);
  const auto t0 = kStart;
  EXPECT_EQ(bucket.take(10, t0), 10);
  EXPECT_EQ(bucket.take(1, t0), 0);
  bucket.give_back(4);
  EXPECT_EQ(bucket.take(10, t0), 4);
  bucket.give_back(50);
  EXPECT_EQ(bucket.take(50, t0), 10) << "never past the burst";
}

}  // namespace
}  // namespace outboxd

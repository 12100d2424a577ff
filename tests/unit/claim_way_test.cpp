// core/claim_way.hpp: when a worker claims keys' runs (message_claim_key_runs.sql) and when it
// walks the claim index one row per key (message_claim.sql).
#include <gtest/gtest.h>

#include "core/claim_way.hpp"

using namespace outboxd;

namespace {

ClaimSeen unkeyed(int rows) { return ClaimSeen{100, rows, false, false, 0}; }
ClaimSeen keys_one_row_each(int rows) { return ClaimSeen{100, rows, true, false, 0}; }
ClaimSeen runs(int rows) { return ClaimSeen{100, rows, true, true, 0}; }
ClaimSeen left_most(int rows, int left) { return ClaimSeen{100, rows, true, rows > 1, left}; }

}  // namespace

TEST(ClaimWay, WithoutKeysEveryClaimIsThePlainOne) {
  ClaimWay way;
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(way.key_runs());
    way.after(unkeyed(100));
  }
  EXPECT_FALSE(way.key_runs());
}

TEST(ClaimWay, AClaimThatFindsKeysTriesTheWindowAndKeepsItWhileItFindsRuns) {
  ClaimWay way;
  way.after(keys_one_row_each(100));  // the plain claim sees keys, not whether they come in runs
  ASSERT_TRUE(way.key_runs());
  for (int i = 0; i < 50; ++i) {
    way.after(runs(100));
    EXPECT_TRUE(way.key_runs());
  }
}

TEST(ClaimWay, KeysWithoutRunsGoBackToThePlainClaimAndTryTheWindowAgainNowAndThen) {
  ClaimWay way;
  way.after(keys_one_row_each(100));
  ASSERT_TRUE(way.key_runs());
  way.after(keys_one_row_each(100));  // the window found one row per key: nothing gained
  int plain = 0;
  while (!way.key_runs() && plain < 1000) {
    way.after(keys_one_row_each(100));
    ++plain;
  }
  EXPECT_EQ(plain, ClaimWay::kPlainClaimsBetweenTries + 1);
}

TEST(ClaimWay, AWindowThatFindsNoKeysGoesBackToThePlainClaimForGood) {
  ClaimWay way;
  way.after(keys_one_row_each(10));
  ASSERT_TRUE(way.key_runs());
  way.after(unkeyed(100));
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(way.key_runs());
    way.after(unkeyed(100));
  }
}

TEST(ClaimWay, AWindowLeftForTheirKeysOnceIsTriedAgainTwiceInARowIsWalkedPast) {
  ClaimWay way;
  way.after(keys_one_row_each(100));
  way.after(runs(100));
  ASSERT_TRUE(way.key_runs());
  way.after(left_most(3, 97));  // another worker held the run's start: free once this batch ends
  EXPECT_TRUE(way.key_runs());
  way.after(runs(100));
  EXPECT_TRUE(way.key_runs());
  way.after(left_most(0, 100));
  EXPECT_TRUE(way.key_runs());
  way.after(left_most(0, 100));  // still: a key's earlier row waits for a retry
  EXPECT_FALSE(way.key_runs()) << "the next claim walks past the rows the window keeps leaving";
  way.after(keys_one_row_each(40));  // found keys' first rows past them
  EXPECT_TRUE(way.key_runs()) << "then the window again, at once";
}

TEST(ClaimWay, AWindowThatLeftAFewRowsButClaimedMostIsNotHeldUp) {
  ClaimWay way;
  way.after(keys_one_row_each(100));
  for (int i = 0; i < 10; ++i) {
    way.after(left_most(60, 40));
    EXPECT_TRUE(way.key_runs());
  }
}

namespace {
ClaimSeen timed(ClaimSeen seen, double claim_ms) {
  seen.claim_ms = claim_ms;
  return seen;
}
}  // namespace

TEST(ClaimWay, WavesThatCostLessThanTheWalkTheySaveKeepTheWindow) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 60.0));  // the plain claim walked the runs: 0.6 ms a message
  ASSERT_TRUE(way.key_runs());
  for (int i = 0; i < 20; ++i) {
    way.after(timed(runs(100), 2.0));
    way.after_waves(100, 5.0);  // a plugin that sends fast: 0.05 ms a message added
    EXPECT_TRUE(way.key_runs());
  }
}

TEST(ClaimWay, WavesThatCostMoreThanTheWalkTheySaveGoBackToThePlainClaim) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 60.0));
  ASSERT_TRUE(way.key_runs());
  way.after(timed(runs(100), 2.0));
  way.after_waves(100, 99 * 20.0);  // 100 requests of 20 ms one after another, not in one call
  EXPECT_FALSE(way.key_runs());
  int plain = 0;
  while (!way.key_runs() && plain < 1000) {
    way.after(timed(keys_one_row_each(100), 60.0));
    ++plain;
  }
  EXPECT_EQ(plain, ClaimWay::kPlainClaimsBetweenTries + 1) << "and tries the window again now and then";
}

TEST(ClaimWay, WavesOfAPlainClaimsBatchAreNotCounted) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 60.0));
  way.after(timed(runs(100), 2.0));
  ASSERT_TRUE(way.key_runs());
  way.after(timed(left_most(0, 100), 1.0));
  way.after(timed(left_most(0, 100), 1.0));  // gives way to one plain claim
  ASSERT_FALSE(way.key_runs());
  way.after(timed(keys_one_row_each(50), 30.0));  // the plain claim, whose batch has one wave
  way.after_waves(50, 10000.0);  // told after a batch the window did not claim: ignored
  EXPECT_TRUE(way.key_runs());
}

TEST(ClaimWay, AWindowWithoutRunsStaysWhileThePlainClaimLastCostMorePerMessage) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 60.0));  // walked past runs: 0.6 ms a message
  ASSERT_TRUE(way.key_runs());
  way.after(timed(keys_one_row_each(30), 1.0));  // the ends of runs, one row a key: 0.03 ms a message
  EXPECT_TRUE(way.key_runs());
  way.after(timed(unkeyed(100), 1.0));  // no keys at all: the plain claim is the cheaper one
  EXPECT_FALSE(way.key_runs());
}

TEST(ClaimWay, WavesThatAddNothingNeverSendTheWorkerBack) {
  // A plugin without send_batch sends one message at a time either way: the waves add nothing,
  // even when the window's claim, as measured, saved nothing either.
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 0.1));
  ASSERT_TRUE(way.key_runs());
  way.after(timed(runs(100), 2.0));
  way.after_waves(100, 0.0);
  EXPECT_TRUE(way.key_runs());
}

// Windows of `ms` each until the worker goes back to one plain claim; how many (at most 100,000).
int windows_until_plain(ClaimWay &way, double ms) {
  int windows = 0;
  while (way.key_runs() && windows < 100000) {
    way.after(timed(runs(100), ms));
    ++windows;
  }
  return windows;
}

TEST(ClaimWay, AfterManyWindowsOnePlainClaimMeasuresItsCostAgain) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 1.0));
  ASSERT_TRUE(way.key_runs());
  EXPECT_EQ(windows_until_plain(way, 2.0), ClaimWay::kWindowsBetweenPlainMeasures);
  way.after(timed(keys_one_row_each(100), 1.0));  // measured again; runs found: the window at once
  EXPECT_TRUE(way.key_runs());
}

TEST(ClaimWay, ADearPlainClaimIsMeasuredAgainOnlyAfterWindowsWorthTwentyTimesIt) {
  // A deep backlog of runs: the plain claim walks them (60 ms), a window takes 2 ms. Measured every
  // 64 windows (128 ms), the plain claim would add half as much again to claiming.
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 60.0));
  ASSERT_TRUE(way.key_runs());
  const int windows = windows_until_plain(way, 2.0);
  EXPECT_NEAR(windows, 600, 1);  // 600 x 2 ms x 5 % = 60 ms
  way.after(timed(keys_one_row_each(100), 60.0));
  EXPECT_TRUE(way.key_runs()) << "still the dearer one: the window again at once";
  EXPECT_NEAR(windows_until_plain(way, 2.0), 600, 1);
}

TEST(ClaimWay, APlainClaimThatStalledDoesNotPutTheNextMeasureOffForLong) {
  ClaimWay way;
  way.after(timed(keys_one_row_each(100), 5000.0));  // a checkpoint's stall
  ASSERT_TRUE(way.key_runs());
  EXPECT_EQ(windows_until_plain(way, 2.0), ClaimWay::kMaxWindowsBetweenPlainMeasures);
}

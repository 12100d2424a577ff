// The dashboard chart's 15 minutes of per-second counts (core/throughput_series.hpp).
#include <gtest/gtest.h>

#include <numeric>

#include "core/throughput_series.hpp"

using outboxd::ThroughputSeries;

TEST(ThroughputSeries, HoldsTheLastFifteenMinutesSecondBySecondOldestFirst) {
  ThroughputSeries s;
  s.add(10000, 5, 1);
  s.add(10000, 2, 0);
  s.add(10899, 3, 4);
  const auto snap = s.snapshot(10899);
  ASSERT_EQ(snap.delivered.size(), 900u);
  ASSERT_EQ(snap.failed.size(), 900u);
  EXPECT_EQ(snap.end_unix, 10899);
  EXPECT_EQ(snap.delivered.front(), 7u) << "second 10000 is the oldest of the window ending at 10899";
  EXPECT_EQ(snap.failed.front(), 1u);
  EXPECT_EQ(snap.delivered.back(), 3u);
  EXPECT_EQ(snap.failed.back(), 4u);
  const auto later = s.snapshot(10900);
  EXPECT_EQ(std::accumulate(later.delivered.begin(), later.delivered.end(), 0ull), 3u) << "10000 left the window";
  EXPECT_EQ(later.delivered[898], 3u);
}

TEST(ThroughputSeries, ABucketReusedFifteenMinutesLaterStartsFromZero) {
  ThroughputSeries s;
  s.add(500, 9, 9);
  s.add(1400, 1, 0);  // the same bucket, 900 s on
  const auto snap = s.snapshot(1400);
  EXPECT_EQ(std::accumulate(snap.delivered.begin(), snap.delivered.end(), 0ull), 1u);
  EXPECT_EQ(std::accumulate(snap.failed.begin(), snap.failed.end(), 0ull), 0u);
  const auto idle = s.snapshot(5000);
  EXPECT_EQ(std::accumulate(idle.delivered.begin(), idle.delivered.end(), 0ull), 0u) << "nothing counted lately";
}

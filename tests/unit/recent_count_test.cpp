// The one-minute window behind GET /v1/stats' delivered_last_minute when retention is short.
#include <gtest/gtest.h>

#include "core/recent_count.hpp"

using outboxd::RecentCount;

TEST(RecentCount, CountsTheLastSixtySecondsOnly) {
  RecentCount c;
  c.add(1000, 2);
  c.add(1030, 3);
  c.add(1059, 4);
  EXPECT_EQ(c.total(1059), 9u);
  EXPECT_EQ(c.total(1060), 7u) << "second 1000 left the window";
  EXPECT_EQ(c.total(1089), 7u);
  EXPECT_EQ(c.total(1090), 4u);
  EXPECT_EQ(c.total(1119), 0u);
}

TEST(RecentCount, ABucketReusedAMinuteLaterStartsFromZero) {
  RecentCount c;
  c.add(5, 10);
  c.add(65, 1);  // the same slot as second 5
  EXPECT_EQ(c.total(65), 1u);
  c.add(65, 1);
  EXPECT_EQ(c.total(65), 2u);
}

TEST(RecentCount, EventsNewerThanTheQueryAreNotCounted) {
  RecentCount c;
  c.add(100, 1);
  EXPECT_EQ(c.total(99), 0u);
  EXPECT_EQ(c.total(100), 1u);
}

TEST(RecentCount, EmptyWindowIsZeroEvenAtSmallTimes) {
  RecentCount c;
  EXPECT_EQ(c.total(0), 0u);
  c.add(0, 5);
  EXPECT_EQ(c.total(0), 5u);
  EXPECT_EQ(c.total(59), 5u);
  EXPECT_EQ(c.total(60), 0u);
}

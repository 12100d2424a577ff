// The failure ratio's window (core/send_window.hpp), driven by a clock the test moves by hand: what
// it counts, when a send leaves it, and that its memory does not grow with the sends.
#include <gtest/gtest.h>

#include "core/send_window.hpp"

namespace outboxd {
namespace {

using std::chrono::milliseconds;
const SendWindow::Clock::time_point kWindowT0 = SendWindow::Clock::time_point() + std::chrono::hours(1);

TEST(SendWindow, CountsTheSendsAndFailuresOfTheWindow) {
  SendWindow w(milliseconds(10000));
  w.add(kWindowT0, 3, 1);
  w.add(kWindowT0 + milliseconds(4000), 0, 2);
  const SendWindow::Totals t = w.totals(kWindowT0 + milliseconds(5000));
  EXPECT_EQ(t.sends, 6u);
  EXPECT_EQ(t.failures, 3u);
}

TEST(SendWindow, ASendLeavesTheWindowOnceItsBucketIsOlderThanTheWindow) {
  SendWindow w(milliseconds(10000));  // buckets of 1 s
  w.add(kWindowT0, 0, 5);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(9999)).failures, 5u) << "still within the window";
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(10000)).failures, 0u) << "its bucket is ten buckets old";
  w.add(kWindowT0 + milliseconds(10500), 1, 0);
  const SendWindow::Totals t = w.totals(kWindowT0 + milliseconds(10500));
  EXPECT_EQ(t.sends, 1u) << "the reused bucket forgot the old sends";
  EXPECT_EQ(t.failures, 0u);
}

TEST(SendWindow, ALongQuietSpellForgetsEverything) {
  SendWindow w(milliseconds(30000));
  for (int i = 0; i < 10; ++i) w.add(kWindowT0 + milliseconds(3000 * i), 1, 1);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(27000)).sends, 20u);
  EXPECT_EQ(w.totals(kWindowT0 + std::chrono::hours(5)).sends, 0u);
}

TEST(SendWindow, MemoryIsFixedWhateverTheRate) {
  SendWindow w(milliseconds(1000));
  for (int i = 0; i < 100000; ++i) w.add(kWindowT0 + milliseconds(i / 100), 1, 0);  // 100 sends a millisecond
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(999)).sends, 100000u);
  static_assert(sizeof(SendWindow) < 512, "ten buckets, not a list of sends");
}

TEST(SendWindow, ResetForgetsAndTakesTheNewLength) {
  SendWindow w(milliseconds(10000));
  w.add(kWindowT0, 2, 2);
  w.reset(milliseconds(50));
  EXPECT_EQ(w.length(), milliseconds(50));
  EXPECT_EQ(w.totals(kWindowT0).sends, 0u);
  w.add(kWindowT0, 1, 0);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(49)).sends, 1u);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(50)).sends, 0u);
}

TEST(SendWindow, AWindowShorterThanTenMillisecondsHasOneMillisecondBuckets) {
  SendWindow w(milliseconds(5));
  w.add(kWindowT0, 1, 1);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(9)).sends, 2u);
  EXPECT_EQ(w.totals(kWindowT0 + milliseconds(10)).sends, 0u);
}

}  // namespace
}  // namespace outboxd

// core/beat_stretch.hpp through the lane that holds it (core/lane_wake.hpp): when a busy lane's
// beat stretches and when it must not. A simulated clock drives one worker of a lane: it takes the
// lane's next beat, claims what arrived meanwhile (as each test says), and notes the claim.
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <functional>

#include "core/lane_wake.hpp"

using namespace outboxd;
using namespace std::chrono_literals;

namespace {

constexpr auto kInterval = 2ms;  // busy_poll_interval's default
constexpr auto kLinger = 200ms;  // wakeup.linger's default
constexpr int kBatch = 100;

// What a claim finds after waiting `waited` since the lane's claim before.
using Finds = std::function<int(std::chrono::nanoseconds waited)>;

// Rows arriving steadily, `per_ms` a millisecond: a wait twice as long finds twice as many.
Finds stream(double per_ms) {
  return [per_ms](std::chrono::nanoseconds waited) {
    return static_cast<int>(per_ms * std::chrono::duration<double, std::milli>(waited).count());
  };
}
// A keyed backlog with fewer keys than a batch: each claim finds the keys' heads, however long it waited.
Finds keyed_backlog(int keys) {
  return [keys](std::chrono::nanoseconds) { return keys; };
}

struct SimulatedLane {
  LaneWake lane;
  LaneWake::Clock::time_point now = LaneWake::Clock::time_point(1h);
  ClaimFound shape{kBatch, kBatch, false, 0};  // a full-size claim of everything due
  int64_t rows = 0;
  int stretched_claims = 0;  // claims that followed a stretched beat
  std::chrono::nanoseconds longest_beat{0};

  // One worker's round: wait for the lane's next beat, claim, note the claim.
  void round(const Finds &finds) {
    const auto beat = lane.beat(kInterval);
    const auto slot = lane.take_poll_slot(now, kInterval);
    const auto waited = slot - now;
    now = slot;
    stretched_claims += beat > kInterval;
    longest_beat = std::max(longest_beat, beat);
    ClaimFound claim = shape;
    claim.found = std::min(finds(waited), claim.asked);
    rows += claim.found;
    lane.note_claim(claim, kInterval, kLinger, now);
  }
  void rounds(int n, const Finds &finds) {
    for (int i = 0; i < n; ++i) round(finds);
  }
  // Rounds for `how_long` of simulated time.
  void run_for(std::chrono::nanoseconds how_long, const Finds &finds) {
    const auto until = now + how_long;
    while (now < until) round(finds);
  }
};

// A stream of 4 rows a millisecond (8 a beat) earns the longest stretch: measured at the plain
// beat (after a first claim, which has none before it to measure from), then tried, and kept.
void stretch_under_a_stream(SimulatedLane &s) {
  s.rounds(1 + 2 * BeatStretch::kSampleClaims, stream(4));
  ASSERT_EQ(s.lane.beat(kInterval), BeatStretch::kMaxStretch * kInterval);
}

}  // namespace

TEST(BeatStretch, ATrickleKeepsThePlainBeat) {
  SimulatedLane s;
  // 50 a second finds one in every tenth beat or so.
  int beats = 0;
  s.rounds(500, [&beats](std::chrono::nanoseconds) { return ++beats % 10 == 0 ? 1 : 0; });
  // 500 a second finds one every beat: still far from a stream worth stretching for.
  s.rounds(500, [](std::chrono::nanoseconds) { return 1; });
  EXPECT_EQ(s.longest_beat, kInterval);
}

TEST(BeatStretch, ASteadyStreamStretchesTheBeatAndKeepsItStretched) {
  SimulatedLane s;
  stretch_under_a_stream(s);
  const int before = s.stretched_claims;
  s.rounds(400, stream(4));
  // It measures again at the plain beat every kStretchClaims claims (kSampleClaims plain beats),
  // and otherwise claims at four beats: 32 rows a claim instead of 8.
  EXPECT_GE(s.stretched_claims - before, 400 * 3 / 4);
  EXPECT_EQ(s.longest_beat, BeatStretch::kMaxStretch * kInterval);
}

TEST(BeatStretch, AStreamStretchesNoFurtherThanHalfABatchAClaim) {
  SimulatedLane s;
  s.shape = ClaimFound{20, 20, false, 0};  // batch_size 20: four beats of 8 would fill it
  s.rounds(100, stream(4));
  EXPECT_EQ(s.longest_beat, kInterval) << "two beats of 8 would be 16 rows, over half a batch";
  SimulatedLane t;
  t.shape = ClaimFound{40, 40, false, 0};
  t.rounds(100, stream(4));
  EXPECT_EQ(t.longest_beat, 2 * kInterval);
}

// Short claims of a keyed backlog: a longer wait finds the same keys' heads, so the try does not
// pay, the lane goes back to the plain beat at once and does not try again for a hold-off.
TEST(BeatStretch, AStretchThatDoesNotCollectMoreFallsBackAndHoldsOff) {
  SimulatedLane s;
  s.rounds(1 + BeatStretch::kSampleClaims, keyed_backlog(20));
  ASSERT_GT(s.lane.beat(kInterval), kInterval) << "20 a beat looks like a stream at first: it is tried";
  s.rounds(BeatStretch::kSampleClaims, keyed_backlog(20));
  EXPECT_EQ(s.lane.beat(kInterval), kInterval) << "the try found no more per claim: plain beat";
  const int tried = s.stretched_claims;
  s.run_for(BeatStretch::kHoldOff - 10ms, keyed_backlog(20));
  EXPECT_EQ(s.stretched_claims, tried) << "no new try during the hold-off";

  // Over a long drain the tries (each hold-off twice the one before) cost little of its speed.
  SimulatedLane drain;
  drain.run_for(5s, keyed_backlog(20));
  const int64_t at_the_plain_beat = 5s / kInterval * 20;
  EXPECT_GT(drain.rows, at_the_plain_beat * 95 / 100) << drain.rows << " of " << at_the_plain_beat;
}

// Claims short for another reason than arrivals never stretch, and end a stretch at once.
TEST(BeatStretch, CutOrFirstAttemptsOnlyClaimsNeverStretch) {
  for (ClaimFound shape : {ClaimFound{kBatch, kBatch / 2, false, 0},   // a rate limit or in-flight cap cut it
                           ClaimFound{kBatch, kBatch, true, 0},        // first attempts only, beside due retries
                           ClaimFound{kBatch, kBatch, false, 0, true}}) {  // keyed rows, or a shared rate limit
    SimulatedLane s;
    s.shape = shape;
    s.rounds(200, stream(4));
    EXPECT_EQ(s.stretched_claims, 0) << "asked " << shape.asked << ", first attempts only " << shape.first_attempts_only;

    SimulatedLane t;
    stretch_under_a_stream(t);
    t.shape = shape;
    t.round(stream(4));
    EXPECT_EQ(t.lane.beat(kInterval), kInterval);
  }
}

TEST(BeatStretch, AFullBatchDoesNotStretch) {
  SimulatedLane s;
  s.rounds(200, stream(100));  // a backlog: every claim comes back full
  EXPECT_EQ(s.stretched_claims, 0);

  stretch_under_a_stream(s);
  const uint64_t before = s.lane.ticket();
  s.round([](std::chrono::nanoseconds) { return kBatch; });
  EXPECT_EQ(s.lane.beat(kInterval), kInterval);
  // The lane's other workers, asleep on long beats, are woken to claim beside it.
  EXPECT_NE(s.lane.ticket(), before);
}

// A claim that found nothing ends the stretch, and the beats booked ahead at the long beat (two
// workers' here) are pulled back: the lane's next claim comes one plain beat later, not four.
TEST(BeatStretch, AnEmptyClaimPullsTheBookedBeatsBack) {
  SimulatedLane s;
  stretch_under_a_stream(s);
  const auto now = s.now;
  EXPECT_EQ(s.lane.take_poll_slot(now, kInterval), now + 4 * kInterval);
  EXPECT_EQ(s.lane.take_poll_slot(now, kInterval), now + 8 * kInterval);
  const uint64_t before = s.lane.ticket();
  s.lane.note_claim(ClaimFound{kBatch, kBatch, false, 0}, kInterval, kLinger, now);
  EXPECT_EQ(s.lane.beat(kInterval), kInterval);
  EXPECT_EQ(s.lane.take_poll_slot(now, kInterval), now + kInterval);
  // Nothing arrived: the sleeping workers are not woken to claim nothing too.
  EXPECT_EQ(s.lane.ticket(), before);
}

// A stream that ends in a trickle (one a claim, not nothing) goes back to the plain beat within a
// sample: the long waits no longer collect proportionally more.
TEST(BeatStretch, AStreamThatSlowsToATrickleGoesBackToThePlainBeat) {
  SimulatedLane s;
  stretch_under_a_stream(s);
  s.rounds(BeatStretch::kSampleClaims, [](std::chrono::nanoseconds) { return 1; });
  EXPECT_EQ(s.lane.beat(kInterval), kInterval);
}

// A key moves one message per claim: beside a stream that would pay for a stretch, a claim that
// took keyed rows keeps the plain beat, so a key's backlog drains as fast as before.
TEST(BeatStretch, ClaimsWithKeyedRowsKeepThePlainBeatBesideAStream) {
  SimulatedLane s;
  s.shape = ClaimFound{kBatch, kBatch, false, 0, true};
  s.rounds(400, stream(4));
  EXPECT_EQ(s.longest_beat, kInterval);
}

// A reload of busy_poll_interval or wakeup.linger ends a stretch measured in the old beats.
TEST(BeatStretch, AChangedIntervalOrLingerEndsAStretch) {
  for (auto changed : {std::pair{kInterval * 2, kLinger}, std::pair{kInterval, kLinger / 2}}) {
    SimulatedLane s;
    stretch_under_a_stream(s);
    s.lane.note_claim(ClaimFound{kBatch, kBatch, false, 8}, changed.first, changed.second, s.now + kInterval);
    EXPECT_EQ(s.lane.beat(changed.first), changed.first);
  }
}

// The beat stays under half the linger: past it the daemon would go idle between two claims and
// wake again (raising the wake flag, producers notifying) at every stretched beat.
TEST(BeatStretch, TheBeatStaysUnderHalfTheLinger) {
  struct ShortLinger : SimulatedLane {
    void round_with(std::chrono::nanoseconds linger, const Finds &finds) {
      const auto slot = lane.take_poll_slot(now, kInterval);
      const auto waited = slot - now;
      now = slot;
      longest_beat = std::max(longest_beat, lane.beat(kInterval));
      ClaimFound claim = shape;
      claim.found = std::min(finds(waited), claim.asked);
      lane.note_claim(claim, kInterval, linger, now);
    }
  };
  ShortLinger s;
  for (int i = 0; i < 200; ++i) s.round_with(10ms, stream(4));
  EXPECT_EQ(s.longest_beat, 2 * kInterval) << "half of 10 ms is two beats and a half";
  ShortLinger t;
  for (int i = 0; i < 200; ++i) t.round_with(3ms, stream(4));
  EXPECT_EQ(t.longest_beat, kInterval);
}

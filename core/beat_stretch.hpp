// How long a busy lane's beat is (core/lane_wake.hpp): busy_poll_interval, or a few times that
// under a steady stream of arrivals, so the stream is claimed in fewer, larger batches.
//
// A lane polls once per beat while it finds work. Under a stream of thousands of messages a second
// each claim finds a handful, and those small transactions compete with the producers' commits for
// the same cores (docs/BENCHMARKS.md, "Enqueue cost with lanes"). Waiting k beats collects k times
// as many rows per claim, but only when the claims were short because no more had *arrived*. A
// claim is also short when ordering keys hold rows back (a keyed backlog finds only the keys'
// heads, however long it waits), when it took first attempts only, or when a rate limit, the
// in-flight cap or a statement_timeout cut what it asked for; waiting longer fills none of those,
// it only slows their drain. So the policy:
//
//   - counts only claims *limited by arrivals*: they asked a full batch_size, were not first
//     attempts only, held no keyed row and were not cut by a shared rate limit after the claim,
//     and found some rows but fewer than they asked. Any other claim (nothing found, a full batch:
//     a backlog, a cut, first-attempts-only or keyed claim) ends a stretch at once. Keyed rows end
//     it because a key moves at most one message per claim: beside a stream that pays for the
//     stretch, a key's backlog (or a hot key) would drain four times slower.
//   - measures, over kSampleClaims such claims at the plain beat, the rows that arrive per beat,
//     and tries a stretch of (rows a beat / kRowsPerBeatPerStretch) beats, at most kMaxStretch,
//     and short enough that its claims stay under half a batch, and that the beat stays under half
//     of wakeup.linger (past it the daemon would go idle between two claims, and back).
//   - verifies that the stretch pays: over each kSampleClaims claims the rows found per unit of
//     time waited must stay at least kPaysRatio of the plain beat's, i.e. a k-beat wait collects
//     about k times what a one-beat wait did. If the first of them (the try) does not, back to
//     the plain beat, and no stretch again for a hold-off (kHoldOff, doubling with each failed try
//     in a row, kMaxFailedTries times). If a later one does not (the stream slowed, or ended in a
//     trickle), back to the plain beat to measure again.
//   - measures again at the plain beat after kStretchClaims claims anyway, so a stream that
//     slowed is noticed even while its longer waits still look as if they pay.
//
// Rates are rows per nanosecond between the lane's consecutive claims (of any of its workers), so
// slots booked before a change of beat, or a worker's send time, count as the wait they really were.
// A trickle (50 a second finds 0 or 1 a beat) never reaches kRowsPerBeatPerStretch: plain beat.
// Thread-safe: the lane's workers note their claims and read the beat concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace outboxd {

// What one claim statement of a lane asked for and found.
struct ClaimFound {
  int batch_size = 0;  // the configured batch_size
  int asked = 0;       // less than batch_size when a rate limit, max_in_flight or statement_timeout cut it
  bool first_attempts_only = false;
  int found = 0;
  // Rows may have been held back for another reason than arrivals: the claim took a row with an
  // ordering key (its key's next one waits for the next claim), or a rate limit shared by the
  // daemons may still cut the batch (it is asked after the claim).
  bool held_back = false;
};

class BeatStretch {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr int kMaxStretch = 4;
  // A stretch of k beats needs k times this many rows a beat (at 2 ms: 2 beats from 2,000 a second).
  static constexpr double kRowsPerBeatPerStretch = 2.0;
  static constexpr int kSampleClaims = 8;
  static constexpr int kStretchClaims = 32;
  // Below 1 for noise; claims that find the same at any wait (short for a reason the rules above
  // do not see) give a ratio of at most 4/7 over a try at two beats (its first claim may follow a
  // plain slot), so they are well below.
  static constexpr double kPaysRatio = 0.7;
  static constexpr std::chrono::milliseconds kHoldOff{100};
  static constexpr int kMaxFailedTries = 5;  // the hold-off doubles up to 3.2 s

  // The lane's beat now: `interval` (busy_poll_interval) times the stretch.
  std::chrono::nanoseconds beat(std::chrono::nanoseconds interval) const { return interval * stretch_.load(); }

  // One claim statement of the lane ran at `now` (only then: a round that claimed nothing, paused
  // or gated, says nothing about arrivals). True when a stretch ended with it: beats booked ahead
  // at the stretched beat should then be pulled back to the plain one (LaneWake::note_claim).
  // `interval` is busy_poll_interval and `linger` wakeup.linger; a change of either (a reload) ends
  // a stretch, which was measured in the old beats.
  bool note_claim(const ClaimFound &claim, std::chrono::nanoseconds interval, std::chrono::nanoseconds linger,
                  Clock::time_point now);

 private:
  enum class Phase { Measuring, Trying, Stretched };
  struct Sample {
    int claims = 0;
    int64_t found = 0;
    int64_t waited_ns = 0;
    double rows_per_ns() const { return waited_ns > 0 ? static_cast<double>(found) / waited_ns : 0.0; }
  };

  static bool limited_by_arrivals(const ClaimFound &claim);
  // The stretch a stream of `rows_per_beat` earns, short enough that its claims stay below half a
  // batch (a full one would end the stretch as a backlog).
  static int stretch_for(double rows_per_beat, int batch_size, int most);
  void after_sample(const ClaimFound &claim, std::chrono::nanoseconds interval, int64_t now_ns);
  void to_plain_beat();

  std::mutex mutex_;  // the fields below, but stretch_, which take_poll_slot reads without it
  std::atomic<int> stretch_{1};
  Phase phase_ = Phase::Measuring;
  Sample sample_;
  double plain_rows_per_ns_ = 0;  // measured before the stretch being tried or kept
  int stretched_claims_ = 0;  // since the stretch began (tried or kept)
  bool claimed_before_ = false;
  int64_t last_claim_ns_ = 0;
  int failed_tries_ = 0;  // in a row, up to kMaxFailedTries: each doubles the hold-off
  int64_t hold_off_until_ns_ = 0;
  std::chrono::nanoseconds interval_{0}, linger_{0};  // of the claims measured
};

}  // namespace outboxd

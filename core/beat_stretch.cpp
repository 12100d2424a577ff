// A lane's beat under a steady stream: see beat_stretch.hpp for the policy and why.
#include "core/beat_stretch.hpp"

#include <algorithm>

namespace outboxd {

bool BeatStretch::limited_by_arrivals(const ClaimFound &claim) {
  return claim.asked == claim.batch_size && !claim.first_attempts_only && !claim.held_back && claim.found > 0 &&
         claim.found < claim.asked;
}

int BeatStretch::stretch_for(double rows_per_beat, int batch_size, int most) {
  int k = static_cast<int>(std::min<double>(std::min(kMaxStretch, most), rows_per_beat / kRowsPerBeatPerStretch));
  while (k > 1 && k * rows_per_beat > batch_size / 2.0) --k;
  return std::max(1, k);
}

bool BeatStretch::note_claim(const ClaimFound &claim, std::chrono::nanoseconds interval,
                             std::chrono::nanoseconds linger, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  // Two workers may read the clock and then take the lock in the other order: the later time wins.
  const int64_t waited = claimed_before_ ? now_ns - last_claim_ns_ : 0;
  claimed_before_ = true;
  last_claim_ns_ = std::max(last_claim_ns_, now_ns);
  const bool was_stretched = stretch_.load() > 1;
  const bool settings_changed = interval != interval_ || linger != linger_;
  interval_ = interval;
  linger_ = linger;
  if (settings_changed || !limited_by_arrivals(claim)) {
    to_plain_beat();
    return was_stretched;
  }
  // A claim that waited no beat (it went at once after a full batch, or beside another worker's)
  // found what was left rather than what arrived: it says nothing about the rate.
  if (waited < interval.count() / 2) return false;
  sample_.claims++;
  sample_.found += claim.found;
  sample_.waited_ns += waited;
  if (phase_ != Phase::Measuring && ++stretched_claims_ >= kStretchClaims) {
    to_plain_beat();  // measure again: the stream may have slowed
  } else if (sample_.claims >= kSampleClaims) {
    after_sample(claim, interval, now_ns);
  }
  return was_stretched && stretch_.load() == 1;
}

void BeatStretch::after_sample(const ClaimFound &claim, std::chrono::nanoseconds interval, int64_t now_ns) {
  const double rate = sample_.rows_per_ns();
  sample_ = Sample{};
  if (phase_ == Phase::Measuring) {
    if (now_ns < hold_off_until_ns_) return;
    const int most = static_cast<int>(std::min<int64_t>(kMaxStretch, linger_.count() / 2 / std::max<int64_t>(1, interval.count())));
    const int k = stretch_for(rate * static_cast<double>(interval.count()), claim.batch_size, most);
    if (k == 1) return;
    plain_rows_per_ns_ = rate;
    phase_ = Phase::Trying;
    stretch_.store(k);
    return;
  }
  // Trying or stretched: the longer waits must collect proportionally more rows than the plain
  // beat's. Stretched, a stream that slowed (or ended in a trickle) no longer does: measure again.
  if (rate >= kPaysRatio * plain_rows_per_ns_) {
    phase_ = Phase::Stretched;
    failed_tries_ = 0;
    return;
  }
  if (phase_ == Phase::Trying) {
    // It never paid (claims short for another reason than arrivals): no try again for a while,
    // longer after each.
    hold_off_until_ns_ = now_ns + std::chrono::nanoseconds(kHoldOff * (int64_t{1} << failed_tries_)).count();
    failed_tries_ = std::min(failed_tries_ + 1, kMaxFailedTries);
  }
  to_plain_beat();
}

void BeatStretch::to_plain_beat() {
  phase_ = Phase::Measuring;
  sample_ = Sample{};
  stretched_claims_ = 0;
  stretch_.store(1);
}

}  // namespace outboxd

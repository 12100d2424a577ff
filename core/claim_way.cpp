// The choice between the two claim statements (core/claim_way.hpp).
#include "core/claim_way.hpp"

namespace outboxd {

void ClaimWay::after(const ClaimSeen &seen) {
  if (!key_runs_) {
    windows_since_plain_ = 0;
    window_ms_since_plain_ = 0;
    if (seen.keyed) plain_claim_ms_ = seen.claim_ms;
  }
  last_was_key_runs_ = key_runs_;
  keys_seen_ = seen.keyed || seen.left_for_their_keys > 0;
  if (seen.rows > 0 && (key_runs_ || seen.keyed))
    (key_runs_ ? window_ms_per_row_ : plain_ms_per_row_) = seen.claim_ms / seen.rows;
  if (!key_runs_) {
    if (!seen.keyed) return;
    if (plain_before_try_ > 0) {
      --plain_before_try_;
      return;
    }
    key_runs_ = true;
    return;
  }
  const bool held_up = seen.left_for_their_keys > 0 && 2 * seen.rows < seen.asked;
  held_up_in_row_ = held_up ? held_up_in_row_ + 1 : 0;
  if (held_up_in_row_ >= 2) {
    // Walk past them once; a plain claim that finds keys tries the window again at once.
    key_runs_ = false;
    held_up_in_row_ = 0;
    plain_before_try_ = 0;
    return;
  }
  if (held_up) return;  // again: the rows it left are free once its batch ends
  if (seen.runs) {
    // Now and then one plain claim, so the cost the window is weighed against is not one
    // measured long ago (in a hiccup, or on another backlog); seldom enough that it costs little
    // beside the windows.
    ++windows_since_plain_;
    window_ms_since_plain_ += seen.claim_ms;
    if (windows_since_plain_ < kWindowsBetweenPlainMeasures ||
        (window_ms_since_plain_ * kPlainMeasureShare < plain_claim_ms_ &&
         windows_since_plain_ < kMaxWindowsBetweenPlainMeasures))
      return;
    key_runs_ = false;
    plain_before_try_ = 0;
    return;
  }
  // Keys one row each (or none): the plain claim would have found the same rows, as cheaply, unless
  // it walked past runs when last measured (the window caught the ends of runs, or retries).
  if (seen.keyed && plain_ms_per_row_ > window_ms_per_row_ && window_ms_per_row_ >= 0) return;
  key_runs_ = false;
  plain_before_try_ = seen.keyed ? kPlainClaimsBetweenTries : 0;
}

void ClaimWay::after_waves(int sent, double waves_added_ms) {
  if (!last_was_key_runs_ || !key_runs_ || sent <= 0 || waves_added_ms <= 0 || plain_ms_per_row_ < 0) return;
  const double saved = plain_ms_per_row_ - (window_ms_per_row_ < 0 ? 0 : window_ms_per_row_);
  if (waves_added_ms / sent > saved) back_to_plain();
}

void ClaimWay::back_to_plain() {
  key_runs_ = false;
  held_up_in_row_ = 0;
  plain_before_try_ = kPlainClaimsBetweenTries;
}

}  // namespace outboxd

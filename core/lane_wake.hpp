// A lane's side of the wake handshake (core/wake_handshake.hpp): what its workers wait on, when the
// lane polls while the daemon is busy, and whether it is quiet (the lane scout then looks for it).
//
// Busy, the daemon used to have every worker of every lane poll every busy_poll_interval, so the
// empty claims multiplied with workers and destinations. Now a lane claims when work is known to
// exist: a claim that came back full goes again at once; after a short one the *lane* (not each
// worker) polls once per busy_poll_interval while it found work within the linger; past that the
// lane is quiet and its workers sleep until the scout (core/lane_scout.hpp) sees a due message of
// it, or the daemon-wide handshake wakes everyone (a NOTIFY, going busy or idle, a reload, a stop).
// Under a steady stream of arrivals the beat stretches to a few intervals (core/beat_stretch.hpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/beat_stretch.hpp"
#include "core/wake_signal.hpp"

namespace outboxd {

class LaneWake {
 public:
  using Clock = std::chrono::steady_clock;

  // Shared with the handshake, which wakes it with every daemon-wide wake (WakeHandshake::attach).
  const std::shared_ptr<WakeSignal> &signal() const { return signal_; }
  // Read before claiming; a wake that comes while claiming then cuts the next wait short.
  uint64_t ticket() const { return signal_->generation(); }
  void wake() { signal_->wake_all(); }

  // A claim of this lane found rows: the lane polls on its beat for a linger period.
  void found_work() { last_work_ns_.store(to_ns(Clock::now())); }
  // Found work less than `linger` ago.
  bool lingering(Clock::time_point now, std::chrono::nanoseconds linger) const {
    return to_ns(now) - last_work_ns_.load() < linger.count();
  }

  // The time of this worker's next poll: the lane's next free beat, at least a beat (`interval`,
  // busy_poll_interval, stretched under a stream) after the one before, so its workers together
  // poll once per beat however many there are.
  Clock::time_point take_poll_slot(Clock::time_point now, std::chrono::nanoseconds interval) {
    int64_t last = next_poll_ns_.load();
    int64_t mine;
    do {
      // Read again on each try: a stretch that ended meanwhile pulled the beats back (note_claim).
      mine = std::max(last, to_ns(now)) + stretch_.beat(interval).count();
    } while (!next_poll_ns_.compare_exchange_weak(last, mine));
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(mine)));
  }
  std::chrono::nanoseconds beat(std::chrono::nanoseconds interval) const { return stretch_.beat(interval); }

  // A claim statement of the lane ran (only then), found `claim.found` rows at `now`; `interval` is
  // busy_poll_interval. When that ends a stretch (nothing found, a full batch, a cut claim...), the
  // beats booked ahead at the long beat are pulled back to one plain beat from now, so the lane
  // does not keep polling at the long beat after the stream ended. (The workers already asleep on
  // such a beat keep it, unless the claim came back full: then a burst has arrived, and they are
  // woken to claim beside this one, not a few long beats later.) Only then: at the plain beat the
  // beats booked ahead are the other workers' turns, and pulling them back after each empty claim
  // would have two workers of a lane with three or more claim together.
  void note_claim(const ClaimFound &claim, std::chrono::nanoseconds interval, std::chrono::nanoseconds linger,
                  Clock::time_point now = Clock::now()) {
    if (!stretch_.note_claim(claim, interval, linger, now)) return;
    // The next slot taken is a plain beat from the one booked: from now, so one beat from now.
    const int64_t plain = to_ns(now);
    int64_t booked = next_poll_ns_.load();
    while (booked > plain && !next_poll_ns_.compare_exchange_weak(booked, plain)) {
    }
    if (claim.asked > 0 && claim.found >= claim.asked) signal_->wake_all();
  }

  // A worker of the lane goes to sleep until the scout sees work: true when the lane was not quiet
  // already (the caller then tells the scout).
  bool go_quiet() { return !quiet_.exchange(true); }
  bool quiet() const { return quiet_.load(); }
  // The scout saw a due message of this lane: its workers claim, and the lane then polls on its
  // beat for a linger period, as after work found. (Should the claim find nothing, a row a claim
  // skips, say, the lane so costs one claim per beat, not one per worker for every look.)
  void scouted() {
    found_work();
    quiet_.store(false);
    signal_->wake_all();
  }

  // Claim statements run by the lane's workers, those that found nothing too (GET /metrics).
  void count_claim() { claims_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t claims() const { return claims_.load(std::memory_order_relaxed); }

 private:
  static int64_t to_ns(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }

  std::shared_ptr<WakeSignal> signal_ = std::make_shared<WakeSignal>();
  std::atomic<int64_t> last_work_ns_{0};
  std::atomic<int64_t> next_poll_ns_{0};
  BeatStretch stretch_;
  std::atomic<bool> quiet_{false};
  std::atomic<uint64_t> claims_{0};
};

}  // namespace outboxd

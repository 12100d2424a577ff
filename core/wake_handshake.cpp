// The wake handshake's verbs: see wake_handshake.hpp for the protocol.
#include "core/wake_handshake.hpp"

#include <algorithm>

namespace outboxd {

int64_t WakeHandshake::now_ns() { return to_ns(Clock::now()); }

int64_t WakeHandshake::to_ns(Clock::time_point t) {
  if (t == Clock::time_point::max()) return INT64_MAX;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

void WakeHandshake::retry_scheduled(std::chrono::nanoseconds delay) {
  const int64_t due = now_ns() + delay.count();
  // Lower the next due time if this one is earlier; another worker may be lowering it too.
  int64_t cur = next_due_ns_.load();
  while (due < cur && !next_due_ns_.compare_exchange_weak(cur, due)) {
  }
}

WakeHandshake::Clock::time_point WakeHandshake::deadline_for(LaneWake *lane, const WakeTimings &timings) {
  const auto now = Clock::now();
  if (!timings.notify_mode) return now + timings.poll_interval;
  if (!idle_.load()) {
    if (lane == nullptr) return now + timings.busy_poll_interval;  // lingering after work: poll fast
    // The lane found work lately (or there is no scout to wake it): poll on the lane's beat.
    if (lane->lingering(now, timings.linger) || !scout_.load())
      return lane->take_poll_slot(now, timings.busy_poll_interval);
    // Quiet: sleep as if idle until the scout sees a due message of this lane. The scout is told,
    // so its next look includes this lane.
    if (lane->go_quiet()) signal_.wake_all();
  }
  int64_t due = next_due_ns_.load();
  if (due <= to_ns(now)) {
    // The scheduled time has come (and this worker may have polled a hair too early for the
    // database's clock). Forget it, and count as work found so the listener goes busy for a
    // linger period; going idle again then looks up the next scheduled time.
    next_due_ns_.compare_exchange_strong(due, INT64_MAX);
    found_work();
    return Clock::time_point::min();
  }
  auto deadline = now + timings.safety_poll;
  if (due != INT64_MAX)
    deadline = std::min(deadline, Clock::time_point(std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::nanoseconds(due))));
  return deadline;
}

void WakeHandshake::wait_for_work(uint64_t ticket, const WakeTimings &timings) {
  const auto deadline = deadline_for(nullptr, timings);
  if (deadline > Clock::now()) signal_.wait_until(ticket, deadline);
}

void WakeHandshake::wait_for_work(LaneWake &lane, uint64_t ticket, const WakeTimings &timings) {
  const auto deadline = deadline_for(&lane, timings);
  if (deadline > Clock::now()) lane.signal()->wait_until(ticket, deadline);
}

void WakeHandshake::attach(const std::shared_ptr<WakeSignal> &lane_signal) {
  std::lock_guard<std::mutex> lock(lanes_mutex_);
  lane_signals_.push_back(lane_signal);
}

void WakeHandshake::detach(const std::shared_ptr<WakeSignal> &lane_signal) {
  std::lock_guard<std::mutex> lock(lanes_mutex_);
  lane_signals_.erase(std::remove(lane_signals_.begin(), lane_signals_.end(), lane_signal), lane_signals_.end());
}

void WakeHandshake::wake_all() {
  signal_.wake_all();
  std::lock_guard<std::mutex> lock(lanes_mutex_);
  for (const auto &s : lane_signals_) s->wake_all();
}

void WakeHandshake::scout_available(bool available) {
  if (scout_.exchange(available) == available) return;
  // Lost: the quiet lanes' workers sleep until a scout that is not coming; they poll on the beat.
  if (!available) wake_all();
}

void WakeHandshake::go_idle(Clock::time_point next_due) {
  next_due_ns_.store(to_ns(next_due));
  idle_since_ns_.store(now_ns());
  idle_.store(true);
  wake_all();  // the one last poll after the gate
}

std::chrono::nanoseconds WakeHandshake::linger_left(std::chrono::nanoseconds linger) const {
  return std::chrono::nanoseconds(last_work_ns_.load() + linger.count() - now_ns());
}

void WakeHandshake::notified() {
  wake_all();  // first, for latency
  found_work();        // start a linger period
}

void WakeHandshake::config_reloaded() {
  found_work();
  wake_all();
}

}  // namespace outboxd

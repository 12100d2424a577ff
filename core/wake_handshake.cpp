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

void WakeHandshake::wait_for_work(uint64_t ticket, const WakeTimings &timings) {
  const auto now = Clock::now();
  Clock::time_point deadline;
  if (!timings.notify_mode) {
    deadline = now + timings.poll_interval;
  } else if (!idle_.load()) {
    deadline = now + timings.busy_poll_interval;  // lingering after work: poll fast
  } else {
    int64_t due = next_due_ns_.load();
    if (due <= to_ns(now)) {
      // The scheduled time has come (and this worker may have polled a hair too early for the
      // database's clock). Forget it, and count as work found so the listener goes busy for a
      // linger period; going idle again then looks up the next scheduled time.
      next_due_ns_.compare_exchange_strong(due, INT64_MAX);
      found_work();
      return;
    }
    deadline = now + timings.safety_poll;
    if (due != INT64_MAX)
      deadline = std::min(deadline, Clock::time_point(std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::nanoseconds(due))));
  }
  if (deadline > now) signal_.wait_until(ticket, deadline);
}

void WakeHandshake::go_idle(Clock::time_point next_due) {
  next_due_ns_.store(to_ns(next_due));
  idle_since_ns_.store(now_ns());
  idle_.store(true);
  signal_.wake_all();  // the one last poll after the gate
}

std::chrono::nanoseconds WakeHandshake::linger_left(std::chrono::nanoseconds linger) const {
  return std::chrono::nanoseconds(last_work_ns_.load() + linger.count() - now_ns());
}

void WakeHandshake::notified() {
  signal_.wake_all();  // first, for latency
  found_work();        // start a linger period
}

void WakeHandshake::config_reloaded() {
  found_work();
  signal_.wake_all();
}

}  // namespace outboxd

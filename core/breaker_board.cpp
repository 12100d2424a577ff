// This daemon's breaker states for the publisher (core/breaker_board.hpp).
#include "core/breaker_board.hpp"

namespace outboxd {

void BreakerBoard::lane_opened(const std::string &destination, const void *owner, Clock::time_point now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    owners_[destination] = owner;
    sequences_[destination] = 0;  // the new lane's breaker counts from 1
    if (entries_.count(destination) == 0) return;  // never changed: nothing to show
    set_locked(destination, BreakerState::Closed,
               "destination " + destination + " is configured: its circuit breaker starts closed", now, {});
  }
  changed_.notify_all();
}

void BreakerBoard::set_locked(const std::string &destination, BreakerState state, std::string reason,
                              Clock::time_point changed_at, Clock::time_point next_probe_at) {
  Entry &e = entries_[destination];
  e.destination = destination;
  e.state = state;
  e.reason = std::move(reason);
  e.changed_at = changed_at;
  e.next_probe_at = next_probe_at;
  dirty_[destination] = true;
}

void BreakerBoard::note(const std::string &destination, const void *owner, const BreakerTransition &t,
                        Clock::time_point now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = owners_.find(destination);
    if (it == owners_.end() || it->second != owner) return;  // a retired lane's late change
    uint64_t &newest = sequences_[destination];
    if (t.sequence <= newest) return;  // overtaken by a newer change of the same breaker
    newest = t.sequence;
    set_locked(destination, t.to, describe_transition(t, destination), now,
               t.to == BreakerState::Open ? now + t.cool_off : Clock::time_point());
  }
  changed_.notify_all();
}

bool BreakerBoard::take(std::chrono::milliseconds max_wait, bool all, std::vector<Entry> &out) {
  out.clear();
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, max_wait, [&] {
    if (stopped_) return true;
    for (const auto &d : dirty_)
      if (d.second) return true;
    return false;
  });
  if (stopped_) return false;
  for (auto &[name, dirty] : dirty_) {
    if (dirty || all) out.push_back(entries_.at(name));
    dirty = false;
  }
  return true;
}

void BreakerBoard::lane_retired(const std::string &destination, const void *owner, Clock::time_point now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = owners_.find(destination);
    if (it == owners_.end() || it->second != owner) return;  // a newer lane owns it already
    owners_.erase(it);
    const auto e = entries_.find(destination);
    if (e == entries_.end() || e->second.state == BreakerState::Closed) return;
    set_locked(destination, BreakerState::Closed,
               "destination " + destination + " is no longer configured: its lane and circuit breaker are gone", now,
               {});
  }
  changed_.notify_all();
}

void BreakerBoard::put_back(const std::vector<Entry> &entries) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only where nothing newer was noted meanwhile; a newer entry is dirty already.
  for (const Entry &e : entries)
    if (entries_.at(e.destination).changed_at == e.changed_at) dirty_[e.destination] = true;
}

bool BreakerBoard::sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, d, [&] { return stopped_; });
  return !stopped_;
}

void BreakerBoard::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

void BreakerBoard::restart() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = false;
}

BreakerBoard &breaker_board() {
  static BreakerBoard board;
  return board;
}

}  // namespace outboxd

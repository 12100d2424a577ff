// The most messages of one destination being sent at once, across the daemon's workers
// (destinations.*.max_in_flight). A worker reserves its claim's size before claiming and gives back
// what it did not claim at once, and the rest when its batch has ended. The cap counts the
// reservations (so two workers never claim past it together); what the stats show as in flight is
// only the claimed part: messages claimed and not yet committed, not a reservation of a claim that
// may find nothing.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace outboxd {

class InFlightBudget {
 public:
  // Reserves up to `want` messages under `cap` (0: no cap) and returns how many: 0 when the
  // destination already has `cap` in flight.
  int reserve(int want, int cap) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int room = cap <= 0 ? want : std::max(0, std::min(want, cap - in_flight_));
    in_flight_ += room;
    return room;
  }
  void release(int n) {
    if (n <= 0) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_ -= n;
    }
    room_cv_.notify_all();
  }
  // Waits until fewer than `cap` are in flight, `max_wait` has passed or wake_all() was called.
  // The bounded wait lets a caller notice a reload that raised the cap, or a stop.
  void wait_for_room(int cap, std::chrono::milliseconds max_wait) {
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t woken = wakes_;
    room_cv_.wait_for(lock, max_wait, [&] { return cap <= 0 || in_flight_ < cap || wakes_ != woken; });
  }
  void wake_all() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++wakes_;
    }
    room_cv_.notify_all();
  }
  // Reserved: what the cap is checked against.
  int reserved() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return in_flight_;
  }
  // Claimed and not yet committed (or rolled back): being sent, or sent and being recorded.
  int in_flight() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return claimed_;
  }
  void add_claimed(int delta) {
    std::lock_guard<std::mutex> lock(mutex_);
    claimed_ += delta;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable room_cv_;
  int in_flight_ = 0;  // reserved, claimed or not
  int claimed_ = 0;    // the claimed part of in_flight_
  uint64_t wakes_ = 0;
};

// Gives back a reservation's unused part when the batch ends, however it ends.
class InFlightReservation {
 public:
  explicit InFlightReservation(InFlightBudget &budget) : budget_(budget) {}
  ~InFlightReservation() {
    budget_.add_claimed(-claimed_);
    budget_.release(held_);
  }
  InFlightReservation(const InFlightReservation &) = delete;
  InFlightReservation &operator=(const InFlightReservation &) = delete;
  // Reserves up to `want` under `cap` (InFlightBudget::reserve) and returns how many.
  int take(int want, int cap) {
    const int got = budget_.reserve(want, cap);
    held_ += got;
    return got;
  }
  // The claim took `used` of the reservation: the rest goes back now, for another worker, and the
  // `used` messages count as in flight until the batch ends.
  void keep_only(int used) {
    budget_.release(held_ - used);
    held_ = used;
    budget_.add_claimed(used - claimed_);
    claimed_ = used;
  }
  int held() const { return held_; }

 private:
  InFlightBudget &budget_;
  int held_ = 0;
  int claimed_ = 0;  // of held_, what the claim found
};

}  // namespace outboxd

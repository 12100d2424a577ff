// The circuit breaker's states and their log lines (core/circuit_breaker.hpp).
#include "core/circuit_breaker.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace outboxd {
namespace {

// "0.5 s", "1.0 s", "16 s", "300 s": tenths only where they matter.
std::string seconds_text(std::chrono::milliseconds d) {
  const double s = double(d.count()) / 1000.0;
  return s < 10 ? fmt::format("{:.1f} s", s) : fmt::format("{:.0f} s", s);
}

}  // namespace

const char *breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::Closed:
      return "closed";
    case BreakerState::Open:
      return "open";
    case BreakerState::HalfOpen:
      return "half_open";
  }
  return "unknown";
}

std::string describe_transition(const BreakerTransition &t, std::string_view destination) {
  const std::string who = fmt::format("breaker of {}", destination);
  switch (t.to) {
    case BreakerState::Open:
      if (t.from == BreakerState::HalfOpen)
        return fmt::format("{} opened again: the probe failed; next probe in {}", who, seconds_text(t.cool_off));
      return fmt::format("{} opened after {} consecutive failures; next probe in {}", who, t.consecutive_failures,
                         seconds_text(t.cool_off));
    case BreakerState::HalfOpen:
      return fmt::format("{} half-open: sending one probe message", who);
    case BreakerState::Closed:
      if (t.turned_off) return fmt::format("{} closed: turned off", who);
      return fmt::format("{} closed: a message was delivered", who);
  }
  return who;
}

CircuitBreaker::CircuitBreaker(const BreakerSettings &settings, Observer on_change)
    : on_change_(std::move(on_change)), settings_(settings) {}

std::chrono::milliseconds CircuitBreaker::first_cool_off() const {
  return std::min(settings_.cool_off, settings_.max_cool_off);
}

BreakerTransition CircuitBreaker::open_locked(Clock::time_point now, std::chrono::milliseconds cool_off) {
  BreakerTransition t;
  t.from = state_;
  t.to = State::Open;
  t.consecutive_failures = state_ == State::Closed ? consecutive_failures_ : 0;
  t.cool_off = cool_off;
  state_ = State::Open;
  last_cool_off_ = cool_off;
  next_probe_at_ = now + cool_off;
  probe_out_ = false;
  ++opened_total_;
  return t;
}

BreakerTransition CircuitBreaker::close_locked() {
  BreakerTransition t;
  t.from = state_;
  t.to = State::Closed;
  state_ = State::Closed;
  consecutive_failures_ = 0;
  last_cool_off_ = std::chrono::milliseconds(0);
  next_probe_at_ = Clock::time_point();
  probe_out_ = false;
  return t;
}

void CircuitBreaker::report(const BreakerTransition &t) const {
  if (on_change_) on_change_(t);
}

bool CircuitBreaker::allow_claim(Clock::time_point now, int &max_messages) {
  bool probe = false;
  return allow_claim(now, max_messages, probe);
}

bool CircuitBreaker::allow_claim(Clock::time_point now, int &max_messages, bool &probe) {
  probe = false;
  std::optional<BreakerTransition> change;
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (state_) {
      case State::Closed:
        return true;
      case State::Open:
        if (now < next_probe_at_) return false;
        change = BreakerTransition{State::Open, State::HalfOpen, 0, std::chrono::milliseconds(0), false};
        state_ = State::HalfOpen;
        break;
      case State::HalfOpen:
        if (probe_out_) return false;
        break;
    }
    probe_out_ = true;
    max_messages = 1;
    probe = true;
  }
  if (change) report(*change);
  return true;
}

void CircuitBreaker::record(int successes, int failures, Clock::time_point now) {
  std::optional<BreakerTransition> change;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (settings_.failures <= 0 || (successes <= 0 && failures <= 0)) return;
    switch (state_) {
      case State::Closed:
        if (successes > 0) {
          consecutive_failures_ = 0;
        } else {
          // Saturating: a destination failing for days must not wrap the count.
          consecutive_failures_ = int(std::min<long long>(1LL << 30, (long long)consecutive_failures_ + failures));
          if (consecutive_failures_ >= settings_.failures) change = open_locked(now, first_cool_off());
        }
        break;
      case State::HalfOpen:
        if (successes > 0) {
          change = close_locked();
        } else {
          change = open_locked(now, std::min(settings_.max_cool_off, std::max(first_cool_off(), last_cool_off_ * 2)));
        }
        break;
      case State::Open:
        break;
    }
  }
  if (change) report(*change);
}

void CircuitBreaker::probe_abandoned() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::HalfOpen) probe_out_ = false;
}

void CircuitBreaker::update(const BreakerSettings &settings) {
  std::optional<BreakerTransition> change;
  {
    std::lock_guard<std::mutex> lock(mu_);
    settings_ = settings;
    if (settings_.failures <= 0) {
      if (state_ != State::Closed) {
        change = close_locked();
        change->turned_off = true;
      }
      consecutive_failures_ = 0;
    } else {
      last_cool_off_ = std::min(last_cool_off_, settings_.max_cool_off);
    }
  }
  if (change) report(*change);
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

CircuitBreaker::Clock::time_point CircuitBreaker::next_probe_at() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::Open ? next_probe_at_ : Clock::time_point();
}

uint64_t CircuitBreaker::opened_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opened_total_;
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return consecutive_failures_;
}

}  // namespace outboxd

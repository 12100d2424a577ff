// The circuit breaker's states and their log lines (core/circuit_breaker.hpp).
#include "core/circuit_breaker.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
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

// "50%", "12.5%": a ratio as the operator wrote it, near enough.
std::string percent_text(double ratio) { return fmt::format("{:g}%", ratio * 100); }

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
      if (t.by_ratio)
        return fmt::format("{} opened: {} of {} sends failed in the last {} ({}, breaker_failure_ratio {}); next "
                           "probe in {}",
                           who, t.window_failures, t.window_sends, seconds_text(t.window),
                           percent_text(t.window_sends ? double(t.window_failures) / double(t.window_sends) : 0),
                           percent_text(t.failure_ratio), seconds_text(t.cool_off));
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
    : on_change_(std::move(on_change)), settings_(settings), window_(settings.window) {}

std::chrono::milliseconds CircuitBreaker::first_cool_off() const {
  return std::min(settings_.cool_off, settings_.max_cool_off);
}

BreakerTransition CircuitBreaker::open_locked(Clock::time_point now, std::chrono::milliseconds cool_off) {
  BreakerTransition t;
  t.sequence = ++transitions_;
  t.from = state_;
  t.to = State::Open;
  t.consecutive_failures = state_ == State::Closed ? consecutive_failures_ : 0;
  t.cool_off = cool_off;
  state_ = State::Open;
  last_cool_off_ = cool_off;
  next_probe_at_ = now + cool_off;
  probe_out_ = false;
  window_.reset(settings_.window);
  ++opened_total_;
  return t;
}

BreakerTransition CircuitBreaker::close_locked() {
  BreakerTransition t;
  t.sequence = ++transitions_;
  t.from = state_;
  t.to = State::Closed;
  state_ = State::Closed;
  consecutive_failures_ = 0;
  last_cool_off_ = std::chrono::milliseconds(0);
  next_probe_at_ = Clock::time_point();
  probe_out_ = false;
  window_.reset(settings_.window);
  return t;
}

bool CircuitBreaker::ratio_reached_locked(Clock::time_point now, SendWindow::Totals &totals) const {
  if (settings_.failure_ratio <= 0) return false;
  totals = window_.totals(now);
  if (totals.sends == 0 || totals.sends < uint64_t(std::max(1, settings_.min_sends))) return false;
  // A hair of slack: 0.3 * 20 is 6.000000000000001 in binary, and 6 of 20 must reach 30%.
  return double(totals.failures) >= settings_.failure_ratio * double(totals.sends) - 1e-9;
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
        change = BreakerTransition{};
        change->sequence = ++transitions_;
        change->from = State::Open;
        change->to = State::HalfOpen;
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
    if (!settings_.enabled() || (successes <= 0 && failures <= 0)) return;
    switch (state_) {
      case State::Closed: {
        window_.add(now, uint64_t(std::max(0, successes)), uint64_t(std::max(0, failures)));
        if (successes > 0) {
          consecutive_failures_ = 0;
        } else {
          // Saturating: a destination failing for days must not wrap the count.
          consecutive_failures_ = int(std::min<long long>(1LL << 30, (long long)consecutive_failures_ + failures));
          if (settings_.failures > 0 && consecutive_failures_ >= settings_.failures) {
            change = open_locked(now, first_cool_off());
            break;
          }
        }
        SendWindow::Totals totals;
        if (failures > 0 && ratio_reached_locked(now, totals)) {
          change = open_locked(now, first_cool_off());
          change->consecutive_failures = 0;
          change->by_ratio = true;
          change->window_sends = totals.sends;
          change->window_failures = totals.failures;
          change->failure_ratio = settings_.failure_ratio;
          change->window = settings_.window;
        }
        break;
      }
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
    const bool new_window = settings.window != settings_.window;
    settings_ = settings;
    if (!settings_.enabled()) {
      if (state_ != State::Closed) {
        change = close_locked();
        change->turned_off = true;
      }
      consecutive_failures_ = 0;
      window_.reset(settings_.window);
    } else {
      if (new_window) window_.reset(settings_.window);
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

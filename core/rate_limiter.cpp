// The rate limit's text form and the in-memory token bucket (core/rate_limiter.hpp).
#include "core/rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/utf8.hpp"

namespace outboxd {
namespace {

// A token counts as whole when it is within this much of a whole number. A refill over the time
// next_token_at() named can fall short of the token by a rounding error; without the slack the
// caller that slept until then would find no token and wake again a few nanoseconds later.
// sql/queries/rate_take_shared.sql uses the same slack for the shared bucket.
constexpr double kWholeTokenSlack = 1e-9;

// The units of the text form and their length in seconds.
constexpr std::array<std::pair<std::string_view, double>, 7> kUnits{{
    {"s", 1},
    {"second", 1},
    {"m", 60},
    {"min", 60},
    {"minute", 60},
    {"h", 3600},
    {"hour", 3600},
}};

std::string quoted(std::string_view text) { return "\"" + log_safe(text, 40) + "\""; }

int whole_tokens(double tokens) { return static_cast<int>(std::floor(tokens + kWholeTokenSlack)); }

}  // namespace

int effective_burst(const RateLimit &limit) {
  if (limit.burst > 0) return limit.burst;
  // per_second is at most kMaxRateCount from the parser; the clamp keeps a larger one from the
  // config's own bounds inside an int all the same.
  const double ceiling = std::ceil(std::min(limit.per_second, double(kMaxRateCount)));
  return std::max(1, static_cast<int>(ceiling));
}

bool parse_rate_limit(std::string_view text, RateLimit &out, std::string &error) {
  const std::string form_error = quoted(text) + " is not N/s, N/min or N/h";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    error = form_error;
    return false;
  }
  const std::string_view count_text = text.substr(0, slash), unit = text.substr(slash + 1);
  const auto known = std::find_if(kUnits.begin(), kUnits.end(), [&](const auto &u) { return u.first == unit; });
  if (known == kUnits.end() || !std::all_of(count_text.begin(), count_text.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    error = form_error;
    return false;
  }
  // Digits only, so the value grows monotonically: stop as soon as it is over the bound.
  long long count = 0;
  for (const char c : count_text) {
    count = count * 10 + (c - '0');
    if (count > kMaxRateCount) break;
  }
  if (count < 1 || count > kMaxRateCount) {
    error = quoted(text) + ": the count must be a whole number from 1 to " + std::to_string(kMaxRateCount);
    return false;
  }
  out.per_second = double(count) / known->second;
  return true;
}

LocalRateLimiter::LocalRateLimiter(const RateLimit &limit)
    : limit_(limit), burst_(effective_burst(limit)), tokens_(burst_) {}

void LocalRateLimiter::refill(Clock::time_point now) {
  if (!refilled_once_) {
    refilled_once_ = true;
    refilled_at_ = now;
    return;
  }
  if (now <= refilled_at_) return;
  const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(double(burst_), tokens_ + elapsed * limit_.per_second);
  refilled_at_ = now;
}

int LocalRateLimiter::take(int want, Clock::time_point now) {
  if (want <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (limit_.per_second <= 0) return want;
  refill(now);
  const int granted = std::min(want, whole_tokens(tokens_));
  // The slack may grant a token held as 0.999999999...: the bucket is then empty, not below it.
  tokens_ = std::max(0.0, tokens_ - granted);
  return granted;
}

void LocalRateLimiter::give_back(int n) {
  if (n <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (limit_.per_second <= 0) return;
  tokens_ = std::min(double(burst_), tokens_ + n);
}

LocalRateLimiter::Clock::time_point LocalRateLimiter::next_token_at(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (limit_.per_second <= 0) return now;
  refill(now);
  if (whole_tokens(tokens_) >= 1) return now;
  const double seconds = std::min(double(kLongestTokenWait.count()), (1.0 - tokens_) / limit_.per_second);
  const std::chrono::duration<double> wait(seconds);
  // Rounded up, so the refill by then has made the token (within the slack).
  return now + std::chrono::ceil<Clock::duration>(wait);
}

void LocalRateLimiter::update(const RateLimit &limit) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool was_unlimited = limit_.per_second <= 0;
  limit_ = limit;
  burst_ = effective_burst(limit);
  tokens_ = was_unlimited ? double(burst_) : std::min(tokens_, double(burst_));
}

RateLimit LocalRateLimiter::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_;
}

}  // namespace outboxd

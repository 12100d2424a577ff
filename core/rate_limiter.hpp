// A destination's rate limit: its settings, the parser for their config text ("20/s"), and the
// token bucket a daemon keeps in memory for it (LocalRateLimiter). A limit shared by every daemon
// on the database keeps its bucket in PostgreSQL instead (core/shared_rate_limiter.hpp); both
// follow the same rule, so one RateLimit describes either.
//
// The rule: a bucket holds at most `burst` tokens and gains `per_second` of them each second; one
// message sent costs one token. A bucket starts full, so an idle destination may take a whole
// burst at once and then settles to per_second.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace outboxd {

struct RateLimit {
  double per_second = 0;  // tokens gained per second; 0: no limit (take() grants all it is asked)
  int burst = 0;          // the most tokens the bucket holds; 0: max(1, ceil(per_second))
  bool shared = false;    // the bucket lives in PostgreSQL, shared by every daemon (SharedRateLimiter)
};

// The burst in force: `limit.burst`, or max(1, ceil(per_second)) when that is 0 or below.
int effective_burst(const RateLimit &limit);

// The largest count the text form accepts ("1000000000/s"): beyond it a limit is no limit in
// practice, and the bound keeps per_second and the default burst well inside an int.
constexpr long long kMaxRateCount = 1000000000;

// The longest wait for a token either bucket names: one token at the lowest rate the text form
// writes (1/h). A lower rate from elsewhere only wakes its caller early, to a bucket still empty;
// unbounded, a rate near zero would overflow the clock's nanoseconds.
constexpr std::chrono::seconds kLongestTokenWait{3600};

// Reads the config's text form into out.per_second: "N/s", "N/second", "N/m", "N/min", "N/minute",
// "N/h" or "N/hour", N a whole number from 1 to kMaxRateCount, no spaces. out.burst and out.shared
// are left as they are (they are keys of their own). On failure returns false, leaves `out` as it
// was and sets `error` to a message that quotes the text (at most 40 bytes of it, made log-safe):
// `"20 per s" is not N/s, N/min or N/h`.
bool parse_rate_limit(std::string_view text, RateLimit &out, std::string &error);

// A token bucket for one destination in this daemon. Thread-safe: the destination's workers share
// one. The caller passes the time (steady clock) and does its own sleeping, so nothing here blocks
// beyond the mutex and tests drive time by hand. Times passed in should not go backwards; a time
// earlier than one seen before counts as no time elapsed.
class LocalRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // The bucket starts full.
  explicit LocalRateLimiter(const RateLimit &limit);

  // Grants between 0 and `want` tokens (never more than the bucket holds whole) and takes them out
  // of the bucket. With no limit, grants `want`. `want` <= 0 grants 0.
  int take(int want, Clock::time_point now);

  // Returns `n` tokens taken and not used (a claim found fewer messages than it was granted), never
  // past the burst. Nothing with no limit.
  void give_back(int n);

  // When the bucket will hold at least one whole token: `now` when it does already (or there is no
  // limit). The caller that got fewer tokens than it wanted sleeps until then (or until woken for
  // another reason) and takes again.
  Clock::time_point next_token_at(Clock::time_point now);

  // A reload's new settings. The tokens held are kept, but never more than the new burst; from no
  // limit to a limit the bucket starts full. The time since the last take or next_token_at() is
  // refilled at the new rate when next asked.
  void update(const RateLimit &limit);

  RateLimit limit() const;

 private:
  void refill(Clock::time_point now);  // with mu_ held

  mutable std::mutex mu_;
  RateLimit limit_;
  int burst_ = 1;                 // effective_burst(limit_)
  double tokens_ = 0;             // whole and part tokens held, 0..burst_
  bool refilled_once_ = false;    // refilled_at_ holds a time
  Clock::time_point refilled_at_;  // the time tokens_ is worth
};

}  // namespace outboxd

// A destination's rate limit shared by every daemon on the database (rate_limit with shared: true):
// the token bucket is a row of outbox.rate_buckets (migration 0004), and each take is one statement,
// sql/queries/rate_take_shared.sql, that refills the row by the database's clock and takes from it.
// The rule is LocalRateLimiter's (core/rate_limiter.hpp); this class only carries the settings to
// the statement and its answer back.
//
// The statement runs on its own (autocommit, a pqxx::nontransaction), never inside the claim's
// transaction: the row lock is then held only for the microseconds the statement runs, not through
// the sending of a batch, and daemons taking for the same destination wait on each other only that
// long. The delivery loop takes *after* its claim found messages (an idle destination then costs no
// statement), on a second connection of the worker, since the claim's transaction is open on the
// first; the messages past the tokens granted are left out of the batch, untouched.
//
// Behind a transaction pooler (database.pooler: transaction) the statement is one transaction of its
// own like any other, so it works there too; it carries no SET LOCALs, as it takes no lock but its
// own row's, for microseconds.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include <pqxx/pqxx>

#include "core/rate_limiter.hpp"

namespace outboxd {

class SharedRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Take {
    int granted = 0;  // 0..want
    // When the bucket will hold a whole token again, on this daemon's steady clock: the database's
    // answer (seconds from the statement's time) added to the time the answer arrived. The time
    // the caller sleeps until when it got fewer than it wanted.
    Clock::time_point next_token_at;
  };

  SharedRateLimiter(std::string destination, const RateLimit &limit);

  // Takes up to `want` tokens in one autocommit statement on `conn`, which must have no transaction
  // open. With no limit (per_second 0) grants `want` without a statement; `want` <= 0 asks only when
  // the next token is due. Throws what libpqxx throws (the caller treats it as a failed claim).
  Take take(pqxx::connection_base &conn, int want);

  // A reload's settings: the next take uses them. The row keeps its tokens, at most the new burst
  // (the statement caps them), so a reload loses no fill.
  void update(const RateLimit &limit);

  const std::string &destination() const { return destination_; }
  RateLimit limit() const {
    std::lock_guard<std::mutex> lock(mu_);
    return limit_;
  }

 private:
  const std::string destination_;
  mutable std::mutex mu_;
  RateLimit limit_;
};

}  // namespace outboxd

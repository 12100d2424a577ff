// The rate limit shared by daemons (sql/queries/rate_take_shared.sql, core/shared_rate_limiter.hpp)
// against a real PostgreSQL: a missing bucket is inserted full, it refills by the time elapsed and
// never beyond the burst, and two connections taking at once never get more between them than the
// bucket makes. Elapsed time is moved by editing refilled_at, or measured; nothing sleeps, and the
// bounds are computed from what was measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include <pqxx/pqxx>

#include "core/queries.hpp"
#include "core/shared_rate_limiter.hpp"
#include "tests/support/test_database.hpp"

namespace outboxd {
namespace {

using test::TestDatabase;
using SteadyClock = std::chrono::steady_clock;

queries::RateTakeRow take_shared(pqxx::connection &conn, const std::string &destination, double per_second,
                                 int burst, int want) {
  pqxx::nontransaction tx(conn);
  return queries::rate_take_shared(tx, destination, per_second, burst, want);
}

double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Moves the bucket's last refill `seconds` into the past (or the future, when negative).
void age_bucket(const TestDatabase &db, const std::string &destination, double seconds) {
  db.exec("UPDATE outbox.rate_buckets SET refilled_at = refilled_at - " + std::to_string(seconds) +
          " * interval '1 second' WHERE destination = '" + destination + "'");
}

TEST(RateTakeShared, AMissingBucketIsInsertedFullAndTakenFrom) {
  TestDatabase db;
  auto conn = db.connect();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.rate_buckets"), "0");
  // 0.001 per second: the few milliseconds this test takes refill nothing that counts.
  const queries::RateTakeRow first = take_shared(*conn, "mail", 0.001, 5, 3);
  EXPECT_EQ(first.granted, 3);
  EXPECT_EQ(first.seconds_to_next_token, 0) << "two tokens are left";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.rate_buckets WHERE destination = 'mail' AND tokens = 2 "
                      "AND granted = 3 AND refilled_at <= clock_timestamp()"),
            "1");
  const queries::RateTakeRow second = take_shared(*conn, "mail", 0.001, 5, 3);
  EXPECT_EQ(second.granted, 2) << "only what the bucket held";
  EXPECT_GT(second.seconds_to_next_token, 999) << "a whole token at 0.001/s";
  EXPECT_LE(second.seconds_to_next_token, 1000);
  const queries::RateTakeRow third = take_shared(*conn, "mail", 0.001, 5, 3);
  EXPECT_EQ(third.granted, 0);
  EXPECT_EQ(take_shared(*conn, "other", 0.001, 5, 9).granted, 5) << "each destination has its own bucket";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.rate_buckets"), "2");
}

TEST(RateTakeShared, WantingNothingOnlyAsksWhenTheNextTokenIsDue) {
  TestDatabase db;
  auto conn = db.connect();
  const queries::RateTakeRow full = take_shared(*conn, "mail", 0.001, 2, 0);
  EXPECT_EQ(full.granted, 0);
  EXPECT_EQ(full.seconds_to_next_token, 0);
  EXPECT_EQ(take_shared(*conn, "mail", 0.001, 2, 5).granted, 2) << "asking took nothing";
}

TEST(RateTakeShared, RefillsByTheTimeElapsedUpToTheBurst) {
  TestDatabase db;
  auto conn = db.connect();
  const SteadyClock::time_point start = SteadyClock::now();
  ASSERT_EQ(take_shared(*conn, "mail", 0.5, 100, 100).granted, 100);
  age_bucket(db, "mail", 10);
  const int granted = take_shared(*conn, "mail", 0.5, 100, 100).granted;
  // 10 s at 0.5/s, plus what the real time between the two takes made.
  const double elapsed = seconds_between(start, SteadyClock::now());
  EXPECT_GE(granted, 5);
  EXPECT_LE(granted, 5 + int(std::ceil(elapsed * 0.5))) << elapsed << " s";
  age_bucket(db, "mail", 3600);
  EXPECT_EQ(take_shared(*conn, "mail", 0.5, 100, 1000).granted, 100) << "an hour's 1800 tokens, cut to the burst";
}

TEST(RateTakeShared, ANewBurstOrRateAppliesFromTheNextTake) {
  TestDatabase db;
  auto conn = db.connect();
  ASSERT_EQ(take_shared(*conn, "mail", 0.001, 10, 0).granted, 0);  // inserted full: 10
  const SteadyClock::time_point start = SteadyClock::now();
  EXPECT_EQ(take_shared(*conn, "mail", 0.001, 3, 100).granted, 3) << "10 held, but the burst is 3 now";
  age_bucket(db, "mail", 1);
  const int granted = take_shared(*conn, "mail", 40, 1000, 1000).granted;
  const double elapsed = seconds_between(start, SteadyClock::now());
  EXPECT_GE(granted, 40) << "a second at the new 40/s";
  EXPECT_LE(granted, 40 + int(std::ceil(elapsed * 40))) << elapsed << " s";
}

TEST(RateTakeShared, ARefillTimeAheadOfTheStatementsClockMakesNoTokens) {
  // A take that read the clock before waiting for the row lock may hold an earlier time than the
  // take it waited for stored: it must neither make tokens for negative time nor move the row back.
  TestDatabase db;
  auto conn = db.connect();
  ASSERT_EQ(take_shared(*conn, "mail", 1, 5, 5).granted, 5);
  age_bucket(db, "mail", -30);
  EXPECT_EQ(take_shared(*conn, "mail", 1, 5, 5).granted, 0);
  EXPECT_EQ(db.scalar("SELECT refilled_at > clock_timestamp() + interval '20 seconds' FROM outbox.rate_buckets"),
            "t");
}

TEST(RateTakeShared, TwoConnectionsTakingAtOnceGetNoMoreThanTheBucketMakes) {
  TestDatabase db;
  const double per_second = 200;
  const int burst = 20;
  const auto window = std::chrono::milliseconds(1500);
  long long granted[2] = {0, 0}, takes[2] = {0, 0};
  std::string errors[2];
  auto taker = [&](int i) {
    try {
      auto conn = db.connect();
      const SteadyClock::time_point end = SteadyClock::now() + window;
      // Bounded in count as well as time.
      for (int n = 0; n < 200000 && SteadyClock::now() < end; ++n) {
        granted[i] += take_shared(*conn, "mail", per_second, burst, 1 + n % 3).granted;
        ++takes[i];
      }
    } catch (const std::exception &e) {
      errors[i] = e.what();
    }
  };
  const SteadyClock::time_point start = SteadyClock::now();
  std::thread a(taker, 0), b(taker, 1);
  a.join();
  b.join();
  const double elapsed = seconds_between(start, SteadyClock::now());
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  const long long total = granted[0] + granted[1];
  // Every token granted was in the full bucket or was made during the window (the database's time
  // between the first take and the last lies within it). 1 % and a token spare for rounding.
  const double most = burst + per_second * elapsed * 1.01 + 1;
  EXPECT_LE(total, most) << "granted " << granted[0] << " + " << granted[1] << " in " << elapsed << " s";
  EXPECT_GE(total, burst) << "the full bucket at least";
  std::cout << "two connections: " << takes[0] << " + " << takes[1] << " takes in " << elapsed << " s, granted "
            << total << " of at most " << most << "\n";
}

TEST(SharedRateLimiter, TakesThroughTheStatementAndSaysWhenTheNextTokenIsDue) {
  TestDatabase db;
  auto conn = db.connect();
  RateLimit limit;
  limit.per_second = 0.5;
  limit.burst = 2;
  limit.shared = true;
  SharedRateLimiter limiter("mail", limit);
  EXPECT_EQ(limiter.destination(), "mail");
  const SteadyClock::time_point before = SteadyClock::now();
  EXPECT_EQ(limiter.take(*conn, 5).granted, 2);
  const SharedRateLimiter::Take empty = limiter.take(*conn, 5);
  EXPECT_EQ(empty.granted, 0);
  EXPECT_GT(empty.next_token_at, before + std::chrono::milliseconds(1000)) << "a token takes 2 s at 0.5/s";
  EXPECT_LE(empty.next_token_at, SteadyClock::now() + std::chrono::seconds(2));
  limit.burst = 1;
  limit.per_second = 0.001;
  limiter.update(limit);
  age_bucket(db, "mail", 3600);
  EXPECT_EQ(limiter.take(*conn, 5).granted, 1) << "the new burst";
}

TEST(SharedRateLimiter, NoLimitGrantsEverythingWithoutAStatement) {
  TestDatabase db;
  auto conn = db.connect();
  SharedRateLimiter limiter("mail", RateLimit{});
  const SharedRateLimiter::Take take = limiter.take(*conn, 1000);
  EXPECT_EQ(take.granted, 1000);
  EXPECT_LE(take.next_token_at, SteadyClock::now());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox.rate_buckets"), "0");
}

// Not an assertion: the figure, against a SELECT 1 on the same connection, is for the record
// (docs and reviews of the shared limit's cost).
TEST(SharedRateLimiter, CostOfATake) {
  TestDatabase db;
  auto conn = db.connect();
  RateLimit limit;
  limit.per_second = 1e6;
  limit.shared = true;
  SharedRateLimiter limiter("mail", limit);
  const int n = 1000;
  limiter.take(*conn, 1);  // inserts the row and prepares the statement
  SteadyClock::time_point start = SteadyClock::now();
  for (int i = 0; i < n; ++i) limiter.take(*conn, 1);
  const double take_us = seconds_between(start, SteadyClock::now()) * 1e6 / n;
  start = SteadyClock::now();
  for (int i = 0; i < n; ++i) {
    pqxx::nontransaction tx(*conn);
    tx.exec("SELECT 1");
  }
  const double select_us = seconds_between(start, SteadyClock::now()) * 1e6 / n;
  std::cout << "shared take: " << take_us << " us per call; SELECT 1: " << select_us << " us ("
            << n << " calls each, one connection)\n";
  RecordProperty("shared_take_us", std::to_string(take_us));
  RecordProperty("select_1_us", std::to_string(select_us));
}

}  // namespace
}  // namespace outboxd

// Enqueues one message at a time at a steady rate, each in its own (autocommit) transaction, and
// records when each commit returned, for the latency mode.
//
//   timed_enqueue CONNINFO RATE_PER_S SECONDS OUTFILE [DESTINATION]
//
// DESTINATION defaults to `bench` (the isolation mode runs one per destination, side by side).
// OUTFILE gets one line per message: "<id> <commit-return CLOCK_REALTIME ns> <wake flag> <commit us>",
// where the wake flag is outbox.wake_wanted as read in the same statement just before the enqueue
// (1: the daemon was idle and the enqueue sent a NOTIFY; 0: the daemon was still polling).
// The schedule is absolute (message i is due at start + i/rate), so a slow commit does not shift
// the ones after it.
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_clock.hpp"

namespace {

// The flag is read first in the select list, so it is the value the enqueue's trigger saw (give
// or take a concurrent flip by the daemon, which is exactly the race the gate lock covers).
const char *kEnqueue =
    "SELECT (SELECT last_value FROM outbox.wake_wanted), outbox.enqueue($2::text, $1::jsonb)::text";

struct Sample {
  std::string id;
  long long commit_ns;
  std::string flag;
  long long commit_us;
};

[[noreturn]] void die(const std::string &what, PGconn *conn) {
  std::fprintf(stderr, "timed_enqueue: %s%s\n", what.c_str(), conn ? PQerrorMessage(conn) : "");
  std::exit(1);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: timed_enqueue CONNINFO RATE_PER_S SECONDS OUTFILE [DESTINATION]\n");
    return 2;
  }
  const double rate = std::atof(argv[2]);
  const long count = static_cast<long>(rate * std::atof(argv[3]));
  if (rate <= 0 || count <= 0) die("RATE_PER_S and SECONDS must be positive", nullptr);
  const char *destination = argc == 6 ? argv[5] : "bench";

  PGconn *conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) die("cannot connect: ", conn);
  PGresult *prep = PQprepare(conn, "enqueue", kEnqueue, 2, nullptr);
  if (PQresultStatus(prep) != PGRES_COMMAND_OK) die("prepare failed: ", conn);
  PQclear(prep);

  std::vector<Sample> samples;
  samples.reserve(static_cast<size_t>(count));
  const double start = bench::monotonic_s() + 0.1;
  for (long i = 0; i < count; ++i) {
    bench::sleep_until_s(start + static_cast<double>(i) / rate);
    const std::string payload = "{\"n\":" + std::to_string(i) + "}";
    const char *params[2] = {payload.c_str(), destination};
    const double sent = bench::monotonic_s();
    PGresult *r = PQexecPrepared(conn, "enqueue", 2, params, nullptr, nullptr, 0);
    const long long committed = bench::realtime_ns();  // autocommit: the result means committed
    const double took = bench::monotonic_s() - sent;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die("enqueue failed: ", conn);
    samples.push_back({PQgetvalue(r, 0, 1), committed, PQgetvalue(r, 0, 0),
                       static_cast<long long>(took * 1e6)});
    PQclear(r);
  }
  PQfinish(conn);

  FILE *out = std::fopen(argv[4], "w");
  if (out == nullptr) die(std::string("cannot write ") + argv[4], nullptr);
  for (const auto &s : samples)
    std::fprintf(out, "%s %lld %s %lld\n", s.id.c_str(), s.commit_ns, s.flag.c_str(), s.commit_us);
  std::fclose(out);
  return 0;
}

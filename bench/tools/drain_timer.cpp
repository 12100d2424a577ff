// Fills outbox.messages with N messages in one statement, then measures how long it takes until no
// message is pending (delivered, or deleted in retention-0 mode). Optionally starts a command (the
// pgbench ceiling) right after the fill commits, so the daemon and the ceiling are timed the same way.
//
//   drain_timer [--analyze] [--keys K | --key-runs K] CONNINFO MESSAGES TIMEOUT_S [COMMAND ARGS...]
//
// --keys K gives the messages K ordering keys, dealt out in turn (message g gets key g mod K), so
// each key's messages are spread evenly through the backlog and every key has MESSAGES/K of them.
// --key-runs K gives them K keys in runs: the first MESSAGES/K messages have one key, the next
// MESSAGES/K the next, and so on, as when an application enqueues a burst per entity. A key's first
// message then sits behind every earlier key's whole run: the deep backlog of issue 13.
// --analyze runs ANALYZE in the fill's transaction, so the rows and statistics that describe them
// become visible together: the daemon (woken by the fill's commit) and the ceiling both plan their
// first claim with fresh statistics. Without it they plan with whatever statistics came before.
//
// Prints "fill_s=<s> drain_s=<s>" on stdout (the command's own output goes to stderr). Exits 1 on a database error, a timeout, or when the
// command fails.
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_clock.hpp"

namespace {

// One statement, so the daemon sees all N rows at once (one commit, one statement-level NOTIFY).
const char *kFill =
    "INSERT INTO outbox.messages (destination, payload) "
    "SELECT 'bench', jsonb_build_object('n', g) FROM generate_series(1, $1::int) g";
const char *kFillKeyed =
    "INSERT INTO outbox.messages (destination, payload, ordering_key) "
    "SELECT 'bench', jsonb_build_object('n', g), 'key-' || (g % $2::int) "
    "FROM generate_series(1, $1::int) g";
const char *kFillKeyRuns =
    "INSERT INTO outbox.messages (destination, payload, ordering_key) "
    "SELECT 'bench', jsonb_build_object('n', g), 'key-' || ((g - 1)::bigint * $2::int / $1::int) "
    "FROM generate_series(1, $1::int) g";
// Uses a partial index on pending rows; cheap enough to ask every few milliseconds. Only with
// sequential scans off for this session (kNoSeqScan): the statistics the fill's ANALYZE leaves say
// every row is pending, so the planner reads the table from its start, and that walk grows with
// every message delivered: 4-8 ms a poll by the end of a 100k drain, a core's worth of CPU taken
// from the daemon on a 2-core machine (more with ordering keys, whose drains last longer).
const char *kNoSeqScan = "SET enable_seqscan = off";
const char *kAnyPending = "SELECT EXISTS (SELECT 1 FROM outbox.messages WHERE state = 'pending')";
// Polling faster would cost the 2-core machine CPU; 10 ms is below 1 % of any run we report.
constexpr double kPollS = 0.010;

[[noreturn]] void die(const std::string &what, PGconn *conn) {
  std::fprintf(stderr, "drain_timer: %s%s\n", what.c_str(), conn ? PQerrorMessage(conn) : "");
  std::exit(1);
}

// Runs one statement with up to two parameters; returns the first field of the first row (empty
// when there is none).
std::string exec1(PGconn *conn, const char *sql, const char *param, const char *param2 = nullptr) {
  const char *params[2] = {param, param2};
  const int n_params = param2 ? 2 : param ? 1 : 0;
  PGresult *r = PQexecParams(conn, sql, n_params, nullptr, n_params ? params : nullptr, nullptr,
                             nullptr, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = std::string("query failed: ") + PQresultErrorMessage(r);
    PQclear(r);
    die(msg, nullptr);
  }
  std::string out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return out;
}

pid_t spawn(char **argv) {
  pid_t pid = fork();
  if (pid < 0) die("fork failed", nullptr);
  if (pid == 0) {
    dup2(2, 1);  // the command's report goes to stderr; stdout carries only our result line
    execvp(argv[0], argv);
    std::perror("drain_timer: exec");
    _exit(127);
  }
  return pid;
}

}  // namespace

int main(int argc, char **argv) {
  bool analyze = false;
  const char *keys = nullptr;  // ordering keys, as text for the query; none when null
  bool key_runs = false;       // --key-runs: each key's messages one after another
  while (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-') {
    const std::string option = argv[1];
    if (option == "--analyze") {
      analyze = true;
    } else if ((option == "--keys" || option == "--key-runs") && argc > 2 && std::atoi(argv[2]) > 0) {
      keys = argv[2];
      key_runs = option == "--key-runs";
      --argc;
      ++argv;
    } else {
      std::fprintf(stderr, "drain_timer: unknown option or bad value: %s\n", argv[1]);
      return 2;
    }
    --argc;
    ++argv;
  }
  if (argc < 4) {
    std::fprintf(stderr, "usage: drain_timer [--analyze] [--keys K | --key-runs K] CONNINFO MESSAGES TIMEOUT_S [COMMAND ARGS...]\n");
    return 2;
  }
  const char *messages = argv[2];
  const double timeout_s = std::atof(argv[3]);
  PGconn *conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) die("cannot connect: ", conn);
  exec1(conn, kNoSeqScan, nullptr);

  const double fill_start = bench::monotonic_s();
  if (analyze) exec1(conn, "BEGIN", nullptr);
  if (keys) {
    exec1(conn, key_runs ? kFillKeyRuns : kFillKeyed, messages, keys);
  } else {
    exec1(conn, kFill, messages);
  }
  if (analyze) {
    exec1(conn, "ANALYZE outbox.messages", nullptr);
    exec1(conn, "COMMIT", nullptr);
  }
  const double t0 = bench::monotonic_s();  // the fill has committed: the clock starts here

  pid_t child = argc > 4 ? spawn(argv + 4) : -1;
  double t1 = 0;
  for (double next = t0;; next += kPollS) {
    if (exec1(conn, kAnyPending, nullptr) == "f") {
      t1 = bench::monotonic_s();
      break;
    }
    if (bench::monotonic_s() - t0 > timeout_s) {
      if (child > 0) kill(child, SIGTERM);
      die("timed out: messages still pending after " + std::string(argv[3]) + " s", nullptr);
    }
    bench::sleep_until_s(next + kPollS);
  }

  if (child > 0) {
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("the command failed", nullptr);
  }
  std::printf("fill_s=%.3f drain_s=%.3f\n", t0 - fill_start, t1 - t0);
  PQfinish(conn);
  return 0;
}

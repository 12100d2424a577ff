// Config files and databases that try to hang, exhaust or fool outboxd: an alias bomb on SIGHUP, a
// FIFO secret, mistyped tags, a second document, a database that never answers, and Ctrl-C on a
// one-shot command that waits. Each used to hang, blow up or be silently accepted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "tests/e2e/harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/hostile_yaml.hpp"
#include "tests/support/silent_server.hpp"
#include "tests/support/text.hpp"

using namespace outboxd::test;

namespace {


// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"), or -1.
long proc_status_kib(pid_t pid, const std::string &field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

// A destination whose config: is an alias bomb. Before the node budget a SIGHUP with this grew the
// daemon to 534 MB.
std::string alias_bomb_destination() {
  return "  bomb:\n    plugin: scripted\n    config:\n" + alias_bomb_yaml("      ");
}

// A config for `conninfo` with one destination, written into `dir`; returns its path.
std::string one_destination_config(const TempDir &dir, const std::string &conninfo) {
  const std::string path = dir.file("c.yaml");
  write_file(path, daemon_config(conninfo, "  orders:\n    plugin: scripted\n"));
  return path;
}

}  // namespace

class HostileConfig : public E2E {
 protected:
  std::pair<int, std::string> check_config(const std::string &path) {
    return run_outboxd({"check-config", "--config", path});
  }
};

TEST_F(HostileConfig, SighupWithAnAliasBombKeepsTheRunningConfigAndBoundedMemory) {
  auto path = write_config(scripted_destination("orders"));
  auto daemon = start(path);
  const long peak_before = proc_status_kib(daemon->pid(), "VmHWM");
  ASSERT_GT(peak_before, 0);

  write_config(scripted_destination("orders") + alias_bomb_destination());
  daemon->signal(SIGHUP);
  ASSERT_TRUE(daemon->wait_for_log("still running on the previous config")) << daemon->log();
  EXPECT_TRUE(contains(daemon->log(), "destinations.bomb.config.l")) << daemon->log();
  EXPECT_TRUE(contains(daemon->log(), "once its aliases (*name) are followed")) << daemon->log();

  // The peak, not just the current size: memory taken and given back during the reload counts too.
  const long peak_after = proc_status_kib(daemon->pid(), "VmHWM");
  const long rss_after = proc_status_kib(daemon->pid(), "VmRSS");
  EXPECT_LT(peak_after - peak_before, 64 * 1024) << "VmHWM grew from " << peak_before << " to " << peak_after << " KiB";
  EXPECT_LT(rss_after, peak_before + 64 * 1024) << "VmRSS " << rss_after << " KiB";

  enqueue("orders", "{}");
  EXPECT_TRUE(wait_count("state = 'delivered'", 1)) << daemon->log();
  EXPECT_TRUE(daemon->running());
}

TEST_F(HostileConfig, CheckConfigWithAFifoSecretExitsTwoAtOnce) {
  const std::string fifo = dir.file("password.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto path = write_config(scripted_destination("orders") +
                           "  mail:\n    plugin: scripted\n    config:\n      password: !file " + fifo + "\n");
  // Before: open() waited for a writer forever; the deadline turns that into a failure (-1).
  auto [code, out] = check_config(path);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(contains(out, path + ":")) << out;
  EXPECT_TRUE(contains(out, "destinations.mail.config.password: cannot read secret file " + fifo +
                                ": is a FIFO, not a regular file"))
      << out;
}

TEST_F(HostileConfig, AMistypedTagIsAnErrorNotALiteralToken) {
  // The case: the variable's NAME became the admin token and check-config said OK.
  auto path = write_config(scripted_destination("orders"),
                           "api:\n  listen: 127.0.0.1:0\n  tokens:\n    - name: orders\n"
                           "      token: !Env OUTBOXD_TOKEN_ORDERS\n      scopes: [admin]\n");
  auto [code, out] = check_config(path);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(contains(out, "api.tokens[0].token: unknown tag !Env (known: !env, !file; did you mean !env?)")) << out;
  auto [run_code, run_out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(run_code, 2) << run_out;
}

TEST_F(HostileConfig, ASecondDocumentIsAnErrorNamingItsLine) {
  auto path = write_config(scripted_destination("orders"));
  write_file(path, read_file(path) + "---\nworkers: 64\n");
  auto [code, out] = check_config(path);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(contains(out, "a second YAML document ('---') starts here")) << out;
}

TEST_F(HostileConfig, CheckConfigRefusesAnOnOutcomeStatementThatRunRefuses) {
  auto path = write_config(scripted_destination("orders", "    on_outcome: \"UPDATE no_such_table SET x = $2\"\n"));
  auto [code, out] = check_config(path);  // before: "OK, 1 destination(s)"
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(contains(out, "destinations.orders.on_outcome: does not prepare")) << out;
  EXPECT_TRUE(contains(out, "no_such_table")) << out;
  auto [run_code, run_out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(run_code, code) << run_out;
}

TEST(HostileConfigFreshDatabase, CheckConfigRefusesPendingMigrationsWhenRunWould) {
  TestDatabase db(/*migrate=*/false);
  TempDir dir;
  const std::string path = dir.file("c.yaml");
  write_file(path, "database:\n  url: \"" + db.conninfo() + "\"\n  migrate: false\n"
                   "plugin_dir: \"" OUTBOXD_TEST_FIXTURE_PLUGIN_DIR "\"\n"
                   "destinations:\n  orders:\n    plugin: scripted\n");
  auto [code, out] = run_outboxd({"check-config", "--config", path});
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(contains(out, "database.migrate is false: run `outboxd migrate --config " + path)) << out;
  auto [run_code, run_out] = run_outboxd({"run", "--config", path});
  EXPECT_EQ(run_code, code) << run_out;

  // With migrate: true, run would apply them: check-config only says so and changes nothing.
  write_file(path, "database:\n  url: \"" + db.conninfo() + "\"\n"
                   "plugin_dir: \"" OUTBOXD_TEST_FIXTURE_PLUGIN_DIR "\"\n"
                   "destinations:\n  orders:\n    plugin: scripted\n");
  auto [ok_code, ok_out] = run_outboxd({"check-config", "--config", path});
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_TRUE(contains(ok_out, "run will first apply")) << ok_out;
  auto [again, again_out] = run_outboxd({"check-config", "--config", path});
  EXPECT_TRUE(contains(again_out, "run will first apply")) << again_out;
}

TEST(HostileConfigDatabase, CheckConfigGivesUpOnADatabaseThatNeverAnswers) {
  SilentServer server;
  TempDir dir;
  const std::string path = one_destination_config(dir, server.conninfo());
  // Its own connect timeout is 10 s; the deadline only catches a hang.
  auto [code, out] = run_outboxd({"check-config", "--config", path}, std::chrono::seconds(60));
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(contains(out, "cannot connect to PostgreSQL")) << out;
  EXPECT_TRUE(contains(out, "the file and its plugins are valid")) << out;
}

TEST(HostileConfigDatabase, TheLoggedConninfoHidesAnEscapedPassword) {
  TempDir dir;
  const std::string url = "host=127.0.0.1 port=" + std::to_string(free_loopback_port()) +
                          " user=outbox password=S3cret\\\\ Esc dbname=outbox";  // YAML "\\\\" is one backslash
  const std::string path = one_destination_config(dir, url);
  auto [code, out] = run_outboxd({"check-config", "--config", path});
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(contains(out, "password=*** dbname=outbox")) << out;
  EXPECT_FALSE(contains(out, "S3cret")) << out;
  EXPECT_FALSE(contains(out, "Esc")) << out;
}

TEST(HostileConfigSignals, SigintStopsAOneShotCommandWaitingForTheDatabase) {
  SilentServer server;
  TempDir dir;
  const std::string path = one_destination_config(dir, server.conninfo());
  // migrate has no connect timeout of its own: it waits for the silent server until stopped.
  DaemonProcess migrate({"migrate", "--config", path}, dir.file("migrate.log"));
  ASSERT_TRUE(wait_until([&] { return server.has_client() || !migrate.running(); })) << migrate.log();
  ASSERT_TRUE(migrate.running()) << migrate.log();
  migrate.signal(SIGINT);
  // Before: every command blocked SIGINT, so Ctrl-C did nothing here.
  EXPECT_EQ(migrate.wait_exit(std::chrono::seconds(10)), 128 + SIGINT) << migrate.log();
}

// The throwaway-cluster script (scripts/lib/pg_cluster.sh, through tests/fixtures/pg_fixture.sh,
// the way ctest, the benchmark and the demo start their clusters) against what a user meets: a
// server or a pid file left by a killed run, a port already taken, no PostgreSQL binaries, and
// running as root. Each test starts real clusters of its own on its own port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/wait.hpp"

namespace {

const std::string kFixture = OUTBOXD_TEST_SOURCE_DIR "/tests/fixtures/pg_fixture.sh";

struct ScriptResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

ScriptResult run_script(const std::string &cmd) {
  ScriptResult r;
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 512> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// One cluster directory and port per test, above Linux's ephemeral port range (see
// tests/support/private_cluster.hpp), torn down however the test ends.
class PgClusterScript : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test in its own process, so the pid keeps parallel tests apart.
    port_ = 61000 + (getpid() * 7 + 900) % 4000;
    dir_ = "/tmp/outboxd-cluster-script-" + std::to_string(getpid());
  }
  void TearDown() override { run_script(fixture("stop")); }

  std::string fixture(const std::string &verb) const {
    return kFixture + " " + verb + " " + dir_ + " " + std::to_string(port_);
  }
  std::string conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=outbox dbname=postgres connect_timeout=5";
  }
  bool answers() const {
    try {
      pqxx::connection c(conninfo());
      pqxx::nontransaction tx(c);
      return tx.exec1("SELECT 1")[0].as<int>() == 1;
    } catch (const std::exception &) {
      return false;
    }
  }
  pid_t postmaster_pid() const {
    std::ifstream in(dir_ + "/data/postmaster.pid");
    pid_t pid = 0;
    in >> pid;
    return pid;
  }

  std::string dir_;
  int port_ = 0;
};

// A run killed before its cleanup leaves its server running on the directory and port: the next
// start stops it and starts a fresh cluster there.
TEST_F(PgClusterScript, StopsTheServerAKilledRunLeftRunning) {
  ASSERT_EQ(run_script(fixture("start")).status, 0);
  const pid_t old_server = postmaster_pid();
  ASSERT_GT(old_server, 0);

  const ScriptResult again = run_script(fixture("start"));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(outboxd::test::wait_until([&] { return kill(old_server, 0) != 0; }))
      << "the old server is still running";
  EXPECT_NE(postmaster_pid(), old_server);
  EXPECT_TRUE(answers());
}

// A server killed with SIGKILL leaves postmaster.pid behind, and by the next start its pid may
// belong to an unrelated process: that process is left alone, and the cluster starts.
TEST_F(PgClusterScript, LeavesAloneTheProcessAStalePidFileNames) {
  ASSERT_EQ(run_script(fixture("start")).status, 0);
  const pid_t server = postmaster_pid();
  ASSERT_GT(server, 0);
  ASSERT_EQ(kill(server, SIGKILL), 0);
  ASSERT_TRUE(outboxd::test::wait_until([&] { return kill(server, 0) != 0; }));

  // Owned by the cluster's user, so pg_ctl, which runs as that user, could signal it.
  const pid_t bystander =
      getuid() == 0 ? outboxd::test::spawn_child({"setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups",
                                                  "sleep", "120"},
                                                 "", SIGKILL)
                    : outboxd::test::spawn_child({"sleep", "120"}, "", SIGKILL);
  {
    std::ofstream pidfile(dir_ + "/data/postmaster.pid", std::ios::trunc);
    pidfile << bystander << "\n" << dir_ << "/data\n";
  }

  const ScriptResult again = run_script(fixture("start"));
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(answers());
  int status = 0;
  EXPECT_EQ(waitpid(bystander, &status, WNOHANG), 0) << "the process named in the stale pid file was signalled";
  kill(bystander, SIGKILL);
  waitpid(bystander, &status, 0);
}

// Something else listens on the port: the start fails at once and says which port.
TEST_F(PgClusterScript, NamesThePortAlreadyInUse) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 4), 0);

  const ScriptResult r = run_script(fixture("start"));
  close(listener);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("port " + std::to_string(port_) + " on 127.0.0.1 is already in use"), std::string::npos)
      << r.output;
}

TEST_F(PgClusterScript, NamesAMissingBinaryDirectory) {
  const ScriptResult r = run_script("PGBIN=/nonexistent/pgbin " + fixture("start"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("PGBIN=/nonexistent/pgbin has no executable initdb"), std::string::npos) << r.output;
}

// initdb and pg_ctl refuse to run as root: the cluster belongs to an unprivileged user.
TEST_F(PgClusterScript, AsRootAnUnprivilegedUserOwnsTheCluster) {
  if (getuid() != 0) GTEST_SKIP() << "needs root";
  const ScriptResult r = run_script(fixture("start"));
  ASSERT_EQ(r.status, 0) << r.output;
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/data").c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u);
  EXPECT_TRUE(answers());
}

}  // namespace

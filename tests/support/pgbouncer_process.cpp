// Starts Debian's pgbouncer for a test: a generated pgbouncer.ini and userlist, its log captured.
#include "tests/support/pgbouncer_process.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

#include "core/conninfo_options.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {
namespace {

std::string option_or(const std::map<std::string, std::string> &options, const std::string &key,
                      const std::string &fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}

}  // namespace

PgBouncerProcess::PgBouncerProcess(int pool_size) {
  const auto cluster = conninfo_options(admin_conninfo()).value_or(std::map<std::string, std::string>{});
  port_ = free_loopback_port();
  const bool root = ::geteuid() == 0;
  // As root pgbouncer runs as postgres, which must read the ini and userlist in here.
  if (root) ::chmod(dir_.path().c_str(), 0755);
  user_ = option_or(cluster, "user", "outbox");
  write_file(dir_.file("userlist.txt"), "\"" + user_ + "\" \"\"\n");
  // server_reset_query is not used in transaction pooling anyway; empty, so nothing would hide a
  // session setting or statement the daemon left behind for the next client.
  ini_ = "[databases]\n"
         "* = host=" + option_or(cluster, "host", "127.0.0.1") + " port=" + option_or(cluster, "port", "5432") + "\n"
         "\n[pgbouncer]\n"
         "listen_addr = 127.0.0.1\n"
         "listen_port = " + std::to_string(port_) + "\n"
         "unix_socket_dir =\n"
         "auth_type = trust\n"
         "auth_file = " + dir_.file("userlist.txt") + "\n"
         "pool_mode = transaction\n"
         "default_pool_size = " + std::to_string(pool_size) + "\n"
         "max_client_conn = 200\n"
         "server_reset_query =\n"
         "logfile =\n"
         "pidfile =\n";
  write_file(dir_.file("pgbouncer.ini"), ini_);
  std::vector<std::string> args;
  // setpriv execs pgbouncer itself (the pid is pgbouncer's), and sets the parent-death signal
  // after changing user, which would otherwise clear it.
  if (root) args = {"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--pdeathsig", "KILL"};
  args.push_back(::access("/usr/sbin/pgbouncer", X_OK) == 0 ? "/usr/sbin/pgbouncer" : "pgbouncer");
  args.push_back(dir_.file("pgbouncer.ini"));
  pid_ = spawn_child(args, dir_.file("pgbouncer.log"), SIGKILL);
  const bool up = wait_until([&] {
    return log().find("process up") != std::string::npos || ::waitpid(pid_, nullptr, WNOHANG) == pid_;
  });
  if (!up || log().find("process up") == std::string::npos)
    ADD_FAILURE() << "pgbouncer did not start (scripts/install-deps installs it):\n" << log() << "\nwith\n" << ini_;
}

PgBouncerProcess::~PgBouncerProcess() {
  if (pid_ > 0 && ::kill(pid_, SIGKILL) == 0) ::waitpid(pid_, nullptr, 0);
}

std::string PgBouncerProcess::conninfo(const std::string &dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user_ + " dbname=" + dbname;
}

std::string PgBouncerProcess::log() const { return read_file(dir_.file("pgbouncer.log")); }

}  // namespace outboxd::test

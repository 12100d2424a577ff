// Config files and databases that try to hang, exhaust or fool outboxd. Each used to hang, blow up
// or be silently accepted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/e2e/harness.hpp"

using namespace outboxd::test;

namespace {

// A TCP server that accepts connections into its backlog and never says a word: what a database
// host behind a broken proxy looks like to libpq.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
      throw std::runtime_error("cannot start the silent server");
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=outbox dbname=outbox";
  }
  // True once a client's connection waits in the backlog, i.e. the client is now waiting on us.
  bool has_client() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A config for `conninfo` with one destination, written into `dir`; returns its path.
std::string one_destination_config(const TempDir &dir, const std::string &conninfo) {
  const std::string path = dir.file("c.yaml");
  write_file(path, daemon_config(conninfo, "  orders:\n    plugin: scripted\n"));
  return path;
}

}  // namespace

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

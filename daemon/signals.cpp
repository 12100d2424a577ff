// sigtimedwait-based signal handling and the systemd notify protocol (a datagram to NOTIFY_SOCKET).
#include "daemon/signals.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <spdlog/spdlog.h>

namespace outboxd::cli {
namespace {

sigset_t handled_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

int next_signal(std::chrono::milliseconds timeout) {
  sigset_t set = handled_set();
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000000};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

void ignore_sigpipe() { signal(SIGPIPE, SIG_IGN); }

void block_signals() {
  sigset_t set = handled_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool wait_for_signal(std::chrono::milliseconds timeout) {
  int sig = next_signal(timeout);
  if (sig == SIGHUP) spdlog::warn("SIGHUP ignored: the daemon is starting or stopping");
  return sig == SIGTERM || sig == SIGINT;
}

void notify_systemd(const char *state) {
  const char *path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
  socklen_t len = sizeof(addr);
  if (path[0] == '@') {  // abstract socket namespace
    addr.sun_path[0] = '\0';
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path));
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (sendto(fd, state, std::strlen(state), 0, reinterpret_cast<sockaddr *>(&addr), len) < 0)
    spdlog::debug("sd_notify {} failed: {}", state, std::strerror(errno));
  close(fd);
}

}  // namespace outboxd::cli

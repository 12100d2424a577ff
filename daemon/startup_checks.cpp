// The start checks shared by `run`, its SIGHUP reload and `check-config`: api.listen on this
// machine, and the schema and on_outcome statements in the database.
#include "daemon/startup_checks.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "core/listen_address.hpp"
#include "core/migrations.hpp"
#include "core/on_outcome.hpp"

namespace outboxd::cli {
namespace {

void refuse_pending(const Config &config, const MigrationStatus &status) {
  if (config.migrate || status.pending.empty()) return;
  throw SchemaOutdated("the outbox schema is missing " + std::to_string(status.pending.size()) +
                       " migration(s) and database.migrate is false: run `outboxd migrate --config " +
                       config.source + "` (or apply sql/migrations by hand)");
}

// Frees getaddrinfo's list and closes the probe socket on every path.
struct ResolvedAddresses {
  addrinfo *list = nullptr;
  ~ResolvedAddresses() {
    if (list) freeaddrinfo(list);
  }
};
struct ProbeSocket {
  int fd = -1;
  ~ProbeSocket() {
    if (fd >= 0) ::close(fd);
  }
};

void set_port_zero(sockaddr *address) {
  if (address->sa_family == AF_INET) reinterpret_cast<sockaddr_in *>(address)->sin_port = 0;
  if (address->sa_family == AF_INET6) reinterpret_cast<sockaddr_in6 *>(address)->sin6_port = 0;
}

}  // namespace

void check_api_listen(const Config &config) {
  if (!config.api_enabled) return;
  const std::string where = config.source + ": api.listen: cannot listen on \"" + config.api_listen + "\": ";
  std::string host, error;
  int port = 0;
  if (!parse_listen_address(config.api_listen, host, port, error)) throw ListenAddressUnusable(where + error);
  // As the HTTP server's resolver asks (api/http_server.cpp): passive, TCP, any family.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_PASSIVE;
  ResolvedAddresses resolved;
  if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &resolved.list); rc != 0 || !resolved.list)
    throw ListenAddressUnusable(where + "the host \"" + host + "\" does not resolve (" +
                                (rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc)) + ")");
  const addrinfo &first = *resolved.list;
  sockaddr_storage address{};
  std::memcpy(&address, first.ai_addr, std::min<std::size_t>(first.ai_addrlen, sizeof address));
  set_port_zero(reinterpret_cast<sockaddr *>(&address));
  char shown[NI_MAXHOST] = "?";
  getnameinfo(reinterpret_cast<sockaddr *>(&address), first.ai_addrlen, shown, sizeof shown, nullptr, 0,
              NI_NUMERICHOST);
  ProbeSocket probe;
  probe.fd = ::socket(first.ai_family, SOCK_STREAM | SOCK_CLOEXEC, first.ai_protocol);
  if (probe.fd < 0) throw ListenAddressUnusable(where + "no socket for " + shown + ": " + std::strerror(errno));
  if (::bind(probe.fd, reinterpret_cast<sockaddr *>(&address), first.ai_addrlen) != 0) {
    const int bind_errno = errno;
    throw ListenAddressUnusable(where + (bind_errno == EADDRNOTAVAIL
                                             ? std::string(shown) + " is not an address of this machine"
                                             : "cannot bind " + std::string(shown)) +
                                " (" + std::strerror(bind_errno) + ")");
  }
}

void prepare_schema(const Config &config, pqxx::connection &conn) {
  if (config.migrate) {
    auto applied = apply_migrations(conn);
    if (!applied.empty()) spdlog::info("migrate: schema now at version {}", applied.back());
    return;
  }
  refuse_pending(config, migration_status(conn));
}

std::size_t check_schema(const Config &config, pqxx::connection &conn) {
  const MigrationStatus status = migration_status(conn);
  refuse_pending(config, status);
  return status.pending.size();
}

void check_on_outcome_statements(const Config &config, pqxx::connection &conn) {
  for (const auto &[name, d] : config.destinations) {
    if (d.on_outcome.empty()) continue;
    try {
      check_on_outcome_prepares(conn, d.on_outcome);
    } catch (const pqxx::broken_connection &) {
      throw;  // the database went away: not a fault of the statement
    } catch (const std::exception &e) {
      throw config_error(d.source.empty() ? config.source : d.source, d.on_outcome_line,
                         "destinations." + name + ".on_outcome",
                         std::string("does not prepare: ") + e.what());
    }
  }
}

}  // namespace outboxd::cli

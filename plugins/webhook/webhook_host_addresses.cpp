// Reads and caches this host's interface addresses for the SSRF guard.
#include "webhook_host_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <mutex>

namespace outboxd::webhook {

const std::string *HostAddresses::find_v4(std::uint32_t ip) const {
  for (const auto &a : v4)
    if (a.address == ip) return &a.interface;
  return nullptr;
}

const std::string *HostAddresses::find_v6(const in6_addr &a) const {
  for (const auto &own : v6)
    if (std::memcmp(own.address.data(), a.s6_addr, 16) == 0) return &own.interface;
  return nullptr;
}

HostAddresses webhook_read_host_addresses() {
  HostAddresses out;
  ifaddrs *list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const ifaddrs *i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    const std::string name = i->ifa_name != nullptr ? i->ifa_name : "?";
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in v4;
      std::memcpy(&v4, i->ifa_addr, sizeof v4);
      out.v4.push_back({ntohl(v4.sin_addr.s_addr), name});
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 v6;
      std::memcpy(&v6, i->ifa_addr, sizeof v6);
      HostAddresses::V6 own{{}, name};
      std::memcpy(own.address.data(), v6.sin6_addr.s6_addr, 16);
      out.v6.push_back(std::move(own));
    }
  }
  freeifaddrs(list);
  return out;
}

std::shared_ptr<const HostAddresses> webhook_host_addresses() {
  using Clock = std::chrono::steady_clock;
  static std::mutex mutex;
  static std::shared_ptr<const HostAddresses> cached;
  static Clock::time_point read_at;
  std::lock_guard<std::mutex> lock(mutex);
  const auto now = Clock::now();
  if (!cached || now - read_at >= std::chrono::milliseconds(webhook_host_addresses_max_age_ms)) {
    cached = std::make_shared<const HostAddresses>(webhook_read_host_addresses());
    read_at = now;
  }
  return cached;
}

}  // namespace outboxd::webhook

// Reading api.listen: "host:port" and whether the host is loopback (core/listen_address.hpp).
#include "core/listen_address.hpp"

#include <charconv>
#include <cstdint>

namespace outboxd {
namespace {
// Only digits: a sign, a space or anything after the number is not a port or an octet.
bool parse_decimal(const std::string &s, std::int64_t &out) {
  const char *begin = s.data();
  const char *end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return begin != end && ec == std::errc() && ptr == end;
}
}  // namespace

bool parse_listen_address(const std::string &text, std::string &host, int &port, std::string &error) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    error = "expected host:port such as 127.0.0.1:3080, got \"" + text + "\"";
    return false;
  }
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string::npos) {
    error = "an IPv6 address needs brackets, e.g. [::1]:3080, got \"" + text + "\"";
    return false;
  }
  std::int64_t p = -1;
  if (host.empty() || !parse_decimal(text.substr(colon + 1), p) || p < 0 || p > 65535) {
    error = "expected host:port with a port from 0 to 65535, got \"" + text + "\"";
    return false;
  }
  port = static_cast<int>(p);
  return true;
}

bool is_loopback_host(const std::string &host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 written as a dotted quad: four decimal octets, the first 127.
  int octets = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t end = host.find('.', i);
    if (end == std::string::npos) end = host.size();
    const std::string part = host.substr(i, end - i);
    std::int64_t v = -1;
    if (part.empty() || part.size() > 3 || !parse_decimal(part, v) || v < 0 || v > 255)
      return false;
    if (octets == 0 && v != 127) return false;
    ++octets;
    i = end + 1;
  }
  return octets == 4;
}

}  // namespace outboxd

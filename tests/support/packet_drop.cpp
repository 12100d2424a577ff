// iptables rules that blackhole one port (tests/support/packet_drop.hpp).
#include "tests/support/packet_drop.hpp"

#include <unistd.h>

#include <cstdlib>

namespace outboxd::test {

std::string PacketDrop::unavailable_reason() {
  if (geteuid() != 0) return "dropping packets needs root (iptables); CI runs the tests as root";
  if (std::system("iptables -w -L INPUT -n >/dev/null 2>&1") != 0)
    return "iptables does not work here (install it: scripts/install-deps; it needs CAP_NET_ADMIN)";
  return "";
}

bool PacketDrop::rules(const char *action) {
  const std::string port = std::to_string(port_);
  bool ok = true;
  for (const char *side : {"--dport", "--sport"}) {
    const std::string cmd = std::string("iptables -w ") + action + " INPUT -p tcp " + side + " " + port +
                            " -m comment --comment outboxd-test -j DROP >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0 && ok;
  }
  return ok;
}

bool PacketDrop::start() {
  on_ = true;
  return rules("-I");
}

void PacketDrop::stop() {
  if (!on_) return;
  on_ = false;
  rules("-D");
}

PacketDrop::~PacketDrop() { stop(); }

}  // namespace outboxd::test

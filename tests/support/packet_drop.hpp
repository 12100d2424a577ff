// A network blackhole for one TCP port, made with iptables: packets to and from it are dropped,
// with no RST, as in a partition or a cloud failover. Needs root (CAP_NET_ADMIN).
#pragma once

#include <string>

namespace outboxd::test {

class PacketDrop {
 public:
  explicit PacketDrop(int port) : port_(port) {}
  ~PacketDrop();  // lifts the drop if it is still on
  PacketDrop(const PacketDrop &) = delete;
  PacketDrop &operator=(const PacketDrop &) = delete;

  // Why this machine cannot drop packets ("" when it can): not root, or no working iptables.
  static std::string unavailable_reason();
  // True when the rules are in place (both directions: loopback traffic passes INPUT both ways).
  bool start();
  void stop();

 private:
  bool rules(const char *action);
  int port_;
  bool on_ = false;
};

}  // namespace outboxd::test

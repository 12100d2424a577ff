// What systemd's NOTIFY_SOCKET receives (sd_notify(3)): a datagram socket a test hands to the
// daemon, collecting each message it sends (READY=1, STATUS=..., STOPPING=1).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace outboxd::test {

class NotifySocket {
 public:
  explicit NotifySocket(std::string path);  // binds a new socket at `path` (removed first)
  ~NotifySocket();
  NotifySocket(const NotifySocket &) = delete;
  NotifySocket &operator=(const NotifySocket &) = delete;

  const std::string &path() const { return path_; }
  // Every message received so far, reading what waits first; in order of arrival.
  std::vector<std::string> messages();
  // True once a message containing `needle` arrived, within `timeout`.
  bool wait_for(const std::string &needle, std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

}  // namespace outboxd::test

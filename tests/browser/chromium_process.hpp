// One headless chromium for a browser test: started with a fresh profile and a DevTools endpoint on
// a loopback port of its own choosing, and ended with everything it started.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace outboxd::test {

class ChromiumProcess {
 public:
  // Starts the browser and waits until it says where DevTools listens. Throws std::runtime_error
  // with the end of the browser's log when it exits first or says nothing within
  // `startup_timeout`.
  explicit ChromiumProcess(std::chrono::milliseconds startup_timeout = std::chrono::seconds(30));
  // SIGTERM, then SIGKILL for whatever of its process group is left, then removes the profile.
  ~ChromiumProcess();
  ChromiumProcess(const ChromiumProcess &) = delete;
  ChromiumProcess &operator=(const ChromiumProcess &) = delete;

  // The DevTools HTTP and websocket port on 127.0.0.1 (CdpPage's argument).
  int devtools_port() const { return port_; }
  // ws://127.0.0.1:PORT/devtools/browser/<id>, the browser-wide target.
  const std::string &browser_websocket_url() const { return browser_url_; }
  // The last `max_bytes` of what the browser wrote to stdout and stderr, for failure messages.
  std::string log_tail(std::size_t max_bytes = 4000) const;
  pid_t pid() const { return pid_; }

 private:
  void stop() noexcept;

  std::filesystem::path dir_;  // the profile and the log; removed by stop()
  pid_t pid_ = -1;
  int port_ = 0;
  std::string browser_url_;
};

}  // namespace outboxd::test

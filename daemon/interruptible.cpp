// run_unless_stopped (daemon/interruptible.hpp).
#include "daemon/interruptible.hpp"

#include <csignal>
#include <exception>
#include <future>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "daemon/signals.hpp"

namespace outboxd::cli {

bool run_unless_stopped(const std::string &what, std::function<void()> step) {
  // The promise lives in the thread's own closure, so an abandoned thread owns all it writes to.
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> result = done->get_future();
  std::thread([done, step = std::move(step)] {
    try {
      step();
      done->set_value();
    } catch (...) {
      done->set_exception(std::current_exception());
    }
  }).detach();
  for (;;) {
    if (result.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
      result.get();  // rethrows the step's exception
      return true;
    }
    const int sig = next_signal(std::chrono::milliseconds(50));
    if (sig == SIGHUP) spdlog::warn("SIGHUP ignored: the daemon is {}", what);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::warn("{} received while {}: giving that up", strsignal(sig), what);
      return false;
    }
  }
}

}  // namespace outboxd::cli

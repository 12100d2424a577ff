// One headless chromium for a browser test (tests/browser/chromium_process.hpp).
#include "tests/browser/chromium_process.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {
namespace {

// How long the browser gets to shut down cleanly after SIGTERM before its process group is killed;
// it usually takes well under a second.
constexpr std::chrono::seconds kChromiumStopTimeout{10};

// Debian's launcher script, which sets the flags and environment the package wants; an install
// elsewhere is looked up in PATH.
std::string chromium_binary() {
  return ::access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : "chromium";
}

std::string chromium_read_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The URL of the whole line "DevTools listening on ws://...", or "" while the browser has not
// written it yet (or only part of it).
std::string chromium_devtools_url(const std::string &log) {
  const std::string marker = "DevTools listening on ";
  const auto at = log.find(marker);
  if (at == std::string::npos) return "";
  const auto end = log.find('\n', at);
  if (end == std::string::npos) return "";
  return log.substr(at + marker.size(), end - at - marker.size());
}

// The port of ws://HOST:PORT/...; 0 when the URL is not of that form.
int chromium_url_port(const std::string &url) {
  const std::string scheme = "ws://";
  if (url.compare(0, scheme.size(), scheme) != 0) return 0;
  const auto colon = url.find(':', scheme.size());
  const auto slash = url.find('/', scheme.size());
  if (colon == std::string::npos || slash == std::string::npos || colon > slash) return 0;
  try {
    return std::stoi(url.substr(colon + 1, slash - colon - 1));
  } catch (const std::exception &) {
    return 0;
  }
}

// Whether `pid` has ended, without reaping it: until it is reaped its pid stays its process
// group's id, so killing that group cannot reach a stranger.
bool chromium_has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

ChromiumProcess::ChromiumProcess(std::chrono::milliseconds startup_timeout) {
  std::string pattern = (std::filesystem::temp_directory_path() / "outboxd-chromium-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a directory for chromium's profile: " + std::string(std::strerror(errno)));
  dir_ = pattern;
  try {
    const auto log = dir_ / "chromium.log";
    // setsid: the browser leads a process group of its own, so its zygotes and renderers can be
    // killed with it (spawn_child leaves the child in the test's group, which must not be killed).
    // setsid execs in place (the forked child never leads a group), so the pid is the browser's and
    // the death signal still reaches it when the test crashes.
    std::vector<std::string> args = {
        "setsid", chromium_binary(), "--headless=new", "--remote-debugging-port=0",
        "--user-data-dir=" + (dir_ / "profile").string(), "--no-first-run", "--no-default-browser-check",
        "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking",
        "--disable-sync", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars"};
    // Chromium refuses to run as root with its sandbox on; CI runs as root. Anyone else keeps it.
    if (::geteuid() == 0) args.push_back("--no-sandbox");
    args.push_back("about:blank");
    pid_ = spawn_child(args, log.string(), SIGKILL);

    bool exited = false;
    wait_until(
        [&] {
          browser_url_ = chromium_devtools_url(chromium_read_file(log));
          exited = browser_url_.empty() && chromium_has_exited(pid_);
          return !browser_url_.empty() || exited;
        },
        startup_timeout);
    if (browser_url_.empty())
      throw std::runtime_error(
          (exited ? std::string("chromium exited before opening DevTools")
                  : "chromium did not open DevTools within " + std::to_string(startup_timeout.count()) + " ms") +
          "; the end of its log:\n" + log_tail());
    port_ = chromium_url_port(browser_url_);
    if (port_ == 0) throw std::runtime_error("chromium's DevTools URL has no port: " + browser_url_);
  } catch (...) {
    stop();
    throw;
  }
}

ChromiumProcess::~ChromiumProcess() { stop(); }

std::string ChromiumProcess::log_tail(std::size_t max_bytes) const {
  const std::string log = chromium_read_file(dir_ / "chromium.log");
  return log.size() <= max_bytes ? log : log.substr(log.size() - max_bytes);
}

void ChromiumProcess::stop() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_until([this] { return chromium_has_exited(pid_); }, kChromiumStopTimeout);
    // Its helpers normally end with it; any left, or a browser that ignored SIGTERM, end here. The
    // browser itself too, in case it never got as far as leading its group.
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    // The crash handlers chromium starts are daemons outside its group that end on their own once
    // it has gone; one may still write into the profile for a moment, failing a removal.
    wait_until(
        [this] {
          std::error_code ec;
          std::filesystem::remove_all(dir_, ec);
          return !ec;
        },
        kChromiumStopTimeout);
    dir_.clear();
  }
}

}  // namespace outboxd::test

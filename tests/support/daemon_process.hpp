// Runs the real outboxd binary as a child process with a config written for the test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace outboxd::test {

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string &path, const std::string &text);
std::string read_file(const std::string &path);  // "" when missing
// The complete lines of a file (e.g. the scripted plugin's record): empty lines and a last line
// still being written (no newline yet) are left out.
std::vector<std::string> read_lines(const std::string &path);

// YAML for a config with the given database and `destinations:` block (already indented by 2),
// using the test build's plugin directory and fast timings so tests run quickly.
std::string daemon_config(const std::string &conninfo, const std::string &destinations_yaml,
                          const std::string &extra_top_level_yaml = "");

class DaemonProcess {
 public:
  // Starts `outboxd <args...>` with stdout and stderr going to log_path. `launcher` runs it, e.g.
  // {"prlimit", "--nofile=64:64"}; it must exec the daemon in its own process (pid() is the daemon).
  DaemonProcess(const std::vector<std::string> &args, const std::string &log_path,
                const std::vector<std::string> &launcher = {});
  ~DaemonProcess();  // SIGKILLs the child if it still runs
  DaemonProcess(const DaemonProcess &) = delete;
  DaemonProcess &operator=(const DaemonProcess &) = delete;

  void signal(int sig);
  // The exit code (or 128 + signal) once the child exits within `timeout`; nullopt otherwise.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  std::string log() const;
  bool wait_for_log(const std::string &needle, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// Runs outboxd to completion (for one-shot commands) and returns {exit code, combined output}.
std::pair<int, std::string> run_outboxd(const std::vector<std::string> &args,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace outboxd::test

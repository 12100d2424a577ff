// Child-process control for end-to-end tests: fork/exec, signals, exit codes, log capture.
#include "tests/support/daemon_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "outboxd-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string &path) {
  std::vector<std::string> out;
  std::string text = read_file(path);
  // A writer may be mid-line while we read: only lines that end in '\n' are complete.
  text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string daemon_config(const std::string &conninfo, const std::string &destinations_yaml,
                          const std::string &extra_top_level_yaml) {
  // A top-level section the caller writes itself is left out here (YAML keys must be unique).
  const auto has_section = [&](const std::string &name) {
    return extra_top_level_yaml.rfind(name + ":\n", 0) == 0 ||
           extra_top_level_yaml.find("\n" + name + ":\n") != std::string::npos;
  };
  const bool own_log = extra_top_level_yaml.rfind("log:", 0) == 0 || extra_top_level_yaml.find("\nlog:") != std::string::npos;
  const std::string url = "  url: \"" + conninfo + "\"\n";
  std::string extra = extra_top_level_yaml;
  // A `database:` section of the caller's gets the url as its first key.
  if (has_section("database")) {
    const std::size_t at = extra.rfind("database:\n", 0) == 0 ? 0 : extra.find("\ndatabase:\n") + 1;
    extra.insert(at + std::string("database:\n").size(), url);
  }
  return (has_section("database") ? "" : "database:\n" + url) +
         "plugin_dir: \"" OUTBOXD_TEST_FIXTURE_PLUGIN_DIR "\"\n"
         "shutdown_grace: 20s\n" +
         std::string(own_log ? "" : "log:\n  level: debug\n") + extra + "destinations:\n" + destinations_yaml;
}

DaemonProcess::DaemonProcess(const std::vector<std::string> &args, const std::string &log_path,
                             const std::vector<std::string> &launcher)
    : log_path_(log_path) {
  std::vector<std::string> full = launcher;
  full.push_back(OUTBOXD_TEST_BINARY);
  full.insert(full.end(), args.begin(), args.end());
  pid_ = spawn_child(full, log_path, 0);  // tests that stop the daemon send their own signal
}

DaemonProcess::~DaemonProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
}

void DaemonProcess::signal(int sig) { kill(pid_, sig); }

bool DaemonProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  wait_until([&] { return !running(); }, timeout);
  return exit_code_;
}

std::string DaemonProcess::log() const { return read_file(log_path_); }

bool DaemonProcess::wait_for_log(const std::string &needle, std::chrono::milliseconds timeout) {
  return wait_until([&] { return log().find(needle) != std::string::npos; }, timeout);
}

std::pair<int, std::string> run_outboxd(const std::vector<std::string> &args, std::chrono::milliseconds timeout) {
  TempDir dir;
  DaemonProcess p(args, dir.file("out.log"));
  auto code = p.wait_exit(timeout);
  return {code ? *code : -1, p.log()};
}

}  // namespace outboxd::test

// A real SMTP server for tests: tests/fixtures/smtp/smtp_server.py (aiosmtpd) on a free loopback
// port, what it received parsed by Python's email package, and throwaway TLS certificates.
#include "tests/support/smtp_peer.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/source_paths.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

namespace {

// Debian's interpreter, which has python3-aiosmtpd; a `python3` on PATH may be another one.
constexpr const char *smtp_python = "/usr/bin/python3";

std::string smtp_slurp(const std::string &path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

std::string smtp_run(const std::string &command) {
  FILE *pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command);
  return out;
}

}  // namespace

SmtpPeer::SmtpPeer(std::string dir, SmtpPeerOptions options)
    : dir_(std::move(dir)), options_(std::move(options)), port_(options_.port) {
  start();
}

SmtpPeer::~SmtpPeer() { stop(); }

void SmtpPeer::start() {
  if (pid_ > 0) return;
  const std::string port_file = dir_ + "/.port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args = {smtp_python, source_path("tests/fixtures/smtp/smtp_server.py"),
                                   "--dir", dir_, "--port-file", port_file,
                                   "--port", std::to_string(port_), "--tls", options_.tls};
  if (!options_.cert.empty()) args.insert(args.end(), {"--cert", options_.cert, "--key", options_.key});
  if (!options_.auth.empty()) args.insert(args.end(), {"--auth", options_.auth});
  if (options_.sink) args.push_back("--sink");
  const std::string log = dir_ + "/.server.log";
  pid_ = spawn_child(args, log, SIGTERM);
  const bool up = wait_until(
      [&] {
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;
        }
        return std::filesystem::exists(port_file);
      },
      std::chrono::seconds(20));
  if (pid_ < 0 || !up) {
    stop();
    throw std::runtime_error("smtp_server.py did not start:\n" + smtp_slurp(log));
  }
  port_ = std::stoi(smtp_slurp(port_file));
}

void SmtpPeer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status;
  const bool gone = wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(10));
  if (!gone) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::size_t SmtpPeer::count() const {
  std::size_t n = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir_))
    if (entry.path().extension() == ".json") ++n;
  return n;
}

nlohmann::json SmtpPeer::messages() const {
  return nlohmann::json::parse(smtp_run(std::string(smtp_python) + " " +
                                        source_path("tests/fixtures/smtp/parse_messages.py") + " '" + dir_ + "'"));
}

void smtp_make_certs(const std::string &dir) {
  smtp_run("sh " + source_path("tests/fixtures/smtp/make_certs.sh") + " '" + dir + "'");
}

}  // namespace outboxd::test

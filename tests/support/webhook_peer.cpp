// Runs the Python webhook receiver as a child process and reads what it recorded.
#include "tests/support/webhook_peer.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

#include "tests/support/child_process.hpp"
#include "tests/support/source_paths.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

WebhookReceiver::WebhookReceiver(const std::vector<std::string> &secrets, bool ipv6, Transport transport, Bind bind) {
  std::vector<std::string> args = {"/usr/bin/python3", source_path("tests/fixtures/webhook/receiver.py"), "--dir",
                                   dir_.path()};
  for (const auto &s : secrets) args.insert(args.end(), {"--secret", s});
  if (ipv6) args.push_back("--ipv6");
  if (bind == Bind::AllInterfaces) args.push_back("--all-interfaces");
  if (transport == Transport::Tls) args.push_back("--tls");
  if (transport == Transport::Mtls) args.push_back("--mtls");
  if (transport != Transport::Http) scheme_ = "https";
  const std::string log_path = dir_.file("receiver.log");
  pid_ = spawn_child(args, log_path, SIGKILL);
  const std::string ports = dir_.file("ports");
  if (!wait_until([&] { return !read_file(ports).empty(); }, std::chrono::seconds(20)))
    throw std::runtime_error("the webhook receiver did not start: " + log());
  std::istringstream in(read_file(ports));
  std::string host;
  int port = 0;
  while (in >> host >> port) (host == "::1" ? port6_ : port_) = port;
}

WebhookReceiver::~WebhookReceiver() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string WebhookReceiver::url(const std::string &path_and_query) const {
  return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path_and_query;
}

std::string WebhookReceiver::url6(const std::string &path_and_query) const {
  return scheme_ + "://[::1]:" + std::to_string(port6_) + path_and_query;
}

std::vector<nlohmann::json> WebhookReceiver::requests() const {
  std::vector<nlohmann::json> out;
  for (const auto &line : read_lines(dir_.file("requests.jsonl"))) out.push_back(nlohmann::json::parse(line));
  return out;
}

bool WebhookReceiver::wait_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return requests().size() >= n; }, timeout);
}

int WebhookReceiver::max_in_flight() const {
  int most = 0;
  for (const auto &r : requests()) most = std::max(most, r["in_flight"].get<int>());
  return most;
}

std::string WebhookReceiver::log() const { return read_file(dir_.file("receiver.log")); }

}  // namespace outboxd::test

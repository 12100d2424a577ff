// Starts and stops redis-server for the asynq tests, and a small hiredis client to read it back.
#include "tests/support/redis_peer.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>

#include "tests/support/child_process.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

namespace {

// The process id of the redis-server answering on `port`, or -1. Checked against the child we
// started: with tests in parallel, another test's server could have taken a port we picked.
long served_by(int port) {
  timeval tv{0, 200000};
  redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
  long pid = -1;
  if (c != nullptr && c->err == 0) {
    auto *r = static_cast<redisReply *>(redisCommand(c, "INFO server"));
    if (r != nullptr && r->type == REDIS_REPLY_STRING) {
      const std::string info(r->str, r->len);
      const auto at = info.find("process_id:");
      if (at != std::string::npos) pid = std::stol(info.substr(at + 11));
    }
    if (r != nullptr) freeReplyObject(r);
  }
  if (c != nullptr) redisFree(c);
  return pid;
}

}  // namespace

RedisPeer::RedisPeer(bool start_now) {
  // As in the daemon (daemon/signals.cpp): a write to a Redis that went away must fail, not kill.
  std::signal(SIGPIPE, SIG_IGN);
  std::string pattern = (std::filesystem::temp_directory_path() / "outboxd-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = free_loopback_port();
  port_fixed_ = !start_now;  // the test hands the port to its config before the server starts
  if (start_now) start();
}

RedisPeer::~RedisPeer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisPeer::start() {
  if (pid_ > 0) return;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string port = std::to_string(port_);
    const std::string sock = socket_path();
    const std::string log = dir_ + "/redis.log";
    // SIGKILL on our death: never outlive the test process, even if it crashes.
    pid_ = spawn_child({"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", dir_, "--unixsocket", sock, "--unixsocketperm", "700", "--logfile", log,
                        "--daemonize", "no"},
                       "", SIGKILL);
    bool exited = false;
    const bool up = wait_until(
        [&] {
          int status = 0;
          exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
          return exited || served_by(port_) == pid_;
        },
        std::chrono::seconds(10));
    if (up && !exited) {
      port_fixed_ = true;
      return;
    }
    if (!exited) stop();
    pid_ = -1;
    if (port_fixed_) continue;  // a restart keeps its port: the plugin under test is configured with it
    port_ = free_loopback_port();  // taken meanwhile (another test's server): try another one
  }
  ADD_FAILURE() << "redis-server did not start on 127.0.0.1:" << port_ << " (is redis-server installed? "
                << "scripts/install-deps installs it; its log is " << dir_ << "/redis.log)";
}

void RedisPeer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

RedisClient::RedisClient(int port) {
  timeval tv{2, 0};
  ctx_ = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (ctx_ == nullptr || ctx_->err != 0)
    ADD_FAILURE() << "cannot connect to redis on port " << port << ": " << (ctx_ ? ctx_->errstr : "?");
  else
    redisSetTimeout(ctx_, tv);
}

RedisClient::~RedisClient() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

RedisReplyPtr RedisClient::command(const std::vector<std::string> &argv) {
  std::vector<const char *> ptrs;
  std::vector<size_t> lens;
  for (const auto &a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  auto *r = static_cast<redisReply *>(redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (r == nullptr) {
    ADD_FAILURE() << "redis command " << argv[0] << " failed: " << ctx_->errstr;
    throw std::runtime_error("redis command failed");
  }
  return RedisReplyPtr(r);
}

std::string RedisClient::str(const std::vector<std::string> &argv) {
  auto r = command(argv);
  if (r->type == REDIS_REPLY_NIL) return "";
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return std::string(r->str, r->len);
}

long long RedisClient::integer(const std::vector<std::string> &argv) {
  auto r = command(argv);
  EXPECT_EQ(r->type, REDIS_REPLY_INTEGER) << argv[0] << ": " << (r->str ? r->str : "");
  return r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
}

std::vector<std::string> RedisClient::list(const std::vector<std::string> &argv) {
  auto r = command(argv);
  std::vector<std::string> out;
  if (r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply *e = r->element[i];
    out.push_back(e->str != nullptr ? std::string(e->str, e->len) : std::to_string(e->integer));
  }
  return out;
}

long long RedisClient::info_number(const std::string &section, const std::string &field) {
  const std::string text = str({"INFO", section});
  const std::string needle = field + ":";
  const auto at = text.find(needle);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + needle.size()));
}

}  // namespace outboxd::test

// A real redis-server for the asynq plugin's tests and the conformance suite: started on a free loopback port, without persistence,
// stopped (and restartable on the same port) by the test, and killed with the test process.
#pragma once

#include <hiredis.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace outboxd::test {

class RedisPeer {
 public:
  // Picks a free port; `start_now` false leaves the server down (start() later).
  explicit RedisPeer(bool start_now = true);
  ~RedisPeer();  // kills the server and removes its directory
  RedisPeer(const RedisPeer &) = delete;
  RedisPeer &operator=(const RedisPeer &) = delete;

  // Fails the test if it does not serve within 10 s. The first start moves to another free port
  // if the picked one was taken meanwhile; a restart keeps the port.
  void start();
  void stop();   // SIGKILL and wait: its data is gone, as after a crash without persistence
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string socket_path() const { return dir_ + "/redis.sock"; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool port_fixed_ = false;  // once a test has seen the port, every start must keep it
};

struct RedisReplyDeleter {
  void operator()(redisReply *r) const { freeReplyObject(r); }
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A plain hiredis client for checking what the plugin wrote.
class RedisClient {
 public:
  explicit RedisClient(int port);
  ~RedisClient();
  RedisClient(const RedisClient &) = delete;
  RedisClient &operator=(const RedisClient &) = delete;

  RedisReplyPtr command(const std::vector<std::string> &argv);  // fails the test on an I/O error
  std::string str(const std::vector<std::string> &argv);        // a bulk/status reply's text ("" for nil)
  long long integer(const std::vector<std::string> &argv);
  std::vector<std::string> list(const std::vector<std::string> &argv);  // an array of strings
  std::string type(const std::string &key) { return str({"TYPE", key}); }
  // One field of INFO (e.g. "total_reads_processed" in section "stats"), as a number.
  long long info_number(const std::string &section, const std::string &field);

 private:
  redisContext *ctx_ = nullptr;
};

}  // namespace outboxd::test

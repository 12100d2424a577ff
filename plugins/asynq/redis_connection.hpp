// One hiredis connection: connect with timeouts, AUTH, SELECT, load the scripts, and pipelined
// binary-safe commands. A connection that failed once is never reused (hiredis's rule).
#pragma once

#include <hiredis.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "asynq_config.hpp"
#include "scripts.hpp"

namespace outboxd::asynq {

struct ReplyDeleter {
  void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// The text of a status, error or string reply ("" for other kinds).
std::string reply_text(const redisReply *r);

class RedisConnection {
 public:
  // Connects, authenticates, selects the database and loads the scripts for `mode`. On failure
  // returns nullptr and sets `error` ("redis 127.0.0.1:6379: Connection refused").
  static std::unique_ptr<RedisConnection> open(const AsynqConfig &config, std::string &error);
  ~RedisConnection();
  RedisConnection(const RedisConnection &) = delete;
  RedisConnection &operator=(const RedisConnection &) = delete;

  // Socket read/write timeout for the commands that follow.
  void set_timeout_ms(int64_t ms);
  // Queues a command (argv is binary-safe); nothing is sent until the next reply is read.
  void append(const std::vector<std::string> &argv);
  // Sends what is queued (the first time) and reads the next reply. nullptr on an I/O error or
  // timeout: the connection is then broken for good and error() says why.
  Reply read_reply();
  bool broken() const { return ctx_ == nullptr || ctx_->err != 0; }
  std::string error() const;
  // The connection broke because a reply did not come within the timeout (not a reset or close).
  bool timed_out() const;
  // The SHA1 Redis gave for a script at SCRIPT LOAD.
  const std::string &sha(Script s) const { return sha_[static_cast<int>(s)]; }

 private:
  RedisConnection(redisContext *ctx, std::string address) : ctx_(ctx), address_(std::move(address)) {}
  redisContext *ctx_;
  std::string address_;
  std::array<std::string, kScriptCount> sha_;
};

}  // namespace outboxd::asynq

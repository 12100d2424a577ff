// hiredis 0.14 connection handling: no TLS and no connect options struct in this version, so TCP or
// unix socket with redisConnect*WithTimeout, then redisSetTimeout for the commands.
#include "redis_connection.hpp"

#include <sys/time.h>

#include <cerrno>
#include <cstring>

namespace outboxd::asynq {

namespace {

timeval to_timeval(int64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

// strerror(EAGAIN), which hiredis stores when a read or write hits the socket timeout.
const std::string kTimeoutText = std::strerror(EAGAIN);

}  // namespace

std::string reply_text(const redisReply *r) { return r->str != nullptr ? std::string(r->str, r->len) : ""; }

std::unique_ptr<RedisConnection> RedisConnection::open(const AsynqConfig &config, std::string &error) {
  const std::string address = config.address_text();
  const timeval connect_tv = to_timeval(config.connect_timeout_ms);
  redisContext *ctx = config.unix_socket.empty()
                          ? redisConnectWithTimeout(config.host.c_str(), config.port, connect_tv)
                          : redisConnectUnixWithTimeout(config.unix_socket.c_str(), connect_tv);
  if (ctx == nullptr) {
    error = "redis " + address + ": cannot allocate a connection";
    return nullptr;
  }
  std::unique_ptr<RedisConnection> conn(new RedisConnection(ctx, address));
  if (conn->broken()) {
    error = conn->error();
    return nullptr;
  }
  // The handshake is bounded by the connect timeout too: a server that accepts and then stalls
  // (e.g. still loading) must not hold the batch.
  conn->set_timeout_ms(config.connect_timeout_ms);

  // One round trip: AUTH, SELECT and one SCRIPT LOAD per script, then check each reply in order.
  std::vector<std::string> what;
  if (!config.password.empty()) {
    if (config.username.empty())
      conn->append({"AUTH", config.password});
    else
      conn->append({"AUTH", config.username, config.password});
    what.push_back("AUTH");
  }
  if (config.db != 0) {
    conn->append({"SELECT", std::to_string(config.db)});
    what.push_back("SELECT " + std::to_string(config.db));
  }
  std::vector<Script> scripts;
  if (config.mode == Mode::Asynq)
    scripts = {Script::Enqueue, Script::Schedule};
  else
    scripts = {Script::Stream};
  for (Script s : scripts) {
    conn->append({"SCRIPT", "LOAD", script_text(s)});
    what.push_back("SCRIPT LOAD");
  }
  size_t script_index = 0;
  std::string first_error;
  for (const auto &step : what) {
    Reply r = conn->read_reply();
    if (!r) {
      error = conn->error();
      return nullptr;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      if (first_error.empty()) first_error = "redis " + address + ": " + step + " failed: " + reply_text(r.get());
    } else if (step == "SCRIPT LOAD") {
      conn->sha_[static_cast<int>(scripts[script_index])] = reply_text(r.get());
    }
    if (step == "SCRIPT LOAD") ++script_index;
  }
  if (!first_error.empty()) {
    error = first_error;
    return nullptr;
  }
  conn->set_timeout_ms(config.command_timeout_ms);
  return conn;
}

RedisConnection::~RedisConnection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void RedisConnection::set_timeout_ms(int64_t ms) {
  if (ctx_ != nullptr && ctx_->err == 0) redisSetTimeout(ctx_, to_timeval(ms < 1 ? 1 : ms));
}

void RedisConnection::append(const std::vector<std::string> &argv) {
  std::vector<const char *> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto &a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

Reply RedisConnection::read_reply() {
  if (broken()) return nullptr;
  void *raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK) {
    if (raw != nullptr) freeReplyObject(raw);
    return nullptr;
  }
  return Reply(static_cast<redisReply *>(raw));
}

bool RedisConnection::timed_out() const {
  // hiredis keeps only the text of errno for an I/O error; a socket timeout reads as EAGAIN.
  return ctx_ != nullptr && ctx_->err == REDIS_ERR_IO && std::string(ctx_->errstr) == kTimeoutText;
}

std::string RedisConnection::error() const {
  if (ctx_ == nullptr) return "redis " + address_ + ": not connected";
  std::string why = ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection failed";
  // hiredis reports a socket timeout as EAGAIN's text; say what it means.
  if (why == kTimeoutText) why = "timed out waiting for a reply";
  return "redis " + address_ + ": " + why;
}

}  // namespace outboxd::asynq

// Batch forwarding: validate and encode every message, pipeline the script calls, read the
// replies in order, and fall back from EVALSHA to EVAL when Redis has lost its script cache.
#include "forwarder.hpp"

#include "common/error_text.hpp"

#include <chrono>
#include <cstring>

#include "task_builder.hpp"

namespace outboxd::asynq {

struct Forwarder::Pending {
  ScriptCall call;
  outboxd_result *result;
  bool answered = false;
};

namespace {

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> script_argv(const char *command, const std::string &script, const ScriptCall &call) {
  std::vector<std::string> argv;
  argv.reserve(3 + call.keys.size() + call.args.size());
  argv.push_back(command);
  argv.push_back(script);
  argv.push_back(std::to_string(call.keys.size()));
  argv.insert(argv.end(), call.keys.begin(), call.keys.end());
  argv.insert(argv.end(), call.args.begin(), call.args.end());
  return argv;
}

}  // namespace

Forwarder::Forwarder(AsynqConfig config, std::function<void(int, const std::string &)> log)
    : config_(std::move(config)), log_(std::move(log)) {}

std::unique_ptr<RedisConnection> Forwarder::acquire(std::string &error, bool &pooled) {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    pooled = !idle_.empty();
    if (pooled) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  auto conn = RedisConnection::open(config_, error);
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (!conn && !last_connect_failed_) {
    log_(OUTBOXD_LOG_WARN, error + "; messages stay in the outbox and are retried");
  } else if (conn && last_connect_failed_) {
    log_(OUTBOXD_LOG_INFO, "redis " + config_.address_text() + ": connected again");
  }
  last_connect_failed_ = !conn;
  return conn;
}

void Forwarder::release(std::unique_ptr<RedisConnection> conn) {
  if (!conn || conn->broken()) return;  // a context in error state is dropped, never reused
  std::lock_guard<std::mutex> lock(pool_mutex_);
  idle_.push_back(std::move(conn));
}

void Forwarder::probe() {
  std::string error;
  bool pooled = false;
  release(acquire(error, pooled));
}

void Forwarder::forward(const outboxd_message *const *msgs, outboxd_result *const *results, size_t count) noexcept {
  try {
    const int64_t now_ms = unix_now_ms();
    std::vector<Pending> work;
    work.reserve(count);
    int64_t timeout_ms = config_.command_timeout_ms;
    for (size_t i = 0; i < count; ++i) {
      if (msgs[i]->timeout_ms > 0) timeout_ms = std::min<int64_t>(timeout_ms, msgs[i]->timeout_ms);
      BuildResult built = build_call(config_, *msgs[i], now_ms);
      if (built.not_due_ms > 0) {
        results[i]->status = OUTBOXD_RETRY;
        results[i]->retry_after_ms = built.not_due_ms;
        plugin_common::write_result_error(*results[i], built.error);
      } else if (!built.ok) {
        results[i]->status = OUTBOXD_PERMANENT;
        plugin_common::write_result_error(*results[i], "cannot become an asynq task: " + built.error);
      } else {
        work.push_back(Pending{std::move(built.call), results[i]});
      }
    }
    if (work.empty()) return;

    for (int round = 0; round < 2; ++round) {
      std::string error;
      bool pooled = false;
      auto conn = acquire(error, pooled);
      if (!conn) {
        for (auto &p : work) {
          p.result->status = OUTBOXD_RETRY;
          plugin_common::write_result_error(*p.result, error);
        }
        return;
      }
      conn->set_timeout_ms(timeout_ms);
      run(*conn, work);
      bool none_answered = true;
      for (const auto &p : work) none_answered = none_answered && !p.answered;
      // An idle pooled connection may have died meanwhile (Redis restarted): if it failed before
      // any reply, and not by a timeout (which would double the wait), try once more on a fresh
      // one. Safe even if Redis did run the commands: the scripts make a second forward a no-op.
      const bool again = round == 0 && pooled && conn->broken() && !conn->timed_out() && none_answered;
      release(std::move(conn));
      if (!again) break;
      for (auto &p : work) {
        p.result->status = OUTBOXD_OK;
        p.result->retry_after_ms = -1;
        plugin_common::write_result_error(*p.result, "");
      }
    }
  } catch (const std::exception &e) {
    for (size_t i = 0; i < count; ++i) {
      results[i]->status = OUTBOXD_RETRY;
      plugin_common::write_result_error(*results[i], std::string("asynq: ") + e.what());
    }
  } catch (...) {
    for (size_t i = 0; i < count; ++i) {
      results[i]->status = OUTBOXD_RETRY;
      plugin_common::write_result_error(*results[i], "asynq: unknown exception");
    }
  }
}

void Forwarder::run(RedisConnection &conn, std::vector<Pending> &work) {
  // pipeline: false sends one message and waits for its reply before the next (the benchmark's
  // baseline); otherwise the whole batch goes out before the first reply is read.
  const size_t depth = config_.pipeline ? work.size() : 1;
  std::vector<size_t> noscript;  // Redis lost the script cache (SCRIPT FLUSH): send these with EVAL
  std::string fail;              // set once the connection broke: every unanswered message gets it

  // asynq's Inspector and asynqmon only list queues named in asynq:queues; the Go client adds the
  // name before enqueueing. Once per batch, in the same round trip (idempotent).
  bool queue_added = config_.mode != Mode::Asynq;
  for (size_t start = 0; start < work.size() && fail.empty(); start += depth) {
    const size_t end = std::min(work.size(), start + depth);
    if (!queue_added) conn.append({"SADD", kQueuesKey, config_.queue});
    for (size_t i = start; i < end; ++i)
      conn.append(script_argv("EVALSHA", conn.sha(work[i].call.script), work[i].call));
    if (!queue_added) {
      Reply r = conn.read_reply();
      if (!r) {
        fail = conn.error();
        break;
      }
      if (r->type == REDIS_REPLY_ERROR) {
        // Without the queue name asynqmon cannot show the tasks; retry them (a second forward is
        // a conflict and counts as delivered, so nothing doubles).
        fail = "redis " + config_.address_text() + ": SADD " + kQueuesKey + " failed: " + reply_text(r.get());
        for (size_t i = start; i < end; ++i) conn.read_reply();  // drain; the connection stays in step
        break;
      }
      queue_added = true;
    }
    for (size_t i = start; i < end; ++i) {
      Reply r = conn.read_reply();
      if (!r) {
        fail = conn.error();
        break;
      }
      Pending &p = work[i];
      if (r->type == REDIS_REPLY_ERROR && std::strncmp(r->str, "NOSCRIPT", 8) == 0) {
        noscript.push_back(i);
        continue;
      }
      p.answered = true;
      if (r->type == REDIS_REPLY_ERROR) {
        // OOM, READONLY (a replica, or a failover in progress), LOADING, BUSY, WRONGTYPE...: none
        // is the message's fault, so it waits and is tried again.
        p.result->status = OUTBOXD_RETRY;
        plugin_common::write_result_error(*p.result, "redis " + config_.address_text() + ": " + reply_text(r.get()) + " (" +
                                        p.call.what + ")");
      } else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
        // An earlier forward of this message reached Redis (e.g. we crashed before our commit):
        // asynq's own task-id rule says the task exists, so it is delivered. The note lands in the
        // message's error history; its state is 'delivered'.
        plugin_common::write_result_error(*p.result, "already forwarded: " + p.call.what +
                                        " exists (an earlier attempt reached Redis); counted as delivered");
      } else if (r->type != REDIS_REPLY_INTEGER && r->type != REDIS_REPLY_STRING) {
        p.result->status = OUTBOXD_RETRY;
        plugin_common::write_result_error(*p.result, "redis " + config_.address_text() + ": unexpected reply type " +
                                        std::to_string(r->type) + " (" + p.call.what + ")");
      }
    }
  }
  if (fail.empty() && !noscript.empty()) {
    for (size_t i : noscript) conn.append(script_argv("EVAL", script_text(work[i].call.script), work[i].call));
    for (size_t i : noscript) {
      Reply r = conn.read_reply();
      if (!r) {
        fail = conn.error();
        break;
      }
      Pending &p = work[i];
      p.answered = true;
      if (r->type == REDIS_REPLY_ERROR) {
        p.result->status = OUTBOXD_RETRY;
        plugin_common::write_result_error(*p.result, "redis " + config_.address_text() + ": " + reply_text(r.get()));
      } else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
        plugin_common::write_result_error(*p.result, "already forwarded: " + p.call.what +
                                        " exists (an earlier attempt reached Redis); counted as delivered");
      }
    }
  }
  if (!fail.empty()) {
    for (auto &p : work) {
      if (p.answered) continue;
      p.result->status = OUTBOXD_RETRY;
      plugin_common::write_result_error(*p.result, fail);
    }
  }
}

}  // namespace outboxd::asynq

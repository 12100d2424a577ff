// Turns one outbox message into the Redis script call that forwards it (pure: no I/O), or into the
// reason it can never be forwarded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asynq_config.hpp"
#include "outboxd/plugin.h"
#include "scripts.hpp"

namespace outboxd::asynq {

struct ScriptCall {
  Script script = Script::Enqueue;
  std::vector<std::string> keys;
  std::vector<std::string> args;
  std::string what;  // "task <id> in queue 'default'", for the lines a conflict or failure writes
};

struct BuildResult {
  bool ok = false;
  ScriptCall call;
  std::string error;  // !ok: why the message cannot become a task (a permanent failure)...
  std::string field;  // ...and the part of the message at fault ("headers.task_type"), "" if none
  // ...unless not_due_ms > 0: mode stream has no scheduled delivery, so a message handed over
  // before its time (the plugin schedules ahead for mode asynq) waits this long in the outbox.
  int64_t not_due_ms = 0;
};

// Key names of asynq's layout (docs/plugin-asynq.md).
std::string task_key(const std::string &queue, const std::string &id);
std::string pending_key(const std::string &queue);
std::string scheduled_key(const std::string &queue);
constexpr const char *kQueuesKey = "asynq:queues";

// The TaskMessage and script call for `msg` at time `now_ms` (Unix ms): the pending list when the
// message is due, the scheduled set (score = due time in seconds) when its available_at is later.
BuildResult build_call(const AsynqConfig &config, const outboxd_message &msg, int64_t now_ms);

// validate(): what build_call refuses for good, without Redis. "" when `msg` can become a task,
// else "field: reason" ("headers.task_type: no task type: ..."). The message needs no id yet.
std::string task_refusal(const AsynqConfig &config, const outboxd_message &msg);

// The message's due time in Unix ms, or 0 when the host's struct has no available_at_ms (an older
// host only hands over due messages).
int64_t due_ms(const outboxd_message &msg);

}  // namespace outboxd::asynq

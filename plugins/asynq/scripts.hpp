// The server-side Lua scripts: each checks for an earlier forward of the same message and writes
// the new one in a single atomic step, so a crash between Redis and our commit never duplicates.
#pragma once

namespace outboxd::asynq {

enum class Script { Enqueue = 0, Schedule = 1, Stream = 2 };
constexpr int kScriptCount = 3;

// Same contract as asynq's own enqueue step (rdb.go), written independently:
// KEYS[1] task hash asynq:{Q}:t:<id>, KEYS[2] asynq:{Q}:pending;
// ARGV[1] encoded TaskMessage, ARGV[2] task id, ARGV[3] now in Unix nanoseconds.
// Returns 1 when enqueued, 0 when the task hash exists already (asynq's ErrTaskIDConflict).
constexpr const char *kEnqueueLua =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'msg', ARGV[1], 'state', 'pending', 'pending_since', ARGV[3])\n"
    "redis.call('LPUSH', KEYS[2], ARGV[2])\n"
    "return 1\n";

// Same contract as asynq's schedule step (ProcessAt):
// KEYS[1] task hash, KEYS[2] asynq:{Q}:scheduled; ARGV[1] encoded TaskMessage, ARGV[2] due time in
// Unix seconds (the zset score), ARGV[3] task id. Returns 1, or 0 on an existing task hash.
constexpr const char *kScheduleLua =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'msg', ARGV[1], 'state', 'scheduled')\n"
    "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])\n"
    "return 1\n";

// mode: stream. A stream entry id cannot be a UUID, so a per-message marker key stands for "this
// message was added": KEYS[1] stream, KEYS[2] marker <stream>:dedup:<message id>; ARGV[1] marker
// TTL in seconds, ARGV[2] MAXLEN (0: no trimming), ARGV[3..6] id, destination, headers, payload.
// Returns the new entry id, or 0 when the marker exists (the message is in the stream already).
constexpr const char *kStreamLua =
    "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
    "local e\n"
    "if tonumber(ARGV[2]) > 0 then\n"
    "  e = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[3], 'destination', ARGV[4],"
    " 'headers', ARGV[5], 'payload', ARGV[6])\n"
    "else\n"
    "  e = redis.call('XADD', KEYS[1], '*', 'id', ARGV[3], 'destination', ARGV[4], 'headers', ARGV[5],"
    " 'payload', ARGV[6])\n"
    "end\n"
    "redis.call('SET', KEYS[2], e, 'EX', ARGV[1])\n"
    "return e\n";

inline const char *script_text(Script s) {
  switch (s) {
    case Script::Enqueue:
      return kEnqueueLua;
    case Script::Schedule:
      return kScheduleLua;
    case Script::Stream:
      return kStreamLua;
  }
  return kEnqueueLua;
}

}  // namespace outboxd::asynq

// The asynq plugin's config: where Redis is, how to reach it, and the task defaults.
#pragma once

#include <cstdint>
#include <string>

namespace outboxd::asynq {

enum class Mode { Asynq, Stream };

struct AsynqConfig {
  // Redis: "host:port", or a unix socket as "unix:/path" or "/path". Defaults to 127.0.0.1:6379.
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // set instead of host/port for a socket
  int db = 0;
  std::string username, password;  // AUTH; username needs Redis 6 ACLs
  int64_t connect_timeout_ms = 1000;
  int64_t command_timeout_ms = 5000;  // also capped by each message's timeout_ms
  bool pipeline = true;               // false: one command and one round trip per message (benchmark)

  Mode mode = Mode::Asynq;

  // mode asynq: the task defaults, as the Go client's options would set them.
  std::string task_type;         // used when the message has no task_type_header header
  std::string task_type_header;  // header naming the task type; wins over task_type when present
  std::string queue = "default";
  int32_t max_retry = 25;
  int64_t timeout_s = 1800;  // 30 min, the Go client's default when neither timeout nor deadline is set
  bool timeout_set = false;
  int64_t deadline_s = 0;   // 0: none; else the task's deadline is its due time + this
  int64_t retention_s = 86400;
  bool forward_headers = false;  // message headers into TaskMessage.headers (field 15, asynq v0.26+)

  // mode stream
  std::string stream;              // stream key; empty: "outboxd:<destination>"
  int64_t stream_maxlen = 0;       // 0: no trimming; else XADD MAXLEN ~ N
  int64_t dedup_ttl_s = 86400;     // how long a message id is remembered against a second XADD

  std::string address_text() const;  // for error lines: "127.0.0.1:6379" or "unix:/path"
};

// Parses config_json into `config`. On failure returns false and sets `error` to "key: reason" or
// "unknown key 'x' (known: ...)". Never throws.
bool parse_config(const char *config_json, AsynqConfig &config, std::string &error) noexcept;

// "1500ms", "30s", "30m", "24h", "7d" (a non-negative integer and a unit) → milliseconds; false if
// malformed.
bool parse_duration_ms(const std::string &text, int64_t &ms);

}  // namespace outboxd::asynq

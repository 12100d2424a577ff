// Parses and validates the asynq plugin's config; unknown keys and wrong values are refused by name.
#include "asynq_config.hpp"

#include <cctype>
#include <climits>
#include <nlohmann/json.hpp>

#include "common/config_parse.hpp"
#include "task_message.hpp"

namespace outboxd::asynq {

namespace {

using nlohmann::json;

constexpr const char *known_keys =
    "address, db, username, password, connect_timeout, command_timeout, pipeline, mode, task_type, "
    "task_type_header, queue, max_retry, timeout, deadline, retention, forward_headers, stream, "
    "stream_maxlen, dedup_ttl";

using plugin_common::ConfigError;

std::string need_string(const std::string &key, const json &v) {
  if (!v.is_string()) throw ConfigError{key + ": must be a string, got " + v.type_name()};
  return v.get<std::string>();
}

int64_t need_int(const std::string &key, const json &v, int64_t min, int64_t max) {
  if (!v.is_number_integer())
    throw ConfigError{key + ": must be an integer, got " + (v.is_number() ? "a fraction" : v.type_name())};
  const int64_t n = v.get<int64_t>();
  if (n < min || n > max)
    throw ConfigError{key + ": must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                      std::to_string(n)};
  return n;
}

bool need_bool(const std::string &key, const json &v) {
  if (!v.is_boolean()) throw ConfigError{key + ": must be true or false, got " + v.type_name()};
  return v.get<bool>();
}

// A duration string; `min_ms` rejects values too small to mean anything.
int64_t need_duration(const std::string &key, const json &v, int64_t min_ms) {
  const std::string text = v.is_string() ? v.get<std::string>() : "";
  int64_t ms = 0;
  if (!v.is_string() || !parse_duration_ms(text, ms))
    throw ConfigError{key + ": must be a duration such as \"500ms\", \"30s\", \"30m\", \"24h\" or \"7d\", got " +
                      (v.is_string() ? "\"" + text + "\"" : std::string(v.type_name()))};
  if (ms < min_ms)
    throw ConfigError{key + ": must be at least " + std::to_string(min_ms) + " ms, got \"" + text + "\""};
  return ms;
}

void parse_address(const std::string &text, AsynqConfig &c) {
  if (text.empty()) throw ConfigError{"address: must not be empty (host:port, or unix:/path/to/redis.sock)"};
  if (text.rfind("unix:", 0) == 0 || text[0] == '/') {
    c.unix_socket = text[0] == '/' ? text : text.substr(5);
    if (c.unix_socket.empty() || c.unix_socket[0] != '/')
      throw ConfigError{"address: a unix socket needs an absolute path (unix:/run/redis/redis.sock), got \"" + text +
                        "\""};
    return;
  }
  if (text.rfind("redis://", 0) == 0 || text.rfind("rediss://", 0) == 0)
    throw ConfigError{"address: give host:port, not a URL (\"" + text +
                      "\"); credentials go in username/password, the database in db, and TLS needs a tunnel "
                      "(see the plugin's documentation)"};
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw ConfigError{"address: must be host:port or unix:/path, got \"" + text + "\""};
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  long p = 0;
  for (char ch : port) {
    if (!std::isdigit(static_cast<unsigned char>(ch)) || p > 65535)
      throw ConfigError{"address: port must be a number from 1 to 65535, got \"" + port + "\""};
    p = p * 10 + (ch - '0');
  }
  if (p < 1 || p > 65535) throw ConfigError{"address: port must be a number from 1 to 65535, got \"" + port + "\""};
  c.host = host;
  c.port = static_cast<int>(p);
}

void check_name(const std::string &key, const std::string &value) {
  bool blank = true;
  for (char ch : value) blank = blank && std::isspace(static_cast<unsigned char>(ch));
  if (blank) throw ConfigError{key + ": must not be empty or blank"};
  if (!is_valid_utf8(value)) throw ConfigError{key + ": must be valid UTF-8"};
}

void parse(const json &config, AsynqConfig &c) {
  if (!config.is_object()) throw ConfigError{std::string("config must be a JSON object, got ") + config.type_name()};
  bool deadline_set = false, mode_stream_keys = false, asynq_keys = false;
  for (const auto &[key, v] : config.items()) {
    if (key == "address") {
      parse_address(need_string(key, v), c);
    } else if (key == "db") {
      c.db = static_cast<int>(need_int(key, v, 0, 1 << 20));
    } else if (key == "username") {
      c.username = need_string(key, v);
    } else if (key == "password") {
      c.password = need_string(key, v);
    } else if (key == "connect_timeout") {
      c.connect_timeout_ms = need_duration(key, v, 1);
    } else if (key == "command_timeout") {
      c.command_timeout_ms = need_duration(key, v, 1);
    } else if (key == "pipeline") {
      c.pipeline = need_bool(key, v);
    } else if (key == "mode") {
      const std::string m = need_string(key, v);
      if (m == "asynq") {
        c.mode = Mode::Asynq;
      } else if (m == "stream") {
        c.mode = Mode::Stream;
      } else {
        throw ConfigError{"mode: must be \"asynq\" or \"stream\", got \"" + m + "\""};
      }
    } else if (key == "task_type") {
      c.task_type = need_string(key, v);
      check_name(key, c.task_type);
      asynq_keys = true;
    } else if (key == "task_type_header") {
      c.task_type_header = need_string(key, v);
      if (c.task_type_header.empty()) throw ConfigError{"task_type_header: must not be empty"};
      asynq_keys = true;
    } else if (key == "queue") {
      c.queue = need_string(key, v);
      check_name(key, c.queue);
      // The queue name sits inside a {hash tag} in every key; a brace would break the tag.
      if (c.queue.find_first_of("{}") != std::string::npos)
        throw ConfigError{"queue: must not contain '{' or '}', got \"" + c.queue + "\""};
      asynq_keys = true;
    } else if (key == "max_retry") {
      c.max_retry = static_cast<int32_t>(need_int(key, v, 0, INT32_MAX));
      asynq_keys = true;
    } else if (key == "timeout") {
      c.timeout_s = need_duration(key, v, 1000) / 1000;
      c.timeout_set = true;
      asynq_keys = true;
    } else if (key == "deadline") {
      c.deadline_s = need_duration(key, v, 1000) / 1000;
      deadline_set = true;
      asynq_keys = true;
    } else if (key == "retention") {
      c.retention_s = need_duration(key, v, 0) / 1000;
      asynq_keys = true;
    } else if (key == "forward_headers") {
      c.forward_headers = need_bool(key, v);
      asynq_keys = true;
    } else if (key == "stream") {
      c.stream = need_string(key, v);
      if (c.stream.empty()) throw ConfigError{"stream: must not be empty (leave it out for outboxd:<destination>)"};
      mode_stream_keys = true;
    } else if (key == "stream_maxlen") {
      c.stream_maxlen = need_int(key, v, 0, INT64_MAX);
      mode_stream_keys = true;
    } else if (key == "dedup_ttl") {
      c.dedup_ttl_s = need_duration(key, v, 1000) / 1000;
      mode_stream_keys = true;
    } else {
      throw ConfigError{"unknown key '" + key + "' (known: " + known_keys + ")"};
    }
  }
  // As the Go client: the 30-minute default timeout applies only when no deadline is given.
  if (deadline_set && !c.timeout_set) c.timeout_s = 0;
  if (c.mode == Mode::Asynq && mode_stream_keys)
    throw ConfigError{"mode: stream, stream_maxlen and dedup_ttl apply only with mode: stream"};
  if (c.mode == Mode::Stream && asynq_keys)
    throw ConfigError{"mode: task_type, task_type_header, queue, max_retry, timeout, deadline, retention and "
                      "forward_headers apply only with mode: asynq"};
  if (c.mode == Mode::Asynq && c.task_type.empty() && c.task_type_header.empty())
    throw ConfigError{"task_type: set task_type, or task_type_header to take it from a message header "
                      "(asynq needs a task type to pick the handler)"};
}

}  // namespace

bool parse_duration_ms(const std::string &text, int64_t &ms) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > INT64_MAX / 10 - 10) return false;
    n = n * 10 + (text[i++] - '0');
  }
  if (i == 0) return false;
  const std::string unit = text.substr(i);
  int64_t scale;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else if (unit == "d") {
    scale = 86400 * 1000;
  } else {
    return false;
  }
  if (n > INT64_MAX / scale) return false;
  ms = n * scale;
  return true;
}

std::string AsynqConfig::address_text() const {
  return unix_socket.empty() ? host + ":" + std::to_string(port) : "unix:" + unix_socket;
}

bool parse_config(const char *config_json, AsynqConfig &config, std::string &error) noexcept {
  return plugin_common::parse_json_config(config_json, error,
                                          [&config](const json &root) { parse(root, config); });
}

}  // namespace outboxd::asynq

// Parses and validates the asynq plugin's config; unknown keys and wrong values are refused by name.
#include "asynq_config.hpp"

#include <cctype>
#include <climits>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/config_map.hpp"
#include "task_message.hpp"

namespace outboxd::asynq {

namespace {

using nlohmann::json;

using namespace plugin_common;

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

// A row for a duration key, stored as `field` in units of `unit_ms` (1: milliseconds, 1000: seconds).
ConfigKey<AsynqConfig> duration_key(const char *name, int64_t AsynqConfig::*field, int64_t min_ms, int64_t unit_ms) {
  return custom_key<AsynqConfig>(name, [=](const json &v, AsynqConfig &c) { c.*field = need_duration(name, v, min_ms) / unit_ms; });
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

// A row for task_type or queue: a name that is not blank and is valid UTF-8; `check` adds a rule.
ConfigKey<AsynqConfig> name_key(const char *name, std::string AsynqConfig::*field,
                                std::function<std::string(const std::string &)> check = nullptr) {
  return custom_key<AsynqConfig>(name, [=](const json &v, AsynqConfig &c) {
    c.*field = config_string(name, v);
    check_name(name, c.*field);
    const std::string why = check ? check(c.*field) : "";
    if (!why.empty()) config_fail(name, why);
  });
}

// The one table of keys: accepted keys, their checks and the "known:" list in errors.
const ConfigMap<AsynqConfig> &asynq_config_map() {
  static const ConfigMap<AsynqConfig> map = {
      custom_key<AsynqConfig>("address", [](const json &v, AsynqConfig &c) { parse_address(config_string("address", v), c); }),
      int_key("db", &AsynqConfig::db, 0, 1 << 20),
      string_key("username", &AsynqConfig::username),
      string_key("password", &AsynqConfig::password),
      duration_key("connect_timeout", &AsynqConfig::connect_timeout_ms, 1, 1),
      duration_key("command_timeout", &AsynqConfig::command_timeout_ms, 1, 1),
      bool_key("pipeline", &AsynqConfig::pipeline),
      custom_key<AsynqConfig>("mode",
                              [](const json &v, AsynqConfig &c) {
                                const std::string m = config_string("mode", v);
                                if (m != "asynq" && m != "stream")
                                  config_fail("mode", "must be \"asynq\" or \"stream\", got \"" + m + "\"");
                                c.mode = m == "asynq" ? Mode::Asynq : Mode::Stream;
                              }),
      name_key("task_type", &AsynqConfig::task_type),
      string_key("task_type_header", &AsynqConfig::task_type_header, {"", "", false}),
      // The queue name sits inside a {hash tag} in every key; a brace would break the tag.
      name_key("queue", &AsynqConfig::queue,
               [](const std::string &q) {
                 return q.find_first_of("{}") == std::string::npos ? "" : "must not contain '{' or '}', got \"" + q + "\"";
               }),
      int_key("max_retry", &AsynqConfig::max_retry, 0, INT32_MAX),
      duration_key("timeout", &AsynqConfig::timeout_s, 1000, 1000),
      duration_key("deadline", &AsynqConfig::deadline_s, 1000, 1000),
      duration_key("retention", &AsynqConfig::retention_s, 0, 1000),
      bool_key("forward_headers", &AsynqConfig::forward_headers),
      string_key("stream", &AsynqConfig::stream, {"", "leave it out for outboxd:<destination>", false}),
      int_key("stream_maxlen", &AsynqConfig::stream_maxlen, 0, INT64_MAX),
      duration_key("dedup_ttl", &AsynqConfig::dedup_ttl_s, 1000, 1000),
  };
  return map;
}

// Keys that apply to one mode only, as said in the error when given with the other.
constexpr const char *asynq_only_keys[] = {"task_type", "task_type_header", "queue", "max_retry",
                                           "timeout", "deadline", "retention", "forward_headers"};
constexpr const char *stream_only_keys[] = {"stream", "stream_maxlen", "dedup_ttl"};

bool any_of_keys(const json &config, const char *const *keys, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    if (config.contains(keys[i])) return true;
  return false;
}

void parse(const json &config, AsynqConfig &c) {
  asynq_config_map().read(config, c);
  c.timeout_set = config.contains("timeout");
  // As the Go client: the 30-minute default timeout applies only when no deadline is given.
  if (config.contains("deadline") && !c.timeout_set) c.timeout_s = 0;
  if (c.mode == Mode::Asynq && any_of_keys(config, stream_only_keys, std::size(stream_only_keys)))
    throw ConfigError{"mode: stream, stream_maxlen and dedup_ttl apply only with mode: stream"};
  if (c.mode == Mode::Stream && any_of_keys(config, asynq_only_keys, std::size(asynq_only_keys)))
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

// The log plugin's config: where the JSON lines go. Parsed from the destination's config JSON.
#pragma once

#include <string>

namespace outboxd::log_plugin {

struct LogConfig {
  // File to append to; "-" means stdout. Defaults to stdout.
  std::string path = "-";
};

// Parses config_json into `config`. On failure returns false and sets `error` to "key: reason"
// (or "unknown key 'x' (known: path)"). Never throws.
bool log_parse_config(const char *config_json, LogConfig &config, std::string &error) noexcept;

}  // namespace outboxd::log_plugin

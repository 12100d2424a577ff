// Parses and validates the log plugin's config; unknown keys and wrong types are refused by name.
#include "log_config.hpp"

#include <nlohmann/json.hpp>

namespace outboxd::log_plugin {

namespace {

// The one table of keys, so the "known:" list in errors cannot drift from what is accepted.
constexpr const char *log_known_keys = "path";

}  // namespace

bool log_parse_config(const char *config_json, LogConfig &config, std::string &error) noexcept {
  try {
    const auto json = nlohmann::json::parse(config_json != nullptr ? config_json : "{}");
    if (!json.is_object()) {
      error = std::string("config must be a JSON object, got ") + json.type_name();
      return false;
    }
    for (const auto &[key, value] : json.items()) {
      if (key == "path") {
        if (!value.is_string()) {
          error = std::string("path: must be a string (a file, or \"-\" for stdout), got ") +
                  value.type_name();
          return false;
        }
        config.path = value.get<std::string>();
        if (config.path.empty()) {
          error = "path: must not be empty (use \"-\" or leave it out for stdout)";
          return false;
        }
      } else {
        error = "unknown key '" + key + "' (known: " + log_known_keys + ")";
        return false;
      }
    }
    return true;
  } catch (const std::exception &e) {
    error = std::string("config is not valid JSON: ") + e.what();
  } catch (...) {
    error = "config could not be parsed";
  }
  return false;
}

}  // namespace outboxd::log_plugin

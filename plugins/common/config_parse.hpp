// The JSON-to-error wrapper every plugin's config entry point needs, so each one only parses keys.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace outboxd::plugin_common {

// Thrown by a plugin's config parser; `text` is the whole "key: reason" error.
struct ConfigError {
  std::string text;
};

// Parses `config_json` (null reads as "{}") and hands the document to `parse(const json &)`.
// Never throws (it runs behind the C ABI): what `parse` or the JSON parser throws becomes `error`,
// a ConfigError's text as is, bad JSON as "config is not valid JSON: <where>", anything else as
// "config could not be read: <what>".
template <class Parse>
bool parse_json_config(const char *config_json, std::string &error, Parse &&parse) noexcept {
  try {
    parse(nlohmann::json::parse(config_json != nullptr ? config_json : "{}"));
    return true;
  } catch (const ConfigError &e) {
    error = e.text;
  } catch (const nlohmann::json::parse_error &e) {
    error = std::string("config is not valid JSON: ") + e.what();
  } catch (const std::exception &e) {
    error = std::string("config could not be read: ") + e.what();
  } catch (...) {
    error = "config could not be read";
  }
  return false;
}

}  // namespace outboxd::plugin_common

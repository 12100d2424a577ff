// The declarative config map every C++ plugin reads its `config:` through: one row per key (its
// name, how its value is read and checked, whether it is required), so the accepted keys, the
// "known:" list in errors and the wording of each error are written once.
//
// A key's default is the initialiser of its member in the plugin's config struct: the map never
// touches a member whose key is absent. Checks that span keys (mTLS needs both files, a password
// needs a username) stay in the plugin, after ConfigMap::read.
//
// Every error is one line "key: reason", thrown as ConfigError (parse_json_config turns it into the
// init() error):
//   key: must be an integer, got string          key: must be between 1 and 65535, got 70000
//   key: must be true or false, got number       key: must be a string (a PEM file), got array
//   key: must not be empty (...)                 key: must not contain CR or LF
//   key: is required (the SMTP server's name)    unknown key 'x' (known: a, b, c)
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/config_parse.hpp"

namespace outboxd::plugin_common {

[[noreturn]] inline void config_fail(const std::string &key, const std::string &reason) {
  throw ConfigError{key + ": " + reason};
}

// The typed reads the rows are built from; also for plugin code reading nested values (list items,
// header values), so those errors are worded the same way. `what` ("a PEM file") is optional.
inline const std::string &config_string(const std::string &key, const nlohmann::json &v, const std::string &what = "") {
  if (!v.is_string())
    config_fail(key, "must be a string" + (what.empty() ? std::string() : " (" + what + ")") + ", got " + v.type_name());
  return v.get_ref<const std::string &>();
}

inline bool config_bool(const std::string &key, const nlohmann::json &v) {
  if (!v.is_boolean()) config_fail(key, std::string("must be true or false, got ") + v.type_name());
  return v.get<bool>();
}

// An integer in [min, max]; `unit` ("milliseconds") is said with the range.
inline int64_t config_int(const std::string &key, const nlohmann::json &v, int64_t min, int64_t max,
                          const std::string &unit = "") {
  if (!v.is_number_integer())
    config_fail(key, std::string("must be an integer, got ") + (v.is_number() ? "a fraction" : v.type_name()));
  // Above INT64_MAX (only an unsigned JSON number can be) is above every range.
  const bool huge = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
  const int64_t n = huge ? INT64_MAX : v.get<int64_t>();
  if (huge || n < min || n > max)
    config_fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                         (unit.empty() ? "" : " " + unit) + ", got " + v.dump());
  return n;
}

// How a string row is checked beyond being a string.
struct StringRule {
  std::string what;            // said in the wrong-type error: "a PEM file"
  const char *empty = nullptr;  // non-null: "" is refused, "must not be empty (<empty>)" ("" says no more)
  bool one_line = false;        // refuse CR and LF (values that end up in a header or protocol line)
};

template <class Config>
struct ConfigKey {
  const char *name;
  // Reads and checks the value into the config; throws ConfigError naming the key.
  std::function<void(const nlohmann::json &value, Config &config)> read;
  const char *required = nullptr;  // non-null: the key must be given; says what it is for
};

template <class Config>
class ConfigMap {
 public:
  ConfigMap(std::initializer_list<ConfigKey<Config>> keys) : keys_(keys) {}

  // Reads `root` (the config object) into `config`. Refuses a non-object, an unknown key (naming
  // the known ones) and a missing required key; each row reads its own value.
  void read(const nlohmann::json &root, Config &config) const {
    if (!root.is_object()) throw ConfigError{std::string("config must be a JSON object, got ") + root.type_name()};
    for (const auto &[key, value] : root.items()) {
      const ConfigKey<Config> *row = find(key);
      if (row == nullptr) throw ConfigError{"unknown key '" + key + "' (known: " + known() + ")"};
      row->read(value, config);
    }
    for (const auto &row : keys_)
      if (row.required != nullptr && !root.contains(row.name))
        config_fail(row.name, std::string("is required (") + row.required + ")");
  }

  // "a, b, c" in table order, or "none".
  std::string known() const {
    std::string list;
    for (const auto &row : keys_) list += (list.empty() ? "" : ", ") + std::string(row.name);
    return list.empty() ? "none" : list;
  }

 private:
  const ConfigKey<Config> *find(const std::string &key) const {
    for (const auto &row : keys_)
      if (key == row.name) return &row;
    return nullptr;
  }
  std::vector<ConfigKey<Config>> keys_;
};

// ---- rows ----------------------------------------------------------------------------------------

template <class Config, class Int>
ConfigKey<Config> int_key(const char *name, Int Config::*field, int64_t min, int64_t max, const char *unit = "") {
  return {name, [=](const nlohmann::json &v, Config &c) {
            c.*field = static_cast<Int>(config_int(name, v, min, max, unit));
          }};
}

template <class Config>
ConfigKey<Config> bool_key(const char *name, bool Config::*field) {
  return {name, [=](const nlohmann::json &v, Config &c) { c.*field = config_bool(name, v); }};
}

// `check` (optional) gets the accepted text and returns "" or the reason it is refused.
template <class Config>
ConfigKey<Config> string_key(const char *name, std::string Config::*field, StringRule rule = {},
                             std::function<std::string(const std::string &)> check = nullptr) {
  return {name, [=](const nlohmann::json &v, Config &c) {
            const std::string &text = config_string(name, v, rule.what);
            if (rule.empty != nullptr && text.empty())
              config_fail(name, std::string("must not be empty") + (*rule.empty != '\0' ? std::string(" (") + rule.empty + ")" : ""));
            if (rule.one_line && text.find_first_of("\r\n") != std::string::npos) config_fail(name, "must not contain CR or LF");
            if (check) {
              const std::string why = check(text);
              if (!why.empty()) config_fail(name, why);
            }
            c.*field = text;
          }};
}

// One of a fixed set of words, each standing for a value: "tls: must be one of none, starttls, tls, got 'x'".
template <class Config, class Value>
ConfigKey<Config> choice_key(const char *name, Value Config::*field,
                             std::vector<std::pair<std::string, Value>> choices) {
  return {name, [=](const nlohmann::json &v, Config &c) {
            const std::string &text = config_string(name, v);
            std::string list;
            for (const auto &[word, value] : choices) {
              if (text == word) {
                c.*field = value;
                return;
              }
              list += (list.empty() ? "" : ", ") + word;
            }
            config_fail(name, "must be one of " + list + ", got '" + text + "'");
          }};
}

// A key read by plugin code (a list, a mapping, a value with its own grammar).
template <class Config>
ConfigKey<Config> custom_key(const char *name, std::function<void(const nlohmann::json &, Config &)> read) {
  return {name, std::move(read)};
}

// Marks a row required; `why` says what the key is for.
template <class Config>
ConfigKey<Config> required(ConfigKey<Config> row, const char *why) {
  row.required = why;
  return row;
}

}  // namespace outboxd::plugin_common

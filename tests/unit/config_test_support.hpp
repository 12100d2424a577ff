// Helpers shared by the config tests: a fake environment and parse-or-capture-the-error.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace outboxd::config_test {

// An environment with only the given variables, so the real one cannot leak into a test.
inline EnvLookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string &name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline Config parse(const std::string &yaml, const EnvLookup &env = fake_env()) {
  return parse_config(yaml, "outboxd.yaml", env);
}

// The ConfigError text for `yaml`, or a failure when it parses.
inline std::string error_of(const std::string &yaml, const EnvLookup &env = fake_env()) {
  try {
    parse(yaml, env);
  } catch (const ConfigError &e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return "";
}

}  // namespace outboxd::config_test

// Exception types, split by what the caller should do about the failure: fix the config, reconnect,
// or give up (docs/architecture.md, "Reconnecting").
#pragma once

#include <stdexcept>
#include <string>

namespace outboxd {

// The config file or a value in it is wrong: fix the file. Exit code 2 at start.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A plugin could not be loaded or initialised: the message says which file and what to do.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database connection is gone: drop the connection, reconnect with backoff, start over.
class DbConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace outboxd

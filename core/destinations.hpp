// The configured destinations, each with its loaded plugin instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/plugin_call.hpp"

namespace outboxd {

struct Destination {
  DestinationConfig config;
  std::shared_ptr<PluginInstance> instance;  // shared with the previous set across a reload
};

class Destinations {
 public:
  // Loads every plugin file once and inits one instance per destination. Throws PluginLoadError
  // naming the destination on the first failure (instances already made are shut down).
  // With `previous`, a destination whose plugin and config are unchanged keeps its instance.
  static std::unique_ptr<Destinations> load(const Config &config, const Destinations *previous = nullptr);

  // Loads only destination `name`'s plugin, and inits it only if the plugin has validate(): what
  // `outboxd enqueue` needs to check one message the way the daemon's API does, without starting
  // every destination. Null when `name` is not configured or its plugin has no validate().
  // Throws PluginLoadError as load() does.
  static std::shared_ptr<PluginInstance> load_validator(const Config &config, const std::string &name);

  const Destination *find(const std::string &name) const;
  const std::vector<std::string> &names() const { return names_; }
  const std::map<std::string, Destination> &all() const { return by_name_; }

 private:
  std::map<std::string, Destination> by_name_;
  std::vector<std::string> names_;
};

}  // namespace outboxd

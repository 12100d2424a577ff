// The configured destinations, each with its loaded plugin instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/plugin_loader.hpp"

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

  const Destination *find(const std::string &name) const;
  const std::vector<std::string> &names() const { return names_; }
  // The destinations whose plugin takes messages before they are due (OUTBOXD_PLUGIN_SCHEDULES_AHEAD).
  std::vector<std::string> schedules_ahead_names() const;
  const std::map<std::string, Destination> &all() const { return by_name_; }

 private:
  std::map<std::string, Destination> by_name_;
  std::vector<std::string> names_;
};

}  // namespace outboxd

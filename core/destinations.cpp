// Builds plugin instances for the configured destinations, sharing one dlopen per plugin file.
#include "core/destinations.hpp"

namespace outboxd {
namespace {

bool same_instance_config(const DestinationConfig &a, const DestinationConfig &b) {
  return a.plugin == b.plugin && a.config_json == b.config_json;
}

}  // namespace

std::unique_ptr<Destinations> Destinations::load(const Config &config, const Destinations *previous) {
  auto out = std::make_unique<Destinations>();
  std::map<std::string, std::shared_ptr<LoadedPlugin>> files;
  for (const auto &[name, dest] : config.destinations) {
    Destination d;
    d.config = dest;
    const Destination *old = previous ? previous->find(name) : nullptr;
    if (old && same_instance_config(old->config, dest)) {
      d.instance = old->instance;  // unchanged: keep its connections and state
    } else {
      const std::string path = resolve_plugin_path(config.plugin_dir, dest.plugin);
      auto &file = files[path];
      try {
        if (!file) file = load_plugin(config.plugin_dir, dest.plugin);
      } catch (const PluginLoadError &e) {
        throw PluginLoadError(config.source + ":" + std::to_string(dest.config_line) + ": destination " +
                              name + ": " + e.what());
      }
      try {
        d.instance = std::make_shared<PluginInstance>(file, name, dest.config_json);
      } catch (const PluginLoadError &e) {
        throw PluginLoadError(config.source + ":" + std::to_string(dest.config_line) + ": " + e.what());
      }
    }
    out->by_name_.emplace(name, std::move(d));
    out->names_.push_back(name);
  }
  return out;
}

std::vector<std::string> Destinations::schedules_ahead_names() const {
  std::vector<std::string> out;
  for (const auto &[name, dest] : by_name_)
    if (dest.instance->plugin().schedules_ahead()) out.push_back(name);
  return out;
}

const Destination *Destinations::find(const std::string &name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

}  // namespace outboxd

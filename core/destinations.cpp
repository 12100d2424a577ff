// Builds plugin instances for the configured destinations, sharing one dlopen per plugin file.
#include "core/destinations.hpp"

namespace outboxd {

std::unique_ptr<Destinations> Destinations::load(const Config &config) {
  auto out = std::make_unique<Destinations>();
  std::map<std::string, std::shared_ptr<LoadedPlugin>> files;
  for (const auto &[name, dest] : config.destinations) {
    const std::string path = resolve_plugin_path(config.plugin_dir, dest.plugin);
    auto &file = files[path];
    try {
      if (!file) file = load_plugin(config.plugin_dir, dest.plugin);
    } catch (const PluginLoadError &e) {
      throw PluginLoadError(config.source + ":" + std::to_string(dest.config_line) + ": destination " +
                            name + ": " + e.what());
    }
    Destination d;
    d.config = dest;
    d.instance = std::make_unique<PluginInstance>(file, name, dest.config_json);
    out->by_name_.emplace(name, std::move(d));
    out->names_.push_back(name);
  }
  return out;
}

const Destination *Destinations::find(const std::string &name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

}  // namespace outboxd

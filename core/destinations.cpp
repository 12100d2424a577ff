// Builds plugin instances for the configured destinations, sharing one dlopen per plugin file.
#include "core/destinations.hpp"

namespace outboxd {
namespace {

bool same_instance_config(const DestinationConfig &a, const DestinationConfig &b) {
  return a.plugin == b.plugin && a.config_json == b.config_json;
}

// "outboxd.yaml:12: " — where a destination's load error points in the config.
std::string config_place(const Config &config, const DestinationConfig &dest) {
  return (dest.source.empty() ? config.source : dest.source) + ":" + std::to_string(dest.config_line) + ": ";
}

std::shared_ptr<LoadedPlugin> open_plugin_file(const Config &config, const std::string &name,
                                               const DestinationConfig &dest) {
  try {
    return load_plugin(config.plugin_dir, dest.plugin);
  } catch (const PluginLoadError &e) {
    throw PluginLoadError(config_place(config, dest) + "destination " + name + ": " + e.what());
  }
}

std::shared_ptr<PluginInstance> init_instance(const Config &config, std::shared_ptr<LoadedPlugin> file,
                                              const std::string &name, const DestinationConfig &dest) {
  try {
    return std::make_shared<PluginInstance>(std::move(file), name, dest.config_json);
  } catch (const PluginLoadError &e) {
    throw PluginLoadError(config_place(config, dest) + e.what());
  }
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
      auto &file = files[resolve_plugin_path(config.plugin_dir, dest.plugin)];
      if (!file) file = open_plugin_file(config, name, dest);
      d.instance = init_instance(config, file, name, dest);
    }
    out->by_name_.emplace(name, std::move(d));
    out->names_.push_back(name);
  }
  return out;
}

std::shared_ptr<PluginInstance> Destinations::load_validator(const Config &config, const std::string &name) {
  const auto it = config.destinations.find(name);
  if (it == config.destinations.end()) return nullptr;
  auto file = open_plugin_file(config, name, it->second);
  if (!file->has_validate()) return nullptr;  // nothing to ask, so no init() and its side effects
  return init_instance(config, std::move(file), name, it->second);
}

const Destination *Destinations::find(const std::string &name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

}  // namespace outboxd

// Parses and validates the log plugin's config through the shared config map.
#include "log_config.hpp"

#include "common/config_map.hpp"

namespace outboxd::log_plugin {

namespace {

using namespace plugin_common;

const ConfigMap<LogConfig> log_config_map = {
    string_key("path", &LogConfig::path,
               {"a file, or \"-\" for stdout", "use \"-\" or leave it out for stdout", false}),
};

}  // namespace

bool log_parse_config(const char *config_json, LogConfig &config, std::string &error) noexcept {
  return parse_json_config(config_json, error, [&config](const nlohmann::json &root) { log_config_map.read(root, config); });
}

}  // namespace outboxd::log_plugin

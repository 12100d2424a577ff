// The services outboxd_host offers one plugin instance: the log and the typed config getters.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd {

// What outboxd_host.ctx points at for one instance. Lives as long as the instance, so strings the
// config getters hand out stay valid until shutdown() returns.
struct PluginHostContext {
  std::string log_prefix;  // "plugin log[demo]: "
  nlohmann::json config;   // config_json parsed
  // Set when config_json is not valid JSON (the daemon always sends JSON, a test may not): then
  // every getter answers INVALID with this line, as a plugin's own parser would.
  std::string config_error;
};

// Parses config_json into ctx.config, or sets ctx.config_error to "config is not valid JSON: ...".
void read_plugin_config(PluginHostContext &ctx, const std::string &config_json);

// Fills `host` with the daemon's services over `ctx`, which must outlive every use of `host`.
void fill_plugin_host(outboxd_host &host, PluginHostContext &ctx);

// The logger plugin lines go to; looked up per line, so a logger the daemon recreates is used.
std::shared_ptr<spdlog::logger> plugin_logger();

}  // namespace outboxd

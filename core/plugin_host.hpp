// The services outboxd_host offers one plugin instance: the log.
#pragma once

#include <memory>
#include <spdlog/logger.h>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd {

// What outboxd_host.ctx points at for one instance; lives as long as the instance.
struct PluginHostContext {
  std::string log_prefix;  // "plugin log[demo]: "
};

// Fills `host` with the daemon's services over `ctx`, which must outlive every use of `host`.
void fill_plugin_host(outboxd_host &host, PluginHostContext &ctx);

// The logger plugin lines go to; looked up per line, so a logger the daemon recreates is used.
std::shared_ptr<spdlog::logger> plugin_logger();

}  // namespace outboxd

// The services outboxd_host offers one plugin instance. Every function here is called by plugin
// code through C function pointers, so nothing may escape any of them.
#include "core/plugin_host.hpp"

#include <spdlog/spdlog.h>

namespace outboxd {

namespace {

spdlog::level::level_enum to_spdlog_level(int level) {
  if (level <= OUTBOXD_LOG_DEBUG) return spdlog::level::debug;
  if (level == OUTBOXD_LOG_INFO) return spdlog::level::info;
  if (level == OUTBOXD_LOG_WARN) return spdlog::level::warn;
  return spdlog::level::err;  // ERROR and anything above it
}

extern "C" void plugin_host_log(void *ctx, int level, const char *message) noexcept {
  try {
    const auto *host = static_cast<const PluginHostContext *>(ctx);
    plugin_logger()->log(to_spdlog_level(level), "{}{}", host->log_prefix,
                         message != nullptr ? message : "(null)");
  } catch (...) {
    // A failing logger must not take the plugin down; the line is lost.
  }
}

}  // namespace

std::shared_ptr<spdlog::logger> plugin_logger() {
  auto logger = spdlog::get("plugin");
  return logger ? logger : spdlog::default_logger();
}

void fill_plugin_host(outboxd_host &host, PluginHostContext &ctx) {
  host = outboxd_host{};
  host.abi_version = OUTBOXD_PLUGIN_ABI_VERSION;
  host.struct_size = sizeof(outboxd_host);
  host.ctx = &ctx;
  host.log = &plugin_host_log;
}

}  // namespace outboxd

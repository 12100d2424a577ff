// The services outboxd_host offers one plugin instance. Every function here is called by plugin
// code through C function pointers, so nothing may escape any of them.
#include "core/plugin_host.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <limits>

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

void write_line(char *error, std::size_t cap, const std::string &text) noexcept {
  if (error != nullptr && cap > 0) std::snprintf(error, cap, "%s", text.c_str());
}

// Thrown inside a getter when the config itself is unreadable: the line is the whole error.
struct UnreadableConfig {
  std::string line;
};

// The value of `key`, or nullptr when the config has no such key (or is not an object).
const nlohmann::json *find_key(void *ctx, const char *key) {
  const auto *host = static_cast<const PluginHostContext *>(ctx);
  if (!host->config_error.empty()) throw UnreadableConfig{host->config_error};
  if (key == nullptr || !host->config.is_object()) return nullptr;
  const auto it = host->config.find(key);
  return it == host->config.end() ? nullptr : &*it;
}

int invalid(const char *key, const std::string &reason, char *error, std::size_t cap) noexcept {
  try {
    write_line(error, cap, std::string(key) + ": " + reason);
  } catch (...) {
    write_line(error, cap, "config: out of memory");
  }
  return OUTBOXD_CONFIG_INVALID;
}

// What a getter says when something in it threw.
int unreadable(const char *key, char *error, std::size_t cap) noexcept {
  try {
    throw;
  } catch (const UnreadableConfig &e) {
    write_line(error, cap, e.line);
    return OUTBOXD_CONFIG_INVALID;
  } catch (...) {
    // Out of memory, in practice: said without allocating.
    if (error != nullptr && cap > 0)
      std::snprintf(error, cap, "%s: could not be read (out of memory)", key != nullptr ? key : "config");
    return OUTBOXD_CONFIG_INVALID;
  }
}

extern "C" int plugin_host_config_int(void *ctx, const char *key, int64_t min, int64_t max,
                                      int64_t *value, char *error, std::size_t cap) noexcept {
  try {
    const nlohmann::json *v = find_key(ctx, key);
    if (v == nullptr) return OUTBOXD_CONFIG_MISSING;
    if (!v->is_number_integer())
      return invalid(key, std::string("must be an integer, got ") + (v->is_number() ? "a fraction" : v->type_name()),
                     error, cap);
    // An unsigned value beyond int64 is out of every range a plugin can ask for.
    const bool too_big = v->is_number_unsigned() &&
                         v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max());
    const int64_t n = too_big ? std::numeric_limits<int64_t>::max() : v->get<int64_t>();
    if (too_big || n < min || n > max)
      return invalid(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + v->dump(),
                     error, cap);
    *value = n;
    return OUTBOXD_CONFIG_OK;
  } catch (...) {
    return unreadable(key, error, cap);
  }
}

extern "C" int plugin_host_config_bool(void *ctx, const char *key, int *value, char *error,
                                       std::size_t cap) noexcept {
  try {
    const nlohmann::json *v = find_key(ctx, key);
    if (v == nullptr) return OUTBOXD_CONFIG_MISSING;
    if (!v->is_boolean()) return invalid(key, std::string("must be true or false, got ") + v->type_name(), error, cap);
    *value = v->get<bool>() ? 1 : 0;
    return OUTBOXD_CONFIG_OK;
  } catch (...) {
    return unreadable(key, error, cap);
  }
}

extern "C" int plugin_host_config_string(void *ctx, const char *key, const char **value, char *error,
                                         std::size_t cap) noexcept {
  try {
    const nlohmann::json *v = find_key(ctx, key);
    if (v == nullptr) return OUTBOXD_CONFIG_MISSING;
    if (!v->is_string()) return invalid(key, std::string("must be a string, got ") + v->type_name(), error, cap);
    const auto &text = v->get_ref<const std::string &>();
    // A C plugin would silently read only the part before it.
    if (text.find('\0') != std::string::npos) return invalid(key, "must not contain a NUL character", error, cap);
    *value = text.c_str();  // points into the context, which outlives the instance
    return OUTBOXD_CONFIG_OK;
  } catch (...) {
    return unreadable(key, error, cap);
  }
}

extern "C" int plugin_host_config_check_keys(void *ctx, const char *const *known, std::size_t count,
                                             char *error, std::size_t cap) noexcept {
  try {
    const auto *host = static_cast<const PluginHostContext *>(ctx);
    const auto &config = host->config;
    if (!host->config_error.empty()) {
      write_line(error, cap, host->config_error);
      return OUTBOXD_CONFIG_INVALID;
    }
    if (!config.is_object()) {
      write_line(error, cap, std::string("config must be a JSON object, got ") + config.type_name());
      return OUTBOXD_CONFIG_INVALID;
    }
    std::string list;
    for (std::size_t i = 0; i < count; ++i) list += (i == 0 ? "" : ", ") + std::string(known[i]);
    for (const auto &item : config.items()) {
      bool found = false;
      for (std::size_t i = 0; i < count && !found; ++i) found = item.key() == known[i];
      if (!found) {
        write_line(error, cap, "unknown key '" + item.key() + "' (known: " + (list.empty() ? "none" : list) + ")");
        return OUTBOXD_CONFIG_INVALID;
      }
    }
    return OUTBOXD_CONFIG_OK;
  } catch (...) {
    write_line(error, cap, "config could not be read");
    return OUTBOXD_CONFIG_INVALID;
  }
}

}  // namespace

std::shared_ptr<spdlog::logger> plugin_logger() {
  auto logger = spdlog::get("plugin");
  return logger ? logger : spdlog::default_logger();
}

void read_plugin_config(PluginHostContext &ctx, const std::string &config_json) {
  try {
    ctx.config = nlohmann::json::parse(config_json);
  } catch (const nlohmann::json::exception &e) {
    ctx.config = nullptr;
    ctx.config_error = std::string("config is not valid JSON: ") + e.what();
  }
}

void fill_plugin_host(outboxd_host &host, PluginHostContext &ctx) {
  host = outboxd_host{};
  host.abi_version = OUTBOXD_PLUGIN_ABI_VERSION;
  host.struct_size = sizeof(outboxd_host);
  host.ctx = &ctx;
  host.log = &plugin_host_log;
  host.config_int = &plugin_host_config_int;
  host.config_bool = &plugin_host_config_bool;
  host.config_string = &plugin_host_config_string;
  host.config_check_keys = &plugin_host_config_check_keys;
}

}  // namespace outboxd

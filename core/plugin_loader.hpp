// Loads sender plugins with dlopen, checks their ABI, and owns their per-destination instances.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "outboxd/plugin.h"

namespace outboxd {

// One dlopen()ed plugin file. Closing happens when the last owner lets go.
class LoadedPlugin {
 public:
  // Opens `path` (RTLD_NOW | RTLD_LOCAL), finds outboxd_plugin_entry, checks abi_version,
  // struct_size and the required callbacks. Throws PluginLoadError naming the file and what to do.
  static std::shared_ptr<LoadedPlugin> open(const std::string &path);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin &) = delete;
  LoadedPlugin &operator=(const LoadedPlugin &) = delete;

  const outboxd_plugin &table() const { return *table_; }
  const std::string &path() const { return path_; }
  bool thread_safe() const { return (table_->flags & OUTBOXD_PLUGIN_THREAD_SAFE) != 0; }
  // The plugin wants first attempts before they are due, to schedule them downstream.
  bool schedules_ahead() const { return (table_->flags & OUTBOXD_PLUGIN_SCHEDULES_AHEAD) != 0; }
  // The plugin has the optional validate() (and a struct_size that covers it).
  bool has_validate() const;
  // The table's name, or the file's basename without ".so" if the plugin left it empty.
  std::string name() const;
  // The table's version string, "" if NULL.
  std::string version() const;

 private:
  friend std::shared_ptr<LoadedPlugin> load_plugin(const std::string &, const std::string &);
  LoadedPlugin(std::string path, void *handle, const outboxd_plugin *table);
  // open() after the caller has checked that the file exists (and worded that error itself).
  static std::shared_ptr<LoadedPlugin> open_checked(const std::string &path);
  std::string path_;
  void *handle_;
  const outboxd_plugin *table_;
};

// "log" -> "<plugin_dir>/log.so"; anything containing '/' is taken as a path as it is.
// "log.so" also names <plugin_dir>/log.so; an empty plugin_dir means the built-in
// OUTBOXD_PLUGIN_DIR.
std::string resolve_plugin_path(const std::string &plugin_dir, const std::string &plugin);

// resolve_plugin_path + LoadedPlugin::open, with a missing file reported against plugin_dir:
// "plugin /x/y.so: file not found (plugin_dir is /x; set plugin_dir or give a path)".
std::shared_ptr<LoadedPlugin> load_plugin(const std::string &plugin_dir, const std::string &plugin);

// The result of one send, copied out of the C structs.
struct SendResult {
  outboxd_status status = OUTBOXD_OK;
  int64_t retry_after_ms = -1;
  std::string error;
};

// One init()ed instance of a plugin for one destination. shutdown() runs in the destructor.
// Calls into a plugin without OUTBOXD_PLUGIN_THREAD_SAFE are serialised by a mutex here.
class PluginInstance {
 public:
  // Throws PluginLoadError carrying the plugin's own init() message.
  PluginInstance(std::shared_ptr<LoadedPlugin> plugin, std::string destination,
                 const std::string &config_json);
  ~PluginInstance();
  PluginInstance(const PluginInstance &) = delete;
  PluginInstance &operator=(const PluginInstance &) = delete;

  // Never throws; an exception inside the plugin cannot cross the C ABI, and a plugin that
  // leaves a bad status is reported as RETRY with an explanation.
  SendResult send(const outboxd_message &msg);

  // Delivers messages of one destination that share no ordering key: through the plugin's
  // send_batch when it has one (one call, the plugin may send them at once), else send() for each.
  // results[i] belongs to msgs[i]. Never throws.
  std::vector<SendResult> send_batch(const std::vector<outboxd_message> &msgs);
  bool has_send_batch() const;

  // Asks the plugin's validate() whether a message could ever be sent, without sending it (no
  // I/O; see plugin.h). nullopt: it could, or the plugin cannot tell (no validate(), or it broke
  // the no-throw rule, which is logged). Otherwise the plugin's line, "payload.to: ...".
  // Never throws, never takes the send lock: validate() is thread-safe by contract, so checking a
  // message never waits for a slow send().
  std::optional<std::string> validate(const std::string &payload_json, const std::string &headers_json) const;

  const std::string &destination() const { return destination_; }
  const LoadedPlugin &plugin() const { return *plugin_; }

 private:
  std::shared_ptr<LoadedPlugin> plugin_;
  std::string destination_;
  std::string log_prefix_;  // "plugin log[demo]: "
  outboxd_host host_{};
  void *state_ = nullptr;
  std::mutex send_mutex_;  // used only when the plugin is not thread-safe
};

}  // namespace outboxd

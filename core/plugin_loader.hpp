// Loads sender plugins with dlopen and checks their ABI. An init()ed instance and every call into
// it is PluginInstance, in core/plugin_call.hpp.
#pragma once

#include <memory>
#include <string>

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


}  // namespace outboxd

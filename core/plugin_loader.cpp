// Loads sender plugins with dlopen and checks their ABI; calling an instance is core/plugin_call.cpp.
#include "core/plugin_loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

namespace outboxd {

namespace {

// The table as first released (ABI 1): everything up to and including shutdown. Later versions
// only append, so a smaller struct_size means the plugin's table is truncated or not ours.
constexpr std::size_t min_plugin_struct_size =
    offsetof(outboxd_plugin, shutdown) + sizeof(outboxd_plugin::shutdown);

// Closes a dlopen() handle on every early exit of open(); released once LoadedPlugin owns it.
struct DlHandle {
  void *handle = nullptr;
  ~DlHandle() {
    if (handle != nullptr) dlclose(handle);
  }
  void *release() { return std::exchange(handle, nullptr); }
};

std::string dl_error_text() {
  const char *error = dlerror();
  return error != nullptr ? error : "unknown dlopen error";
}

// "plugin <path>: " — every loader message starts by naming the file.
std::string file_prefix(const std::string &path) { return "plugin " + path + ": "; }

// Refuses a file that is missing (or not a regular file) before dlopen, whose message for that
// case is less clear. `hint` says where the path came from and how to change it.
void check_file(const std::string &path, const std::string &hint) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR)
      throw PluginLoadError(file_prefix(path) + "file not found (" + hint + ")");
    throw PluginLoadError(file_prefix(path) + "cannot stat: " + std::strerror(error) + " (" + hint +
                          ")");
  }
  if (!S_ISREG(st.st_mode))
    throw PluginLoadError(file_prefix(path) + "not a regular file (" + hint + ")");
}

// Checks the table returned by outboxd_plugin_entry, version first: nothing else in it can be trusted before the version matches.
void check_table(const std::string &path, const outboxd_plugin *table) {
  if (table == nullptr)
    throw PluginLoadError(file_prefix(path) +
                          "outboxd_plugin_entry() returned NULL — the plugin is broken; "
                          "it must return a pointer to a static outboxd_plugin table");
  if (table->abi_version != OUTBOXD_PLUGIN_ABI_VERSION)
    throw PluginLoadError(file_prefix(path) + "ABI version " + std::to_string(table->abi_version) +
                          " but this outboxd speaks ABI " +
                          std::to_string(OUTBOXD_PLUGIN_ABI_VERSION) +
                          " — rebuild the plugin against the installed outboxd/plugin.h");
  if (table->struct_size < min_plugin_struct_size)
    throw PluginLoadError(file_prefix(path) + "plugin table is " +
                          std::to_string(table->struct_size) + " bytes, smaller than the " +
                          std::to_string(min_plugin_struct_size) +
                          " bytes of ABI 1 — rebuild the plugin against the installed "
                          "outboxd/plugin.h");
  const std::pair<const char *, bool> required[] = {
      {"init", table->init != nullptr},
      {"send", table->send != nullptr},
      {"shutdown", table->shutdown != nullptr},
  };
  for (const auto &[name, present] : required)
    if (!present)
      throw PluginLoadError(file_prefix(path) + "required callback '" + name +
                            "' is NULL — the plugin must implement init, send and shutdown");
}

// The basename without ".so", used when a plugin leaves its name empty.
std::string name_from_path(const std::string &path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const std::string suffix = ".so";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  return name;
}

bool ends_with_so(const std::string &s) {
  return s.size() >= 3 && s.compare(s.size() - 3, 3, ".so") == 0;
}

}  // namespace

// --- LoadedPlugin --------------------------------------------------------------------------------

LoadedPlugin::LoadedPlugin(std::string path, void *handle, const outboxd_plugin *table)
    : path_(std::move(path)), handle_(handle), table_(table) {}

LoadedPlugin::~LoadedPlugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::shared_ptr<LoadedPlugin> LoadedPlugin::open(const std::string &path) {
  check_file(path, "give the full path of the .so, or set plugin_dir and use the plugin's name");
  return open_checked(path);
}

std::shared_ptr<LoadedPlugin> LoadedPlugin::open_checked(const std::string &path) {
  // Without a '/', dlopen would search the library path instead of the file we just checked.
  const std::string dl_path = path.find('/') == std::string::npos ? "./" + path : path;

  dlerror();  // clear any stale error so the one we report is ours
  DlHandle handle{dlopen(dl_path.c_str(), RTLD_NOW | RTLD_LOCAL)};
  if (handle.handle == nullptr)
    throw PluginLoadError(file_prefix(path) + "dlopen failed: " + dl_error_text() +
                          " — usually a missing dependency; try `ldd " + path + "`");

  // dlsym returns void*; copying it into a function pointer avoids a cast ISO C++ only half allows.
  void *symbol = dlsym(handle.handle, "outboxd_plugin_entry");
  if (symbol == nullptr)
    throw PluginLoadError(file_prefix(path) +
                          "no outboxd_plugin_entry symbol — is this an outboxd plugin? "
                          "build it against include/outboxd/plugin.h");
  outboxd_plugin_entry_fn entry;
  static_assert(sizeof(entry) == sizeof(symbol), "function and object pointers differ in size");
  std::memcpy(&entry, &symbol, sizeof(entry));

  const outboxd_plugin *table = entry();
  check_table(path, table);

  return std::shared_ptr<LoadedPlugin>(new LoadedPlugin(path, handle.release(), table));
}

bool LoadedPlugin::has_validate() const {
  return table_->struct_size >= offsetof(outboxd_plugin, validate) + sizeof(table_->validate) &&
         table_->validate != nullptr;
}

std::string LoadedPlugin::name() const {
  if (table_->name != nullptr && table_->name[0] != '\0') return table_->name;
  return name_from_path(path_);
}

std::string LoadedPlugin::version() const {
  return table_->version != nullptr ? table_->version : "";
}

std::string resolve_plugin_path(const std::string &plugin_dir, const std::string &plugin) {
  if (plugin.find('/') != std::string::npos) return plugin;
  std::string dir = plugin_dir;
#ifdef OUTBOXD_PLUGIN_DIR
  if (dir.empty()) dir = OUTBOXD_PLUGIN_DIR;
#endif
  if (dir.empty()) dir = ".";
  if (dir.back() != '/') dir += '/';
  // "log" and "log.so" both name <plugin_dir>/log.so.
  return dir + plugin + (ends_with_so(plugin) ? "" : ".so");
}

std::shared_ptr<LoadedPlugin> load_plugin(const std::string &plugin_dir,
                                          const std::string &plugin) {
  const std::string path = resolve_plugin_path(plugin_dir, plugin);
  if (plugin.find('/') != std::string::npos)
    check_file(path, "the plugin was given as a path; check it, or give just the plugin's name");
  else
    check_file(path, "plugin_dir is " + path.substr(0, path.find_last_of('/')) +
                         "; set plugin_dir or give a path");
  return LoadedPlugin::open_checked(path);
}

}  // namespace outboxd

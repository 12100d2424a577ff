// Loads sender plugins with dlopen, checks their ABI, and runs their per-destination instances.
#include "core/plugin_loader.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace outboxd {

namespace {

// The table as first released (ABI 1): everything up to and including shutdown. Later versions
// only append, so a smaller struct_size means the plugin's table is truncated or not ours.
constexpr std::size_t min_plugin_struct_size =
    offsetof(outboxd_plugin, shutdown) + sizeof(outboxd_plugin::shutdown);

// Size of the error buffers handed to init() and send(): one line is all we keep.
constexpr std::size_t error_buffer_size = 1024;

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

// Looked up per line, not cached, so a logger the daemon (re)creates later is picked up.
std::shared_ptr<spdlog::logger> plugin_logger() {
  auto logger = spdlog::get("plugin");
  return logger ? logger : spdlog::default_logger();
}

spdlog::level::level_enum to_spdlog_level(int level) {
  if (level <= OUTBOXD_LOG_DEBUG) return spdlog::level::debug;
  if (level == OUTBOXD_LOG_INFO) return spdlog::level::info;
  if (level == OUTBOXD_LOG_WARN) return spdlog::level::warn;
  return spdlog::level::err;  // ERROR and anything above it
}

// outboxd_host.log: called by plugin code, so nothing may escape it.
extern "C" void plugin_host_log(void *ctx, int level, const char *message) noexcept {
  try {
    const auto *prefix = static_cast<const std::string *>(ctx);
    plugin_logger()->log(to_spdlog_level(level), "{}{}", *prefix,
                         message != nullptr ? message : "(null)");
  } catch (...) {
    // A failing logger must not take the plugin down; the line is lost.
  }
}

// Reads a C error buffer the plugin may have left unterminated.
std::string read_error_buffer(const char *buffer, std::size_t cap) {
  return std::string(buffer, strnlen(buffer, cap));
}

const char *status_name(outboxd_status status) {
  switch (status) {
    case OUTBOXD_OK:
      return "OK";
    case OUTBOXD_RETRY:
      return "RETRY";
    case OUTBOXD_PERMANENT:
      return "PERMANENT";
  }
  return "?";
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

// --- PluginInstance ------------------------------------------------------------------------------

PluginInstance::PluginInstance(std::shared_ptr<LoadedPlugin> plugin, std::string destination,
                               const std::string &config_json)
    : plugin_(std::move(plugin)), destination_(std::move(destination)) {
  const std::string name = plugin_->name();
  log_prefix_ = "plugin " + name + "[" + destination_ + "]: ";

  host_.abi_version = OUTBOXD_PLUGIN_ABI_VERSION;
  host_.struct_size = sizeof(outboxd_host);
  host_.ctx = &log_prefix_;  // stable: the instance is neither copied nor moved
  host_.log = &plugin_host_log;

  std::array<char, error_buffer_size> error{};
  const std::string config = config_json.empty() ? "{}" : config_json;
  void *state = nullptr;
  int rc = 0;
  try {
    rc = plugin_->table().init(&host_, config.c_str(), &state, error.data(), error.size());
  } catch (...) {
    // Only reachable if a C++ plugin breaks the no-throw rule; still owe it its shutdown().
    plugin_->table().shutdown(state);
    throw PluginLoadError(
        "destination " + destination_ + ": plugin " + name +
        " threw an exception out of init() (a plugin bug; report it to its author)");
  }
  if (rc != 0) {
    // The ABI promises shutdown() after every init(), a failed one included, so the plugin can
    // free whatever it had built before it found the problem.
    plugin_->table().shutdown(state);
    std::string reason = read_error_buffer(error.data(), error.size());
    if (reason.empty())
      reason = "init() failed without saying why (returned " + std::to_string(rc) + ")";
    throw PluginLoadError("destination " + destination_ + ": plugin " + name +
                          " refused its config: " + reason);
  }
  state_ = state;
}

PluginInstance::~PluginInstance() {
  try {
    plugin_->table().shutdown(state_);
  } catch (...) {
    // A C++ plugin broke the no-throw rule; a destructor must not pass that on.
  }
}

namespace {

// The host, not the caller, vouches for the message's shape: plugins may rely on struct_size and
// on headers_json being an object.
outboxd_message normalized(const outboxd_message &msg, const std::string &destination) {
  outboxd_message message = msg;
  message.struct_size = sizeof(outboxd_message);
  if (message.headers_json == nullptr) message.headers_json = "{}";
  if (message.id == nullptr) message.id = "";
  if (message.destination == nullptr) message.destination = destination.c_str();
  if (message.payload == nullptr) {
    message.payload = "null";
    message.payload_len = 4;
  }
  return message;
}

// The reset state every result starts from: OK, no retry hint, empty error in `buffer`. Only the
// first byte is cleared (this is the hot path); reads are bounded by the capacity.
outboxd_result fresh_result(char *buffer, std::size_t cap) {
  buffer[0] = '\0';
  outboxd_result result{};
  result.status = OUTBOXD_OK;
  result.retry_after_ms = -1;
  result.error = buffer;
  result.error_cap = cap;
  return result;
}

// Copies a result out of the C struct, refusing a status the ABI does not define.
SendResult read_result(const outboxd_result &result, const char *buffer, std::size_t cap,
                       const std::string &plugin_name) {
  SendResult out;
  // Read the raw bits: in C++ loading an enum outside its range is undefined (UBSan flags it), and
  // a C plugin can leave any int there (read as signed so a stray -1 is reported as -1).
  std::int32_t status;
  static_assert(sizeof(status) == sizeof(result.status), "outboxd_status is not 32 bits");
  std::memcpy(&status, &result.status, sizeof(status));
  if (status != OUTBOXD_OK && status != OUTBOXD_RETRY && status != OUTBOXD_PERMANENT) {
    out.status = OUTBOXD_RETRY;
    out.error = "plugin returned invalid status " + std::to_string(status);
    return out;
  }
  out.status = result.status;
  out.error = read_error_buffer(buffer, cap);
  if (out.status == OUTBOXD_RETRY) out.retry_after_ms = result.retry_after_ms < 0 ? -1 : result.retry_after_ms;
  if (out.status != OUTBOXD_OK && out.error.empty())
    out.error = "plugin " + plugin_name + " returned " + status_name(out.status) + " without a message";
  return out;
}

SendResult thrown_result(const std::string &plugin_name, const char *callback) {
  SendResult out;
  out.status = OUTBOXD_RETRY;
  out.error = "plugin " + plugin_name + " threw an exception out of " + callback + "() (a plugin bug)";
  return out;
}

}  // namespace

SendResult PluginInstance::send(const outboxd_message &msg) {
  const outboxd_message message = normalized(msg, destination_);
  // A fresh buffer per call: concurrent sends of a thread-safe plugin must not share one.
  std::array<char, error_buffer_size> error;
  outboxd_result result = fresh_result(error.data(), error.size());
  try {
    std::unique_lock<std::mutex> lock(send_mutex_, std::defer_lock);
    if (!plugin_->thread_safe()) lock.lock();
    plugin_->table().send(state_, &message, &result);
  } catch (...) {
    return thrown_result(plugin_->name(), "send");  // a C++ plugin broke the no-throw rule
  }
  return read_result(result, error.data(), error.size(), plugin_->name());
}

bool PluginInstance::has_send_batch() const {
  const outboxd_plugin &t = plugin_->table();
  return t.struct_size >= offsetof(outboxd_plugin, send_batch) + sizeof(t.send_batch) && t.send_batch != nullptr;
}

std::vector<SendResult> PluginInstance::send_batch(const std::vector<outboxd_message> &msgs) {
  std::vector<SendResult> out;
  out.reserve(msgs.size());
  if (!has_send_batch() || msgs.empty()) {
    for (const auto &m : msgs) out.push_back(send(m));
    return out;
  }
  std::vector<outboxd_message> messages;
  messages.reserve(msgs.size());
  for (const auto &m : msgs) messages.push_back(normalized(m, destination_));
  std::vector<char> errors(msgs.size() * error_buffer_size);
  std::vector<outboxd_result> results;
  results.reserve(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i)
    results.push_back(fresh_result(errors.data() + i * error_buffer_size, error_buffer_size));
  try {
    std::unique_lock<std::mutex> lock(send_mutex_, std::defer_lock);
    if (!plugin_->thread_safe()) lock.lock();
    std::vector<const outboxd_message *> message_ptrs;
    std::vector<outboxd_result *> result_ptrs;
    message_ptrs.reserve(messages.size());
    result_ptrs.reserve(results.size());
    for (auto &m : messages) message_ptrs.push_back(&m);
    for (auto &r : results) result_ptrs.push_back(&r);
    plugin_->table().send_batch(state_, message_ptrs.data(), result_ptrs.data(), messages.size());
  } catch (...) {
    return std::vector<SendResult>(msgs.size(), thrown_result(plugin_->name(), "send_batch"));
  }
  for (size_t i = 0; i < msgs.size(); ++i)
    out.push_back(read_result(results[i], errors.data() + i * error_buffer_size, error_buffer_size, plugin_->name()));
  return out;
}

std::optional<std::string> PluginInstance::validate(const std::string &payload_json,
                                                     const std::string &headers_json) const {
  if (!plugin_->has_validate()) return std::nullopt;
  outboxd_message msg{};
  msg.struct_size = sizeof(outboxd_message);
  msg.id = "";  // not assigned before the message is stored
  msg.destination = destination_.c_str();
  msg.payload = payload_json.c_str();
  msg.payload_len = payload_json.size();
  msg.headers_json = headers_json.empty() ? "{}" : headers_json.c_str();
  std::array<char, error_buffer_size> error;
  error[0] = '\0';
  int rc = 0;
  try {
    rc = plugin_->table().validate(state_, &msg, error.data(), error.size());
  } catch (...) {
    // A C++ plugin broke the no-throw rule: it cannot tell, so the message is not refused for it.
    plugin_logger()->error("{}validate() threw an exception (a plugin bug); the message was not checked",
                           log_prefix_);
    return std::nullopt;
  }
  if (rc == 0) return std::nullopt;
  std::string reason = read_error_buffer(error.data(), error.size());
  if (reason.empty()) reason = "message: refused by plugin " + plugin_->name() + " without saying why";
  return reason;
}

}  // namespace outboxd

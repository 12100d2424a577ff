// Calls into one plugin instance: init() and shutdown() around its life, send(), send_batch() and
// validate() in between. Keeps the host's half of the ABI's rules: fresh results, bounded error
// buffers, statuses checked, a non-thread-safe plugin called from one thread at a time, and a C++
// plugin that throws out of a callback contained.
#include "core/plugin_call.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/plugin_host.hpp"

namespace outboxd {

namespace {

// Size of the error buffers handed to init() and send(): one line is all we keep.
constexpr std::size_t error_buffer_size = 1024;

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

PluginInstance::PluginInstance(std::shared_ptr<LoadedPlugin> plugin, std::string destination,
                               const std::string &config_json)
    : plugin_(std::move(plugin)), destination_(std::move(destination)) {
  const std::string name = plugin_->name();
  const std::string config = config_json.empty() ? "{}" : config_json;
  host_context_ = std::make_unique<PluginHostContext>();
  host_context_->log_prefix = "plugin " + name + "[" + destination_ + "]: ";
  read_plugin_config(*host_context_, config);
  fill_plugin_host(host_, *host_context_);

  std::array<char, error_buffer_size> error{};
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
                           host_context_->log_prefix);
    return std::nullopt;
  }
  if (rc == 0) return std::nullopt;
  std::string reason = read_error_buffer(error.data(), error.size());
  if (reason.empty()) reason = "message: refused by plugin " + plugin_->name() + " without saying why";
  return reason;
}

}  // namespace outboxd

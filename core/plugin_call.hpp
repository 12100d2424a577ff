// PluginInstance: one init()ed plugin instance per destination, and every call the daemon makes
// into it (init, send, send_batch, validate, shutdown), with the C ABI's rules kept on the host side.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin_loader.hpp"
#include "outboxd/plugin.h"

namespace outboxd {

struct PluginHostContext;

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
  // What host_.ctx points at: the log prefix and the parsed config the getters read. Held by
  // pointer so its address stays fixed and this header needs no JSON library.
  std::unique_ptr<PluginHostContext> host_context_;
  outboxd_host host_{};
  void *state_ = nullptr;
  std::mutex send_mutex_;  // used only when the plugin is not thread-safe
};

}  // namespace outboxd

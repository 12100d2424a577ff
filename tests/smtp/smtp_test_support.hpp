// Helpers for the smtp plugin's tests: a loaded smtp instance, messages that own their strings.
#pragma once

#include <nlohmann/json.hpp>
#include <memory>
#include <string>

#include "core/plugin_call.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/test_message.hpp"

namespace outboxd::test {

inline std::string smtp_plugin_path() { return outboxd_test_plugin_path(OUTBOXD_TEST_PLUGIN_DIR, "smtp"); }

// The plugin loaded through the real loader, as the daemon does; throws PluginLoadError.
inline std::unique_ptr<PluginInstance> smtp_instance(const nlohmann::json &config) {
  return std::make_unique<PluginInstance>(LoadedPlugin::open(smtp_plugin_path()), "mail", config.dump());
}

// A TestMessage for the "mail" destination carrying payload `p`; the id is fixed unless given.
struct SmtpTestMessage : TestMessage {
  explicit SmtpTestMessage(const nlohmann::json &p, std::string message_id = "") {
    id = message_id.empty() ? "0190a0b0-0000-7000-8000-00000000e001" : std::move(message_id);
    destination = "mail";
    payload = p.dump();
    timeout_ms = 10000;
  }
};

// Sends one payload through `instance`.
inline SendResult smtp_send(PluginInstance &instance, const nlohmann::json &payload, const std::string &id = "") {
  return instance.send(SmtpTestMessage(payload, id).view());
}

// A plain-text server config for `port`, with `extra` keys merged in.
inline nlohmann::json smtp_plain_config(int port, const nlohmann::json &extra = nlohmann::json::object()) {
  nlohmann::json c = {{"host", "127.0.0.1"}, {"port", port}, {"tls", "none"}, {"connect_timeout_ms", 3000}};
  c.update(extra);
  return c;
}

}  // namespace outboxd::test

// The built webhook plugin loaded as the daemon loads it, for the tests that send through it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/plugin_call.hpp"
#include "tests/webhook/webhook_test_support.hpp"

namespace outboxd::test {

inline std::unique_ptr<PluginInstance> webhook(const std::string &config_json) {
  return std::make_unique<PluginInstance>(LoadedPlugin::open(webhook_plugin_path()), "hooks", config_json);
}

// A destination for `url` on the loopback receiver, which needs allow_private_networks.
inline std::string local_config(const std::string &url, const std::string &extra = "") {
  return R"({"url": ")" + url + R"(", "allow_private_networks": true)" + extra + "}";
}

inline std::vector<SendResult> send_all(PluginInstance &p, const std::vector<WebhookTestMessage> &msgs) {
  std::vector<outboxd_message> views;
  for (const auto &m : msgs) views.push_back(m.view());
  return p.send_batch(views);
}

}  // namespace outboxd::test

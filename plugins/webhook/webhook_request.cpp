// Builds a webhook request: URL choice, Standard Webhooks headers, the configured extra headers.
#include "webhook_request.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/message_json.hpp"
#include "webhook_signing.hpp"
#include "webhook_ssrf.hpp"

namespace outboxd::webhook {

namespace {

// The message's own URL from its headers JSON: "" when it has none. False when the headers are
// not an object or the value is not a string.
bool message_url(const outboxd_message &msg, std::string &url, std::string &error) {
  const char *text = msg.headers_json != nullptr ? msg.headers_json : "{}";
  const auto headers = plugin_common::parse_message_json(text);  // numbers beyond a double too
  if (headers.is_discarded() || !headers.is_object()) {
    error = "headers: not a JSON object";
    return false;
  }
  const auto it = headers.find(webhook_url_header);
  if (it == headers.end()) return true;
  if (!it->is_string()) {
    error = std::string("headers.") + webhook_url_header + ": must be a string URL, got " + it->type_name();
    return false;
  }
  url = it->get<std::string>();
  return true;
}

}  // namespace

std::string webhook_user_agent() { return std::string("outboxd/") + OUTBOXD_WEBHOOK_VERSION + " webhook"; }

bool webhook_choose_url(const WebhookConfig &config, const outboxd_message &msg, std::string &url,
                        std::string &error) {
  std::string own_url;
  if (!message_url(msg, own_url, error)) return false;
  const std::string own_field = std::string("headers.") + webhook_url_header + ": ";
  std::string host;
  if (!own_url.empty()) {
    std::string why;
    if (!webhook_check_url(own_url, host, why)) {
      error = own_field + why;
      return false;
    }
    if (!webhook_host_allowed(config.allowed_hosts, host)) {
      error = own_field + "host " + host +
              (config.allowed_hosts.empty() ? " refused: this destination sets no allowed_hosts"
                                            : " is not in the destination's allowed_hosts");
      return false;
    }
    url = own_url;
  } else if (!config.url.empty()) {
    std::string why;
    if (!webhook_check_url(config.url, host, why)) {
      error = "url: " + why;
      return false;
    }
    url = config.url;
  } else {
    error = own_field + "no URL: the destination has no url and the message no " + webhook_url_header + " header";
    return false;
  }
  // Through a proxy the connect-time guard sees only the proxy's address, and the proxy resolves
  // the host itself; what can still be checked here is the host's text: an address in any spelling
  // a resolver takes, or a name for this host, with or without a trailing dot.
  if (!config.allow_private_networks && !config.proxy.empty()) {
    const std::string reason = webhook_blocked_host(host);
    if (!reason.empty()) {
      error = (own_url.empty() ? std::string("url: ") : own_field) + "refused to send to " + host +
              " through the proxy: " + reason +
              " is blocked (SSRF protection); set allow_private_networks: true to allow";
      return false;
    }
  }
  return true;
}

bool webhook_build_request(const WebhookConfig &config, const outboxd_message &msg, std::int64_t timestamp,
                           WebhookRequest &request, std::string &error) {
  if (!webhook_choose_url(config, msg, request.url, error)) return false;
  const std::string_view body(msg.payload != nullptr ? msg.payload : "", msg.payload != nullptr ? msg.payload_len : 0);
  auto &h = request.header_lines;
  h.clear();
  h.push_back("Content-Type: application/json");
  h.push_back("Expect:");  // no 100-continue round trip for large bodies
  h.push_back(std::string("webhook-id: ") + msg.id);
  h.push_back("webhook-timestamp: " + std::to_string(timestamp));
  if (!config.signing_keys.empty())
    h.push_back("webhook-signature: " + webhook_signature_header(config.signing_keys, msg.id, timestamp, body));
  for (const auto &[name, value] : config.headers) h.push_back(name + ": " + value);
  return true;
}

}  // namespace outboxd::webhook

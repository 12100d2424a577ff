// The webhook plugin's destination config, parsed and checked from the `config:` JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace outboxd::webhook {

struct WebhookConfig {
  // Where messages go. May be empty when allowed_hosts is set and every message carries its own
  // URL in the webhook-url header.
  std::string url;
  // Hosts a message's own webhook-url header may name: "api.example.com" exactly, or
  // "*.example.com" for any subdomain. Empty: per-message URLs are refused.
  std::vector<std::string> allowed_hosts;
  std::string method = "POST";  // POST, PUT or PATCH
  // Extra request headers, in config order. The Standard Webhooks headers, Content-Type and
  // User-Agent are the plugin's own and cannot be set here.
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded HMAC keys, one per configured secret (never logged). Empty: requests are unsigned.
  std::vector<std::string> signing_keys;
  long connect_timeout_ms = 5000;
  // 0: each request may take the destination's whole timeout_ms.
  long request_timeout_ms = 0;
  int max_concurrent_requests = 16;
  bool tls_verify = true;
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
  std::string proxy;
  bool allow_private_networks = false;
};

// The message header (a key of the message's headers JSON object) that carries a per-message URL.
inline constexpr const char *webhook_url_header = "webhook-url";

// Parses and checks config_json. On failure returns false and sets `error` to "key: reason" or
// "unknown key 'x' (known: ...)". Files named by ca_file, client_cert and client_key must be
// readable. Never throws; secrets never appear in `error`.
bool webhook_parse_config(const char *config_json, WebhookConfig &config, std::string &error) noexcept;

// True when `host` (as in a URL, lower or upper case, IPv6 in brackets) matches one of `patterns`.
bool webhook_host_allowed(const std::vector<std::string> &patterns, const std::string &host);

// Checks an http(s) URL and returns its host (lower case); on failure false with a reason.
bool webhook_check_url(const std::string &url, std::string &host, std::string &error);

}  // namespace outboxd::webhook

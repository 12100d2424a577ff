// Parses the webhook plugin's config: every key checked by name, unknown keys refused.
#include "webhook_config.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/config_map.hpp"
#include "webhook_signing.hpp"

namespace outboxd::webhook {

namespace {

using json = nlohmann::json;

// Headers the plugin writes itself: letting the config set them would break signing or framing.
constexpr const char *webhook_reserved_headers[] = {
    "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
    "user-agent", "host", "transfer-encoding", "expect", "connection"};

using namespace plugin_common;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void fail(const std::string &key, const std::string &reason) { config_fail(key, reason); }

// A row for ca_file, client_cert or client_key: a file the plugin must be able to read now.
ConfigKey<WebhookConfig> readable_file_key(const char *name, std::string WebhookConfig::*field, const char *what) {
  return string_key(name, field, {what, "leave the key out instead", false}, [](const std::string &path) {
    return ::access(path.c_str(), R_OK) == 0 ? std::string() : "cannot read '" + path + "': " + std::strerror(errno);
  });
}

bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

void parse_headers(const json &v, WebhookConfig &config) {
  if (!v.is_object()) fail("headers", std::string("must be a mapping of header names to values, got ") + v.type_name());
  for (const auto &[name, value] : v.items()) {
    const std::string key = "headers." + name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return is_token_char(c); }))
      fail(key, "not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
    for (const char *reserved : webhook_reserved_headers)
      if (lower(name) == reserved) fail(key, "set by the plugin itself; it cannot be configured");
    const std::string &text = config_string(key, value, "the header's value");
    if (text.find_first_of("\r\n") != std::string::npos || text.find('\0') != std::string::npos)
      fail(key, "the value must be one line (no CR, LF or NUL)");
    config.headers.emplace_back(name, text);
  }
}

void parse_secrets(const json &v, WebhookConfig &config) {
  std::vector<std::string> texts;
  if (v.is_string()) {
    texts.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    if (v.empty()) fail("secret", "the list is empty; give at least one whsec_ secret or leave the key out");
    for (const auto &item : v) {
      if (!item.is_string())
        fail("secret[" + std::to_string(texts.size()) + "]", std::string("must be a string, got ") + item.type_name());
      texts.push_back(item.get<std::string>());
    }
  } else {
    fail("secret", std::string("must be a whsec_ string or a list of them (to rotate keys), got ") + v.type_name());
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string key, error;
    if (!webhook_parse_secret(texts[i], key, error))
      fail(v.is_array() ? "secret[" + std::to_string(i) + "]" : "secret", error);
    config.signing_keys.push_back(std::move(key));
  }
}

void parse_allowed_hosts(const json &v, WebhookConfig &config) {
  if (!v.is_array()) fail("allowed_hosts", std::string("must be a list of host names, got ") + v.type_name());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string key = "allowed_hosts[" + std::to_string(i) + "]";
    std::string host = lower(config_string(key, v[i], "a host name such as api.example.com or *.example.com"));
    if (host.empty() || host.find_first_of("/:@?# ") != std::string::npos) {
      const bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
      if (!v6) fail(key, "must be a bare host name (no scheme, port or path), e.g. api.example.com or *.example.com");
    }
    if (host.find('*') != std::string::npos && (host.rfind("*.", 0) != 0 || host.find('*', 1) != std::string::npos))
      fail(key, "a wildcard may only be a leading '*.' (e.g. *.example.com)");
    config.allowed_hosts.push_back(std::move(host));
  }
}

// The one table of keys: accepted keys, their checks and the "known:" list in errors. A function
// so it is built on first use, after webhook_check_url and the other parsers it names.
const ConfigMap<WebhookConfig> &webhook_config_map() {
  static const ConfigMap<WebhookConfig> map = {
      string_key("url", &WebhookConfig::url, {"an http:// or https:// URL", nullptr, false},
                 [](const std::string &url) {
                   std::string host, why;
                   return webhook_check_url(url, host, why) ? std::string() : why;
                 }),
      custom_key<WebhookConfig>("allowed_hosts", parse_allowed_hosts),
      custom_key<WebhookConfig>("method",
                                [](const json &v, WebhookConfig &c) {
                                  c.method = config_string("method", v, "POST, PUT or PATCH");
                                  for (auto &ch : c.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                                  if (c.method != "POST" && c.method != "PUT" && c.method != "PATCH")
                                    fail("method", "must be POST, PUT or PATCH, got '" + v.get<std::string>() + "'");
                                }),
      custom_key<WebhookConfig>("headers", parse_headers),
      custom_key<WebhookConfig>("secret", parse_secrets),
      int_key("connect_timeout_ms", &WebhookConfig::connect_timeout_ms, 1, 600000, "milliseconds"),
      int_key("request_timeout_ms", &WebhookConfig::request_timeout_ms, 1, 600000, "milliseconds"),
      int_key("max_concurrent_requests", &WebhookConfig::max_concurrent_requests, 1, 1000, "requests"),
      bool_key("tls_verify", &WebhookConfig::tls_verify),
      readable_file_key("ca_file", &WebhookConfig::ca_file, "a PEM file of trusted CA certificates"),
      readable_file_key("client_cert", &WebhookConfig::client_cert, "a PEM client certificate file"),
      readable_file_key("client_key", &WebhookConfig::client_key, "a PEM private key file"),
      string_key("proxy", &WebhookConfig::proxy,
                 {"a proxy URL such as http://proxy.internal:3128", "leave the key out for no proxy", false}),
      bool_key("allow_private_networks", &WebhookConfig::allow_private_networks),
  };
  return map;
}

}  // namespace

bool webhook_check_url(const std::string &url, std::string &host, std::string &error) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) return error = "out of memory", false;
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return error = "not a valid absolute URL (e.g. https://api.example.com/hooks)", false;
  char *scheme = nullptr, *h = nullptr;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
  const std::string s = scheme != nullptr ? lower(scheme) : "";
  curl_free(scheme);
  if (s != "http" && s != "https") return error = "the scheme must be http or https, got '" + s + "'", false;
  if (curl_url_get(u.get(), CURLUPART_HOST, &h, 0) != CURLUE_OK || h == nullptr)
    return error = "the URL has no host", false;
  host = lower(h);
  curl_free(h);
  return true;
}

bool webhook_host_allowed(const std::vector<std::string> &patterns, const std::string &host_in) {
  const std::string host = lower(host_in);
  for (const auto &p : patterns) {
    if (p.rfind("*.", 0) == 0) {
      const std::string suffix = p.substr(1);  // ".example.com"
      if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
    } else if (host == p) {
      return true;
    }
  }
  return false;
}

bool webhook_parse_config(const char *config_json, WebhookConfig &config, std::string &error) noexcept {
  return parse_json_config(config_json, error, [&config](const json &root) {
    webhook_config_map().read(root, config);
    if (config.url.empty() && config.allowed_hosts.empty())
      fail("url", "required (or set allowed_hosts and give each message a " + std::string(webhook_url_header) +
                      " header)");
    if (config.client_cert.empty() != config.client_key.empty())
      fail(config.client_cert.empty() ? "client_cert" : "client_key",
           "client_cert and client_key go together (mTLS needs both)");
  });
}

}  // namespace outboxd::webhook

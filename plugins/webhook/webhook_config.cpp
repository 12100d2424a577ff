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

#include "common/config_parse.hpp"
#include "webhook_signing.hpp"

namespace outboxd::webhook {

namespace {

using json = nlohmann::json;

// The one list of keys, so the "known:" text in errors cannot drift from what is accepted.
constexpr const char *webhook_known_keys =
    "url, allowed_hosts, method, headers, secret, connect_timeout_ms, request_timeout_ms, "
    "max_concurrent_requests, tls_verify, ca_file, client_cert, client_key, proxy, "
    "allow_private_networks";

// Headers the plugin writes itself: letting the config set them would break signing or framing.
constexpr const char *webhook_reserved_headers[] = {
    "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
    "user-agent", "host", "transfer-encoding", "expect", "connection"};

using plugin_common::ConfigError;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void fail(const std::string &key, const std::string &reason) { throw ConfigError{key + ": " + reason}; }

const std::string &need_string(const json &v, const std::string &key, const char *what) {
  if (!v.is_string()) fail(key, std::string("must be a string (") + what + "), got " + v.type_name());
  return v.get_ref<const std::string &>();
}

bool need_bool(const json &v, const std::string &key) {
  if (!v.is_boolean()) fail(key, std::string("must be true or false, got ") + v.dump());
  return v.get<bool>();
}

long need_int(const json &v, const std::string &key, long lo, long hi, const char *unit) {
  if (!v.is_number_integer()) fail(key, std::string("must be a whole number of ") + unit + ", got " + v.dump());
  const long long n = v.get<long long>();
  if (n < lo || n > hi)
    fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " " + unit + ", got " +
                  std::to_string(n));
  return static_cast<long>(n);
}

void need_readable_file(const std::string &path, const std::string &key) {
  if (path.empty()) fail(key, "must not be empty (leave the key out instead)");
  if (::access(path.c_str(), R_OK) != 0) fail(key, "cannot read '" + path + "': " + std::strerror(errno));
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
    const std::string &text = need_string(value, key, "the header's value");
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
    std::string host = lower(need_string(v[i], key, "a host name such as api.example.com or *.example.com"));
    if (host.empty() || host.find_first_of("/:@?# ") != std::string::npos) {
      const bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
      if (!v6) fail(key, "must be a bare host name (no scheme, port or path), e.g. api.example.com or *.example.com");
    }
    if (host.find('*') != std::string::npos && (host.rfind("*.", 0) != 0 || host.find('*', 1) != std::string::npos))
      fail(key, "a wildcard may only be a leading '*.' (e.g. *.example.com)");
    config.allowed_hosts.push_back(std::move(host));
  }
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
  return plugin_common::parse_json_config(config_json, error, [&config](const json &root) {
    if (!root.is_object()) throw ConfigError{std::string("config must be a JSON object, got ") + root.type_name()};
    for (const auto &[key, v] : root.items()) {
      if (key == "url") {
        config.url = need_string(v, key, "an http:// or https:// URL");
        std::string host, why;
        if (!webhook_check_url(config.url, host, why)) fail(key, why);
      } else if (key == "allowed_hosts") {
        parse_allowed_hosts(v, config);
      } else if (key == "method") {
        config.method = need_string(v, key, "POST, PUT or PATCH");
        for (auto &c : config.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (config.method != "POST" && config.method != "PUT" && config.method != "PATCH")
          fail(key, "must be POST, PUT or PATCH, got '" + v.get<std::string>() + "'");
      } else if (key == "headers") {
        parse_headers(v, config);
      } else if (key == "secret") {
        parse_secrets(v, config);
      } else if (key == "connect_timeout_ms") {
        config.connect_timeout_ms = need_int(v, key, 1, 600000, "milliseconds");
      } else if (key == "request_timeout_ms") {
        config.request_timeout_ms = need_int(v, key, 1, 600000, "milliseconds");
      } else if (key == "max_concurrent_requests") {
        config.max_concurrent_requests = static_cast<int>(need_int(v, key, 1, 1000, "requests"));
      } else if (key == "tls_verify") {
        config.tls_verify = need_bool(v, key);
      } else if (key == "ca_file") {
        config.ca_file = need_string(v, key, "a PEM file of trusted CA certificates");
        need_readable_file(config.ca_file, key);
      } else if (key == "client_cert") {
        config.client_cert = need_string(v, key, "a PEM client certificate file");
        need_readable_file(config.client_cert, key);
      } else if (key == "client_key") {
        config.client_key = need_string(v, key, "a PEM private key file");
        need_readable_file(config.client_key, key);
      } else if (key == "proxy") {
        config.proxy = need_string(v, key, "a proxy URL such as http://proxy.internal:3128");
        if (config.proxy.empty()) fail(key, "must not be empty (leave the key out for no proxy)");
      } else if (key == "allow_private_networks") {
        config.allow_private_networks = need_bool(v, key);
      } else {
        throw ConfigError{"unknown key '" + key + "' (known: " + webhook_known_keys + ")"};
      }
    }
    if (config.url.empty() && config.allowed_hosts.empty())
      fail("url", "required (or set allowed_hosts and give each message a " + std::string(webhook_url_header) +
                      " header)");
    if (config.client_cert.empty() != config.client_key.empty())
      fail(config.client_cert.empty() ? "client_cert" : "client_key",
           "client_cert and client_key go together (mTLS needs both)");
  });
}

}  // namespace outboxd::webhook

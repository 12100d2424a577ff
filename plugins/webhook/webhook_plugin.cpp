// The webhook plugin's ABI glue: init/send/send_batch/shutdown around one WebhookSender each.
//
// Signed (Standard Webhooks), concurrent HTTP delivery with SSRF protection; every key is in
// docs/plugin-webhook.md. Thread-safe: workers may call one instance at once, each with its own
// curl session taken from the instance's pool.
#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "common/error_text.hpp"
#include "outboxd/plugin.h"
#include "webhook_config.hpp"
#include "webhook_request.hpp"
#include "webhook_sender.hpp"

namespace outboxd::webhook {

namespace {

using plugin_common::write_error;

// curl_global_init is not safe to race with other curl use, so it runs once, from the first
// init() (the daemon calls init() before any send()); curl_global_cleanup never runs, as other
// code in the process may still use curl.
bool webhook_global_init(std::string &error) {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) error = std::string("curl_global_init failed: ") + curl_easy_strerror(rc);
  return rc == CURLE_OK;
}

std::string webhook_describe(const WebhookConfig &c) {
  std::string host;
  std::string where = c.url.empty() ? std::string("per-message URLs only") : "";
  if (!c.url.empty()) {
    std::string ignored;
    webhook_check_url(c.url, host, ignored);
    where = "POST to " + host;
    if (c.method != "POST") where = c.method + " to " + host;
  }
  return where + "; " + std::to_string(c.signing_keys.size()) + " signing secret(s); up to " +
         std::to_string(c.max_concurrent_requests) + " requests at once; TLS verification " +
         (c.tls_verify ? "on" : "OFF") + (c.proxy.empty() ? "" : "; through a proxy") +
         (c.allow_private_networks ? "; private networks allowed" : "");
}

int webhook_init(const outboxd_host *host, const char *config_json, void **state, char *error,
                 std::size_t error_cap) noexcept {
  *state = nullptr;
  try {
    WebhookConfig config;
    std::string message;
    if (!webhook_parse_config(config_json, config, message) || !webhook_global_init(message)) {
      write_error(error, error_cap, message);
      return 1;
    }
    WebhookSender::Log log = [host](int level, const std::string &text) {
      if (host != nullptr && host->log != nullptr) host->log(host->ctx, level, text.c_str());
    };
    if (config.signing_keys.empty())
      log(OUTBOXD_LOG_WARN, "no secret configured: requests are not signed (webhook-signature is left out)");
    if (!config.tls_verify) log(OUTBOXD_LOG_WARN, "tls_verify is false: HTTPS certificates are not checked");
    log(OUTBOXD_LOG_INFO, webhook_describe(config));
    *state = new WebhookSender(std::move(config), std::move(log));
    return 0;
  } catch (const std::exception &e) {
    write_error(error, error_cap, std::string("init failed: ") + e.what());
  } catch (...) {
    write_error(error, error_cap, "init failed: unknown exception");
  }
  return 1;
}

void webhook_send_batch(void *state, const outboxd_message *const *msgs, outboxd_result *const *results, std::size_t count) noexcept {
  static_cast<WebhookSender *>(state)->send_batch(msgs, results, count);
}

void webhook_send(void *state, const outboxd_message *msg, outboxd_result *result) noexcept {
  static_cast<WebhookSender *>(state)->send_batch(&msg, &result, 1);
}

// validate(): the URL rules send() applies (allowed_hosts, a literal private address through a
// proxy); pure, no DNS, so a host name's addresses are still only judged when sending.
int webhook_validate(void *state, const outboxd_message *msg, char *error, std::size_t error_cap) noexcept {
  try {
    std::string url, why;
    if (webhook_choose_url(static_cast<const WebhookSender *>(state)->config(), *msg, url, why)) return 0;
    write_error(error, error_cap, why);
    return 1;
  } catch (...) {
    return 0;  // cannot tell (out of memory); send() will judge
  }
}

void webhook_shutdown(void *state) noexcept { delete static_cast<WebhookSender *>(state); }

constexpr outboxd_plugin webhook_table = {
    OUTBOXD_PLUGIN_ABI_VERSION,
    sizeof(outboxd_plugin),
    "webhook",
    OUTBOXD_WEBHOOK_VERSION,
    OUTBOXD_PLUGIN_THREAD_SAFE,
    &webhook_init,
    &webhook_send,
    &webhook_shutdown,
    &webhook_send_batch,
    &webhook_validate,
};

}  // namespace

}  // namespace outboxd::webhook

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) {
  return &outboxd::webhook::webhook_table;
}

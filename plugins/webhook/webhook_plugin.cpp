// The webhook plugin's ABI glue: init/send/send_batch/shutdown around one WebhookSender each.
//
// Signed (Standard Webhooks), concurrent HTTP delivery with SSRF protection; every key is in
// docs/plugin-webhook.md. Thread-safe: workers may call one instance at once, each with its own
// curl session taken from the instance's pool.
#include <memory>
#include <string>

#include "common/curl_global.hpp"
#include "common/plugin_glue.hpp"
#include "outboxd/plugin.h"
#include "webhook_config.hpp"
#include "webhook_request.hpp"
#include "webhook_sender.hpp"

namespace outboxd::webhook {

namespace {

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
  return plugin_common::guarded_init(state, error, error_cap, [&](std::string &message) {
    WebhookConfig config;
    if (!webhook_parse_config(config_json, config, message) || !plugin_common::curl_global_ready(message))
      return false;
    WebhookSender::Log log = plugin_common::host_log(host);
    if (config.signing_keys.empty())
      log(OUTBOXD_LOG_WARN, "no secret configured: requests are not signed (webhook-signature is left out)");
    if (!config.tls_verify) log(OUTBOXD_LOG_WARN, "tls_verify is false: HTTPS certificates are not checked");
    log(OUTBOXD_LOG_INFO, webhook_describe(config));
    *state = new WebhookSender(std::move(config), std::move(log));
    return true;
  });
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
  return plugin_common::guarded_validate(error, error_cap, [&] {
    std::string url, why;
    return webhook_choose_url(static_cast<const WebhookSender *>(state)->config(), *msg, url, why) ? std::string() : why;
  });
}

void webhook_shutdown(void *state) noexcept { plugin_common::guarded_delete<WebhookSender>(state); }

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

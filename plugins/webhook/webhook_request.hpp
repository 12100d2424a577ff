// Builds one webhook request from a message: its URL (configured or per-message) and its headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "outboxd/plugin.h"
#include "webhook_config.hpp"

namespace outboxd::webhook {

struct WebhookRequest {
  std::string url;
  std::vector<std::string> header_lines;  // "Name: value", ready for CURLOPT_HTTPHEADER
};

// The User-Agent every request carries: "outboxd/<version> webhook".
std::string webhook_user_agent();

// Where `msg` goes: its webhook-url header when it has one (its host must match allowed_hosts),
// else the configured url. Returns false with `error` ("headers.webhook-url: host x is not in the
// destination's allowed_hosts") when the message can never be sent as it is (a PERMANENT failure):
// a disallowed or malformed per-message URL, headers that are not a JSON object, no URL at all, or,
// when a proxy is set and allow_private_networks is not, a URL naming a private address or
// localhost (without a proxy, the connect-time guard judges the resolved address instead). Pure:
// no DNS, no I/O, so validate() uses it as it is.
bool webhook_choose_url(const WebhookConfig &config, const outboxd_message &msg, std::string &url,
                        std::string &error);

// Builds the request for `msg`, signed at `timestamp` (Unix seconds), to webhook_choose_url's URL;
// false with its error when there is none.
bool webhook_build_request(const WebhookConfig &config, const outboxd_message &msg, std::int64_t timestamp,
                           WebhookRequest &request, std::string &error);

}  // namespace outboxd::webhook

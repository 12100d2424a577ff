// Standard Webhooks signing: whsec_ secrets and the v1 HMAC-SHA256 signature header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace outboxd::webhook {

// "whsec_<base64>" -> the raw HMAC key. On failure returns false and sets `error` to a reason
// that never repeats the secret itself.
bool webhook_parse_secret(std::string_view secret, std::string &key, std::string &error);

// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
std::string webhook_sign_v1(const std::string &key, std::string_view id, std::int64_t timestamp,
                            std::string_view body);

// The webhook-signature header value: one v1 signature per key, space-separated, in key order.
std::string webhook_signature_header(const std::vector<std::string> &keys, std::string_view id,
                                     std::int64_t timestamp, std::string_view body);

}  // namespace outboxd::webhook

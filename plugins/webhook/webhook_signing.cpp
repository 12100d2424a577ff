// Standard Webhooks signatures: base64 of HMAC-SHA256 over "id.timestamp.body", keyed per secret.
#include "webhook_signing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "common/base64.hpp"

namespace outboxd::webhook {

namespace {

constexpr std::string_view webhook_secret_prefix = "whsec_";

}  // namespace

bool webhook_parse_secret(std::string_view secret, std::string &key, std::string &error) {
  if (secret.substr(0, webhook_secret_prefix.size()) != webhook_secret_prefix) {
    error = "must be a Standard Webhooks secret: whsec_ followed by base64 (e.g. whsec_" +
            std::string("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)");
    return false;
  }
  const std::string_view encoded = secret.substr(webhook_secret_prefix.size());
  auto decoded = plugin_common::base64_decode(encoded, plugin_common::Base64Padding::ignored);
  if (!decoded) {
    error = "the part after whsec_ is not valid base64";
    return false;
  }
  key = std::move(*decoded);
  if (key.size() < 16) {
    error = "the key after whsec_ decodes to " + std::to_string(key.size()) +
            " bytes; use at least 16 (24 to 64 random bytes is usual)";
    return false;
  }
  return true;
}

std::string webhook_sign_v1(const std::string &key, std::string_view id, std::int64_t timestamp,
                            std::string_view body) {
  std::string signed_text;
  signed_text.reserve(id.size() + body.size() + 24);
  signed_text.append(id);
  signed_text += '.';
  signed_text += std::to_string(timestamp);
  signed_text += '.';
  signed_text.append(body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char *>(signed_text.data()), signed_text.size(), mac.data(),
           &mac_len) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  return "v1," + plugin_common::base64_encode(std::string_view(reinterpret_cast<const char *>(mac.data()), mac_len));
}

std::string webhook_signature_header(const std::vector<std::string> &keys, std::string_view id,
                                     std::int64_t timestamp, std::string_view body) {
  std::string out;
  for (const auto &key : keys) {
    if (!out.empty()) out += ' ';
    out += webhook_sign_v1(key, id, timestamp, body);
  }
  return out;
}

}  // namespace outboxd::webhook

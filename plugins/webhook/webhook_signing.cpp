// Standard Webhooks signatures: base64 of HMAC-SHA256 over "id.timestamp.body", keyed per secret.
#include "webhook_signing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace outboxd::webhook {

namespace {

constexpr char webhook_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int webhook_b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

constexpr std::string_view webhook_secret_prefix = "whsec_";

}  // namespace

std::string webhook_base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                            (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += webhook_b64_alphabet[(v >> 18) & 63];
    out += webhook_b64_alphabet[(v >> 12) & 63];
    out += webhook_b64_alphabet[(v >> 6) & 63];
    out += webhook_b64_alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += webhook_b64_alphabet[(v >> 18) & 63];
    out += webhook_b64_alphabet[(v >> 12) & 63];
    out += rest == 2 ? webhook_b64_alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool webhook_base64_decode(std::string_view text, std::string &bytes) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;  // no number of bytes encodes to 4n+1 characters
  bytes.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = webhook_b64_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += char((acc >> bits) & 0xff);
    }
  }
  return true;
}

bool webhook_parse_secret(std::string_view secret, std::string &key, std::string &error) {
  if (secret.substr(0, webhook_secret_prefix.size()) != webhook_secret_prefix) {
    error = "must be a Standard Webhooks secret: whsec_ followed by base64 (e.g. whsec_" +
            std::string("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)");
    return false;
  }
  const std::string_view encoded = secret.substr(webhook_secret_prefix.size());
  if (!webhook_base64_decode(encoded, key)) {
    error = "the part after whsec_ is not valid base64";
    return false;
  }
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
  return "v1," + webhook_base64_encode(std::string_view(reinterpret_cast<const char *>(mac.data()), mac_len));
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

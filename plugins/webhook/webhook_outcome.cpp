// Classifies webhook answers and transfer errors, and reads Retry-After.
#include "webhook_outcome.hpp"

#include <cctype>
#include <limits>

namespace outboxd::webhook {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool retryable_status(long status) {
  return status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

std::int64_t webhook_parse_retry_after(std::string_view value, std::time_t now) {
  const std::string v = trim(value);
  if (v.empty()) return -1;
  if (v.find_first_not_of("0123456789") == std::string::npos) {
    if (v.size() > 12) return std::numeric_limits<std::int64_t>::max() / 2;  // absurd; the daemon caps it
    return static_cast<std::int64_t>(std::stoll(v)) * 1000;
  }
  // curl_getdate reads the three HTTP date formats RFC 9110 allows (and a few more).
  const std::time_t when = curl_getdate(v.c_str(), nullptr);
  if (when == -1) return -1;
  return when <= now ? 0 : static_cast<std::int64_t>(when - now) * 1000;
}

std::string webhook_body_excerpt(std::string_view body, std::size_t max) {
  // The text lands in a PostgreSQL text column, which refuses invalid UTF-8 and NUL: a receiver
  // answering with binary junk must not make the outcome unwritable.
  std::string out;
  bool space = false, cut = false;
  std::size_t i = 0;
  while (i < body.size()) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      ++i;
      continue;
    }
    std::size_t len = 1;
    if (c >= 0x80) {
      len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
      bool valid = len != 0 && i + len <= body.size() && c != 0xc0 && c != 0xc1 && c <= 0xf4;
      for (std::size_t k = 1; valid && k < len; ++k)
        valid = (static_cast<unsigned char>(body[i + k]) & 0xc0) == 0x80;
      if (!valid) len = 0;
    }
    const std::size_t need = (space ? 1 : 0) + (len == 0 ? 1 : len);
    if (out.size() + need > max) {
      cut = true;
      break;
    }
    if (space) out += ' ';
    space = false;
    if (len == 0) {
      out += '?';  // an invalid byte
      ++i;
    } else {
      out.append(body.substr(i, len));
      i += len;
    }
  }
  if (cut) out += "...";
  return out;
}

Verdict webhook_classify_http(const HttpAnswer &answer, std::time_t now) {
  Verdict v;
  if (answer.status >= 200 && answer.status <= 299) return v;
  const std::string excerpt = webhook_body_excerpt(answer.body_start);
  v.error = "HTTP " + std::to_string(answer.status) + (excerpt.empty() ? "" : ": " + excerpt);
  if (retryable_status(answer.status)) {
    v.status = OUTBOXD_RETRY;
    v.retry_after_ms = webhook_parse_retry_after(answer.retry_after, now);
    if (v.retry_after_ms >= webhook_min_retry_after_ms) {
      v.error += " (Retry-After: " + trim(answer.retry_after) + ")";
    } else if (v.retry_after_ms >= 0) {
      v.retry_after_ms = -1;
      v.error += " (Retry-After: " + webhook_body_excerpt(trim(answer.retry_after), 40) +
                 ", under 1 s: the destination's backoff applies)";
    }
    return v;
  }
  v.status = OUTBOXD_PERMANENT;
  if (answer.status >= 300 && answer.status <= 399)
    v.error += " (redirect to " + (answer.location.empty() ? std::string("?") : webhook_body_excerpt(answer.location)) +
               " not followed: redirects are never followed; set url to the final address)";
  return v;
}

Verdict webhook_classify_finished(CURLcode code, const HttpAnswer &answer, const GuardRecord &guard,
                                  std::string_view curl_message, long timeout_ms, std::time_t now) {
  if (code == CURLE_OK) return webhook_classify_http(answer, now);
  if (!guard.refused.empty() && guard.allowed_connects == 0) {
    Verdict v;
    v.status = OUTBOXD_PERMANENT;
    v.error = "refused to connect to " + guard.refused +
              ": loopback, private, link-local, this host's own and other addresses that are not "
              "globally reachable are blocked (SSRF protection); set allow_private_networks: true to allow";
    return v;
  }
  Verdict v = webhook_classify_transfer(code, curl_message, timeout_ms);
  if (!guard.refused.empty()) v.error += " (the SSRF guard refused " + guard.refused + ")";
  return v;
}

Verdict webhook_classify_transfer(CURLcode code, std::string_view curl_message, long timeout_ms) {
  Verdict v;
  const std::string detail = webhook_body_excerpt(curl_message.empty() ? curl_easy_strerror(code) : curl_message, 300);
  switch (code) {
    case CURLE_OK:
      return v;
    case CURLE_OPERATION_TIMEDOUT:
      v.status = OUTBOXD_RETRY;
      v.error = "timed out after " + std::to_string(timeout_ms) + " ms: " + detail;
      return v;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      v.status = OUTBOXD_PERMANENT;
      v.error = "bad URL: " + detail;
      return v;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      v.status = OUTBOXD_RETRY;
      v.error = "DNS lookup failed: " + detail;
      return v;
    case CURLE_COULDNT_CONNECT:
      v.status = OUTBOXD_RETRY;
      v.error = "connection failed: " + detail;
      return v;
    default:
      // Send/receive errors, an empty reply, TLS handshake or certificate problems: all can be
      // fixed without touching the message (receiver back up, certificate renewed, config
      // reloaded), so the message waits rather than dies.
      v.status = OUTBOXD_RETRY;
      v.error = std::string("transfer failed (curl error ") + std::to_string(static_cast<int>(code)) + "): " + detail;
      return v;
  }
}

}  // namespace outboxd::webhook

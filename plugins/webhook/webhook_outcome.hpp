// Turns an HTTP answer or a transfer error into OK / RETRY / PERMANENT with a one-line reason.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "outboxd/plugin.h"

namespace outboxd::webhook {

struct Verdict {
  outboxd_status status = OUTBOXD_OK;
  std::int64_t retry_after_ms = -1;  // RETRY only; -1 lets the daemon's backoff decide
  std::string error;                 // empty for OK
};

// What came back from the receiver.
struct HttpAnswer {
  long status = 0;
  std::string retry_after;  // the Retry-After header's value, "" when absent
  std::string location;     // the Location header's value (redirects), "" when absent
  std::string body_start;   // the first bytes of the response body
};

// What the SSRF guard did for one request: the addresses it refused ("10.0.0.7 (private
// (10.0.0.0/8)), ..." or "") and how many connections to allowed addresses it let curl open.
struct GuardRecord {
  std::string refused;
  int allowed_connects = 0;
};

// How many bytes of a response body the plugin keeps for the error history.
inline constexpr std::size_t webhook_body_excerpt_bytes = 200;

// 2xx OK; 408, 425, 429 and 5xx RETRY (with Retry-After when given, and at least
// webhook_min_retry_after_ms); 3xx PERMANENT (redirects are
// never followed); every other status PERMANENT. The error reads "HTTP 503: <body excerpt>".
Verdict webhook_classify_http(const HttpAnswer &answer, std::time_t now);

// A transfer that ended without an HTTP answer. `curl_message` is curl's error buffer (may be empty),
// `timeout_ms` the budget the request had. Timeouts, DNS, connection and TLS errors RETRY (they can
// go away, and a message must not die of an outage); a malformed or unsupported URL is PERMANENT.
Verdict webhook_classify_transfer(CURLcode code, std::string_view curl_message, long timeout_ms);

// The outcome of a request curl is done with, following the request that was actually made: an
// answer (code CURLE_OK) is classified as an answer even when the guard refused other addresses of
// the name; a transfer error is classified as one when curl connected (or tried to) anywhere the
// guard allowed, naming the refused addresses too; only a request whose every address was refused
// is PERMANENT for the guard ("refused to connect to ...").
Verdict webhook_classify_finished(CURLcode code, const HttpAnswer &answer, const GuardRecord &guard,
                                  std::string_view curl_message, long timeout_ms, std::time_t now);

// The shortest Retry-After the plugin passes on. Shorter ones (0, a date in the past) are read as
// no Retry-After at all: the daemon's own backoff for the destination (attempt^4 seconds, at least
// 1 s on the first retry, capped by max_backoff) decides, so a receiver answering "Retry-After: 0"
// cannot make the attempts run out within a second.
inline constexpr std::int64_t webhook_min_retry_after_ms = 1000;

// A Retry-After value in milliseconds from `now`: delay-seconds or an HTTP date (IMF-fixdate,
// RFC 850 or asctime). A date in the past gives 0. -1 when empty or unreadable.
std::int64_t webhook_parse_retry_after(std::string_view value, std::time_t now);

// At most `max` bytes of `body` as one printable line: control characters become spaces, runs of
// whitespace collapse, a cut is marked with "...", and bytes that are not valid UTF-8 become "?".
std::string webhook_body_excerpt(std::string_view body, std::size_t max = webhook_body_excerpt_bytes);

}  // namespace outboxd::webhook

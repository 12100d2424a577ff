// What the plugins that use libcurl (webhook, smtp) ask of the libcurl they run with, which is the
// system's: the packages carry no libcurl of their own (docs/packaging.md, "What the packages
// require"), so it may be older than the headers they were built with (RHEL 9 ships 7.76), or a
// build without some protocols (Fedora's and RHEL's libcurl-minimal has no SMTP).
#pragma once

#include <curl/curl.h>

#include <cstring>

namespace outboxd::plugin_common {

// Allows the transfer only the protocols named (`names`, as "http,https") or, to a libcurl before
// 7.85 that does not know CURLOPT_PROTOCOLS_STR, the same ones as the bitmask (`mask`, as
// CURLPROTO_HTTP | CURLPROTO_HTTPS) of the option it replaced. Either way the transfer is
// restricted; an error of either is the caller's to report.
inline CURLcode restrict_curl_protocols_by_mask(CURL *curl, long mask) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // deprecated since 7.85, used for older ones
  return curl_easy_setopt(curl, CURLOPT_PROTOCOLS, mask);
#pragma GCC diagnostic pop
}

inline CURLcode restrict_curl_protocols(CURL *curl, const char *names, long mask) {
  const CURLcode rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, names);
  return rc == CURLE_UNKNOWN_OPTION ? restrict_curl_protocols_by_mask(curl, mask) : rc;
}

// Whether this process's libcurl was built with `protocol` ("smtp", "smtps", "https").
inline bool curl_speaks(const char *protocol) {
  const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
  if (info == nullptr || info->protocols == nullptr) return false;
  for (const char *const *p = info->protocols; *p != nullptr; ++p)
    if (std::strcmp(*p, protocol) == 0) return true;
  return false;
}

// The version of this process's libcurl, for messages ("7.76.1").
inline const char *curl_runtime_version() {
  const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
  return info != nullptr && info->version != nullptr ? info->version : "unknown";
}

}  // namespace outboxd::plugin_common

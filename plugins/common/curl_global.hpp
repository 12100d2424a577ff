// The one rule for libcurl's global state in a plugin that uses curl (webhook, smtp):
// curl_global_init runs once per plugin module, from its first init(), and curl_global_cleanup
// never runs.
//
// Why: curl_global_init is not thread-safe before libcurl 7.84 (it may race with any other curl
// call), and the daemon calls init() from one thread before any send(), so the first init() is the
// one moment nothing else in this module uses curl. Another module in the process (the other curl
// plugin, or the daemon's own libraries) may share the same libcurl, so cleaning up when one
// instance or plugin goes away could pull the ground from under the others; the process's exit
// frees it instead.
#pragma once

#include <curl/curl.h>

#include <mutex>
#include <string>

namespace outboxd::plugin_common {

// True once libcurl is initialised for this module; false with `error` saying why it failed.
inline bool curl_global_ready(std::string &error) {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) error = std::string("curl_global_init failed: ") + curl_easy_strerror(rc);
  return rc == CURLE_OK;
}

}  // namespace outboxd::plugin_common

// The one place a C++ plugin turns exceptions into the C ABI's error returns (plugin.h: nothing may
// throw across the boundary). Each callback of a plugin's table wraps its body in one of these, so
// the try/catch ladder is written once instead of once per plugin and callback.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <string>

#include "common/error_text.hpp"
#include "outboxd/plugin.h"

namespace outboxd::plugin_common {

// init(): `body(error_line)` returns true on success (having stored the instance in *state) or
// false with error_line saying "key: reason". An exception becomes "init failed: <what>". The
// instance stays NULL until body stores it, so shutdown() gets NULL after any early failure.
template <class Body>
int guarded_init(void **state, char *error, std::size_t error_cap, Body &&body) noexcept {
  *state = nullptr;
  try {
    std::string line;
    if (body(line)) return 0;
    write_error(error, error_cap, line);
  } catch (const std::exception &e) {
    write_error(error, error_cap, std::string("init failed: ") + e.what());
  } catch (...) {
    write_error(error, error_cap, "init failed: unknown exception");
  }
  return 1;
}

// send(): an exception leaves the message to be retried, saying "<plugin>: <what>" (the failure
// may be passing, e.g. out of memory; nothing says the message itself is bad).
template <class Body>
void guarded_send(const char *plugin, outboxd_result *result, Body &&body) noexcept {
  try {
    body();
  } catch (const std::exception &e) {
    result->status = OUTBOXD_RETRY;
    write_result_error(*result, std::string(plugin) + ": " + e.what());
  } catch (...) {
    result->status = OUTBOXD_RETRY;
    write_result_error(*result, std::string(plugin) + ": unknown exception");
  }
}

// validate(): `body()` returns the refusal line, "" when the message could be sent. An exception
// (out of memory) means the plugin cannot tell, so the message is let through and send() judges.
template <class Body>
int guarded_validate(char *error, std::size_t error_cap, Body &&body) noexcept {
  try {
    const std::string why = body();
    if (why.empty()) return 0;
    write_error(error, error_cap, why);
    return 1;
  } catch (...) {
    return 0;
  }
}

// shutdown(): deletes the instance; a throwing destructor must not cross the boundary.
template <class State>
void guarded_delete(void *state) noexcept {
  try {
    delete static_cast<State *>(state);
  } catch (...) {
  }
}

// The host's log as a callable for plugin code; a NULL host or log drops the line.
using HostLog = std::function<void(int level, const std::string &line)>;
inline HostLog host_log(const outboxd_host *host) {
  return [host](int level, const std::string &line) {
    if (host != nullptr && host->log != nullptr) host->log(host->ctx, level, line.c_str());
  };
}

}  // namespace outboxd::plugin_common

// The log plugin's ABI glue: writes every message as one JSON line to a file or stdout.
//
// Config: {"path": "/var/log/outboxd/messages.jsonl"} — appended to, one line per send, each line
// written whole. Leave path out (or use "-") for stdout. Meant for demos and tests: it never fails
// a message except when the write itself fails (RETRY). Thread-safe.
#include <cstdio>
#include <memory>
#include <string>

#include "log_config.hpp"
#include "log_writer.hpp"
#include "common/plugin_glue.hpp"
#include "outboxd/plugin.h"

namespace outboxd::log_plugin {

namespace {

// One configured destination.
struct LogState {
  LogWriter writer;
};

using plugin_common::guarded_init;
using plugin_common::guarded_send;

int log_init(const outboxd_host * /*host*/, const char *config_json, void **state, char *error,
             std::size_t error_cap) noexcept {
  return guarded_init(state, error, error_cap, [&](std::string &message) {
    LogConfig config;
    if (!log_parse_config(config_json, config, message)) return false;
    auto instance = std::make_unique<LogState>();
    if (!instance->writer.open(config.path, message)) return false;
    *state = instance.release();
    return true;
  });
}

void log_send(void *state, const outboxd_message *msg, outboxd_result *result) noexcept {
  guarded_send("log", result, [&] {
    std::string message;
    if (!static_cast<LogState *>(state)->writer.write_line(log_format_line(*msg), message)) {
      result->status = OUTBOXD_RETRY;
      plugin_common::write_result_error(*result, message);
    }
  });
}

void log_shutdown(void *state) noexcept { plugin_common::guarded_delete<LogState>(state); }

constexpr outboxd_plugin log_table = {
    OUTBOXD_PLUGIN_ABI_VERSION,
    sizeof(outboxd_plugin),
    "log",
    "1.0.0",
    OUTBOXD_PLUGIN_THREAD_SAFE,
    &log_init,
    &log_send,
    &log_shutdown,
    nullptr,  // send_batch: one line per send() is as cheap as it gets
    nullptr,  // validate: any message can be written as a line
};

}  // namespace

}  // namespace outboxd::log_plugin

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) {
  return &outboxd::log_plugin::log_table;
}

// The asynq plugin's ABI glue: forwards outbox messages into Redis as asynq tasks (or stream
// entries), a whole batch per round trip. See docs/plugin-asynq.md.
//
// Thread-safe: each concurrent call takes its own connection from the instance's pool, so several
// workers forward at once and a connection is never shared. Schedules ahead: a message due later
// goes to asynq's scheduled set at once (mode stream waits for the due time instead).
#include <memory>
#include <string>

#include "asynq_config.hpp"
#include "forwarder.hpp"
#include "task_builder.hpp"
#include "common/plugin_glue.hpp"
#include "outboxd/plugin.h"

namespace outboxd::asynq {

namespace {

int asynq_init(const outboxd_host *host, const char *config_json, void **state, char *error,
               std::size_t error_cap) noexcept {
  return plugin_common::guarded_init(state, error, error_cap, [&](std::string &message) {
    AsynqConfig config;
    if (!parse_config(config_json, config, message)) return false;
    auto forwarder = std::make_unique<Forwarder>(std::move(config), plugin_common::host_log(host));
    // Connect once now so a wrong address shows in the log at start; an unreachable Redis is not
    // an error (it may start later): messages wait in the outbox and are retried.
    forwarder->probe();
    *state = forwarder.release();
    return true;
  });
}

void asynq_send_batch(void *state, const outboxd_message *const *msgs, outboxd_result *const *results,
                      std::size_t count) noexcept {
  static_cast<Forwarder *>(state)->forward(msgs, results, count);  // forward() never throws
}

void asynq_send(void *state, const outboxd_message *msg, outboxd_result *result) noexcept {
  asynq_send_batch(state, &msg, &result, 1);
}

// validate(): what build_call refuses for good (the task type and its header), without Redis.
int asynq_validate(void *state, const outboxd_message *msg, char *error, std::size_t error_cap) noexcept {
  return plugin_common::guarded_validate(error, error_cap, [&] {
    return task_refusal(static_cast<const Forwarder *>(state)->config(), *msg);
  });
}

void asynq_shutdown(void *state) noexcept { plugin_common::guarded_delete<Forwarder>(state); }

constexpr outboxd_plugin asynq_table = {
    OUTBOXD_PLUGIN_ABI_VERSION,
    sizeof(outboxd_plugin),
    "asynq",
    "1.0.0",
    OUTBOXD_PLUGIN_THREAD_SAFE | OUTBOXD_PLUGIN_SCHEDULES_AHEAD,
    &asynq_init,
    &asynq_send,
    &asynq_shutdown,
    &asynq_send_batch,
    &asynq_validate,
};

}  // namespace

}  // namespace outboxd::asynq

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) {
  return &outboxd::asynq::asynq_table;
}

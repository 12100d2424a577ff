// The null plugin: accepts every message at once and does nothing. Used by the benchmark to measure
// the daemon alone, so send() is as cheap as a function call can be. Config must be {}.
// Thread-safe.
#include <string>

#include "common/config_map.hpp"
#include "common/plugin_glue.hpp"
#include "outboxd/plugin.h"

namespace outboxd::null_plugin {

namespace {

// The instance has nothing to hold; init hands out this address so state is never NULL.
char null_state_token;

struct NullConfig {};

// The null plugin takes no keys; anything in the object is a mistake worth reporting.
const plugin_common::ConfigMap<NullConfig> null_config_map = {};

int null_init(const outboxd_host * /*host*/, const char *config_json, void **state, char *error,
              std::size_t error_cap) noexcept {
  return plugin_common::guarded_init(state, error, error_cap, [&](std::string &message) {
    NullConfig config;
    if (!plugin_common::parse_json_config(config_json, message, [&](const nlohmann::json &root) {
          null_config_map.read(root, config);
        }))
      return false;
    *state = &null_state_token;
    return true;
  });
}

// The host has already reset the result to OK; there is nothing to add.
void null_send(void * /*state*/, const outboxd_message * /*msg*/,
               outboxd_result * /*result*/) noexcept {}

void null_shutdown(void * /*state*/) noexcept {}

constexpr outboxd_plugin null_table = {
    OUTBOXD_PLUGIN_ABI_VERSION,
    sizeof(outboxd_plugin),
    "null",
    "1.0.0",
    OUTBOXD_PLUGIN_THREAD_SAFE,
    &null_init,
    &null_send,
    &null_shutdown,
    nullptr,
    nullptr,  // validate: accepts everything
};

}  // namespace

}  // namespace outboxd::null_plugin

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) {
  return &outboxd::null_plugin::null_table;
}

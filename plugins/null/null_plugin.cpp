// The null plugin: accepts every message at once and does nothing. Used by the benchmark to measure
// the daemon alone, so send() is as cheap as a function call can be. Config must be {}.
// Thread-safe.
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error_text.hpp"
#include "outboxd/plugin.h"

namespace outboxd::null_plugin {

namespace {

// The instance has nothing to hold; init hands out this address so state is never NULL.
char null_state_token;

using plugin_common::write_error;

// The null plugin takes no keys; anything in the object is a mistake worth reporting.
bool null_parse_config(const char *config_json, std::string &error) {
  const auto json = nlohmann::json::parse(config_json != nullptr ? config_json : "{}");
  if (!json.is_object()) {
    error = std::string("config must be a JSON object, got ") + json.type_name();
    return false;
  }
  if (!json.empty()) {
    error =
        "unknown key '" + json.begin().key() + "' (known: none; the null plugin takes no config)";
    return false;
  }
  return true;
}

int null_init(const outboxd_host * /*host*/, const char *config_json, void **state, char *error,
              std::size_t error_cap) noexcept {
  *state = nullptr;
  try {
    std::string message;
    if (!null_parse_config(config_json, message)) {
      write_error(error, error_cap, message);
      return 1;
    }
    *state = &null_state_token;
    return 0;
  } catch (const std::exception &e) {
    write_error(error, error_cap, std::string("config is not valid JSON: ") + e.what());
  } catch (...) {
    write_error(error, error_cap, "config could not be parsed");
  }
  return 1;
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

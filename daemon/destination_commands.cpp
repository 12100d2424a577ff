// `outboxd pause NAME` and `outboxd resume NAME`: the operator's switch for one destination, kept in
// the database (outbox.destination_controls), so every daemon on it honours it, across restarts.
#include <iostream>
#include <stdexcept>

#include "core/connection_settings.hpp"
#include "core/outbox_store.hpp"
#include "core/utf8.hpp"
#include "daemon/commands.hpp"

namespace outboxd::cli {

int run_set_paused(const Config &config, const std::string &destination, bool paused) {
  // A name this config does not know is most likely a typo; pausing it would hold nothing here.
  if (!config.destinations.count(destination)) {
    std::string configured;
    for (const auto &[name, d] : config.destinations) configured += (configured.empty() ? "" : ", ") + name;
    throw std::invalid_argument("destination '" + log_safe(destination) + "' is not configured in " + config.source +
                                " (configured: " + (configured.empty() ? "none" : configured) + ")");
  }
  auto conn = open_command_connection(config);
  bool changed = false;
  try {
    pqxx::work tx(*conn);
    changed = paused ? destination_pause(tx, destination) : destination_resume(tx, destination);
    tx.commit();
  } catch (const pqxx::undefined_table &) {
    throw std::runtime_error("the outbox schema has no outbox.destination_controls (migration 0005) yet: run "
                             "`outboxd migrate --config " + config.source + "` first");
  }
  const char *done = paused ? (changed ? "paused" : "was already paused") : (changed ? "resumed" : "was not paused");
  std::cout << "destination " << destination << " " << done << "\n";
  return kExitOk;
}

}  // namespace outboxd::cli

// The lane scout's loop: see lane_scout.hpp.
#include "core/lane_scout.hpp"

#include <string>
#include <vector>

#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {

namespace {
// How long the scout sleeps when it has nothing to look for (the daemon idle, or no lane quiet):
// a lane going quiet and every daemon-wide wake cut it short, so this only bounds a missed one.
constexpr auto kNothingToDo = std::chrono::seconds(1);
}  // namespace

LaneScout::LaneScout(const RuntimeHolder &runtime, EngineState &state)
    : runtime_(runtime), state_(state), log_(component_logger("scout")) {}

bool LaneScout::look() {
  const auto rt = runtime_.get();
  std::vector<std::shared_ptr<Lane>> quiet;
  std::vector<std::string> names, ahead;
  for (const auto &lane : state_.lanes.all()) {
    if (!lane->wake().quiet()) continue;
    const Destination *dest = rt->destinations->find(lane->destination());
    if (dest == nullptr) continue;  // removed by a reload: its lane is retiring
    quiet.push_back(lane);
    names.push_back(lane->destination());
    if (dest->instance->plugin().schedules_ahead()) ahead.push_back(lane->destination());
  }
  if (quiet.empty()) return false;
  std::vector<std::string> due;
  {
    pqxx::nontransaction tx(*conn_);
    due = queries::lane_due_work(tx, names, ahead);
  }
  for (const std::string &name : due)
    for (const auto &lane : quiet)
      if (lane->destination() == name) lane->wake().scouted();
  return true;
}

void LaneScout::run() {
  ReconnectBackoff backoff;
  while (!state_.stopping.load()) {
    try {
      const auto rt = runtime_.get();
      if (!conn_) {
        // The listener's session settings: statement_timeout and keepalives, nothing a claim needs.
        conn_ = open_daemon_connection(*rt->config, SessionRole::Listener);
        backoff.reset();
        state_.wake.scout_available(true);
        log_->info("looking for due messages of quiet lanes while the daemon is busy");
      }
      const uint64_t ticket = state_.wake.scout_ticket();
      const auto started = WakeHandshake::Clock::now();
      // Idle, every lane sleeps until a NOTIFY anyway: nothing to look for.
      const bool looked = !state_.wake.idle() && look();
      state_.wake.scout_wait(ticket, started + (looked ? std::chrono::duration_cast<WakeHandshake::Clock::duration>(
                                                             rt->config->busy_poll_interval)
                                                       : kNothingToDo));
    } catch (const std::exception &e) {
      // Quiet lanes poll on their beat again until the scout is back: nothing waits on it meanwhile.
      state_.wake.scout_available(false);
      if (conn_) state_.reconnects++;
      conn_.reset();
      const auto delay = backoff.next();
      log_->warn("{}; reconnecting in {} ms (lanes poll on their own meanwhile)", one_line(e), delay.count());
      state_.sleep_unless_stopping(delay);
    }
  }
  conn_.reset();
}

}  // namespace outboxd

// Retention sweeps: small batches with SKIP LOCKED, so they never hold up the claim path.
#include "core/pruner.hpp"

#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"
#include "core/utf8.hpp"

namespace outboxd {

Pruner::Pruner(const RuntimeHolder &runtime, EngineState &state)
    : runtime_(runtime), state_(state), log_(component_logger("pruner")) {}

void Pruner::run() {
  while (!state_.stopping.load()) {
    const auto interval = runtime_.get()->config->prune_interval;
    // Apart, so that a check that cannot finish (statement_timeout over a huge backlog) does not
    // stop retention, nor the other way round.
    try {
      check_unknown_destinations();
    } catch (const std::exception &e) {
      drop_session_if_lost(e);
      log_->warn("the check for pending messages of unknown destinations failed, will try again in {} ms: {}",
                 interval.count(), e.what());
    }
    try {
      sweep_once();
    } catch (const std::exception &e) {
      drop_session_if_lost(e);
      log_->warn("retention sweep failed, will try again in {} ms: {}", interval.count(), e.what());
    }
    state_.sleep_unless_stopping(interval);
  }
}

void Pruner::drop_session_if_lost(const std::exception &e) {
  if (classify_fault(e, conn_.get()) == FaultAction::Reconnect) conn_.reset();
}

size_t Pruner::purge(const std::vector<std::string> &states, std::chrono::seconds retention, int batch) {
  size_t total = 0;
  // Each batch starts where the one before ended (message_purge_finished.sql says why); a sweep
  // starts from the beginning, so what a batch left behind is the next sweep's.
  std::string resume_at = "-infinity";
  while (!state_.stopping.load()) {
    pqxx::work tx(*conn_);
    apply_transaction_settings(tx, SessionRole::Pruner);
    const queries::PurgedBatch purged =
        queries::message_purge_finished(tx, states, static_cast<long long>(retention.count()), batch, resume_at);
    tx.commit();
    total += static_cast<size_t>(purged.deleted);
    if (purged.deleted < batch || !purged.latest_finalized_at) break;
    resume_at = *purged.latest_finalized_at;
  }
  return total;
}

void Pruner::connect_if_needed(const Config &config) {
  if (!conn_) conn_ = open_daemon_connection(config, SessionRole::Pruner);
}

size_t Pruner::sweep_once() {
  const auto config = runtime_.get()->config;
  connect_if_needed(*config);
  size_t n = 0;
  // retention.delivered 0 deletes at delivery; rows left from before such a change go now too.
  n += purge({"delivered"}, config->retention_delivered, config->prune_batch);
  n += purge({"dead", "cancelled"}, config->retention_finished, config->prune_batch);
  if (n > 0) log_->info("retention: deleted {} finished messages", n);
  return n;
}

void Pruner::check_unknown_destinations() {
  const auto rt = runtime_.get();
  connect_if_needed(*rt->config);
  pqxx::read_transaction tx(*conn_);
  apply_transaction_settings(tx, SessionRole::Pruner);
  for (const auto &row : queries::message_unknown_destinations(tx, rt->destination_list)) {
    if (warned_.insert(row.destination).second)
      log_->warn("{} pending message(s) for destination '{}', which this config does not name: they are kept "
                 "and will be delivered once a destination of that name is configured",
                 row.count, log_safe(row.destination));
  }
}

}  // namespace outboxd

// Retention sweeps: small batches with SKIP LOCKED, so they never hold up the claim path.
#include "core/pruner.hpp"

#include "core/db.hpp"
#include "core/logging.hpp"

namespace outboxd {

Pruner::Pruner(const Config &config, const Destinations &destinations, EngineState &state)
    : config_(config), destinations_(destinations), state_(state), log_(component_logger("pruner")) {}

void Pruner::run() {
  while (!state_.stopping.load()) {
    try {
      if (!conn_) conn_ = open_connection(config_.database_url);
      check_unknown_destinations();
      sweep_once();
    } catch (const std::exception &e) {
      conn_.reset();
      log_->warn("retention sweep failed, will try again in {} ms: {}", config_.prune_interval.count(), e.what());
    }
    state_.sleep_unless_stopping(config_.prune_interval);
  }
}

size_t Pruner::purge(const char *states, std::chrono::seconds retention) {
  size_t total = 0;
  while (!state_.stopping.load()) {
    pqxx::work tx(*conn_);
    auto r = tx.exec_prepared("message_purge_finished", states, static_cast<long long>(retention.count()),
                              config_.prune_batch);
    tx.commit();
    total += r.size();
    if (r.size() < static_cast<size_t>(config_.prune_batch)) break;
  }
  return total;
}

size_t Pruner::sweep_once() {
  if (!conn_) conn_ = open_connection(config_.database_url);
  size_t n = 0;
  // retention.delivered 0 deletes at delivery; rows left from before such a change go now too.
  n += purge("{delivered}", config_.retention_delivered);
  n += purge("{dead,cancelled}", config_.retention_finished);
  if (n > 0) log_->info("retention: deleted {} finished messages", n);
  return n;
}

void Pruner::check_unknown_destinations() {
  if (!conn_) conn_ = open_connection(config_.database_url);
  pqxx::read_transaction tx(*conn_);
  auto rows = tx.exec_prepared("message_unknown_destinations", text_array_literal(destinations_.names()));
  for (const auto &row : rows) {
    auto name = row[0].as<std::string>();
    if (warned_.insert(name).second)
      log_->warn("{} pending message(s) for destination '{}', which this config does not name: they are kept "
                 "and will be delivered once a destination of that name is configured",
                 row[1].as<long long>(), name);
  }
}

}  // namespace outboxd

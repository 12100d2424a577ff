// The delivery loop of one worker thread. The claim's row locks are held while the plugins send,
// and the outcomes are written in the same transaction, so a crash anywhere leaves rows pending.
#include "core/dispatcher.hpp"

#include <map>
#include <thread>

#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/on_outcome.hpp"
#include "core/outcome.hpp"

namespace outboxd {

namespace {
// How many failed attempts a message keeps in its `errors` history.
constexpr int kErrorHistory = 10;
}  // namespace

Worker::Worker(int index, const RuntimeHolder &runtime, EngineState &state)
    : index_(index),
      runtime_(runtime),
      state_(state),
      log_(component_logger("worker")),
      random_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {}

namespace {
// Named per runtime generation: a reload may change the statement, and a name can be prepared once.
std::string on_outcome_name(uint64_t generation, const std::string &destination) {
  return "on_outcome:" + std::to_string(generation) + ":" + destination;
}
}  // namespace

void Worker::prepare_on_outcome(const Runtime &rt) {
  for (const auto &[name, dest] : rt.destinations->all())
    if (!dest.config.on_outcome.empty())
      conn_->prepare(on_outcome_name(rt.generation, name), on_outcome_sql(dest.config.on_outcome));
  prepared_generation_ = rt.generation;
}

void Worker::run() {
  ReconnectBackoff backoff;
  while (!state_.stopping.load()) {
    try {
      if (!conn_) {
        conn_ = open_connection(runtime_.get()->config->database_url);
        apply_session_settings(*conn_, SessionRole::Worker);
        prepared_generation_ = 0;
        backoff.reset();
      }
      seen_generation_ = state_.wake.generation();
      size_t n = run_batch();
      if (n > 0) state_.last_work_ns.store(EngineState::now_ns());
      // A full batch means more is probably waiting: go again at once.
      auto config = runtime_.get()->config;
      if (n < static_cast<size_t>(config->batch_size)) wait_for_work(*config);
    } catch (const std::exception &e) {
      // Classified by what to do next: a connection that is gone is rebuilt; a SQL error (e.g. a
      // broken on_outcome statement) only rolled back this batch. Both back off, so a persistent
      // error does not spin; the batch's messages stay pending either way.
      auto delay = backoff.next();
      if (conn_ && conn_->is_open()) {
        log_->error("worker {}: batch failed and rolled back, its messages stay pending: {}", index_, e.what());
      } else {
        if (conn_) state_.reconnects++;
        conn_.reset();
        log_->warn("worker {}: database connection lost or unavailable ({}); any open batch rolled back "
                   "and its messages stay pending; reconnecting in {} ms", index_, e.what(), delay.count());
      }
      state_.sleep_unless_stopping(delay);
    }
  }
}

void Worker::wait_for_work(const Config &config) {
  using namespace std::chrono;
  auto now = EngineState::Clock::now();
  EngineState::Clock::time_point deadline;
  if (config.wakeup_mode == WakeupMode::Poll) {
    deadline = now + config.poll_interval;
  } else if (!state_.idle.load()) {
    deadline = now + config.busy_poll_interval;  // lingering after work: poll fast
  } else {
    int64_t due = state_.next_due_ns.load();
    if (due <= EngineState::now_ns()) {
      // The scheduled time has come (and this worker may have polled a hair too early for the
      // database's clock). Forget it, and count as "work seen" so the listener switches to fast
      // polling for a linger period; going idle again then looks up the next scheduled time.
      state_.next_due_ns.compare_exchange_strong(due, INT64_MAX);
      state_.last_work_ns.store(EngineState::now_ns());
      return;
    }
    deadline = std::min(now + config.safety_poll, EngineState::from_ns(due));
  }
  if (deadline > now) state_.wake.wait_until(seen_generation_, deadline);
}

size_t Worker::run_batch() {
  // One snapshot for the whole batch: a reload meanwhile takes effect at the next batch.
  const auto rt = runtime_.get();
  const Destinations &destinations = *rt->destinations;
  if (prepared_generation_ != rt->generation) prepare_on_outcome(*rt);
  std::optional<pqxx::work> tx;
  std::vector<Claimed> batch = claim_batch(*conn_, tx, *rt, *log_);
  if (batch.empty()) {
    tx->commit();
    return 0;
  }
  auto started = std::chrono::steady_clock::now();
  state_.metrics.observe_claim(batch.size());

  send_all(destinations, batch);
  size_t delivered = 0, retried = 0, dead = 0;
  for (const auto &c : batch) {
    switch (c.outcome.state) {
      case NextState::Delivered:
        ++delivered;
        break;
      case NextState::Retry:
        ++retried;
        log_->info("message {} to {}: attempt {} failed, retry in {} ms: {}", c.id, c.destination,
                   c.attempt, c.outcome.delay.count(), c.outcome.error);
        break;
      case NextState::Dead:
        ++dead;
        log_->warn("message {} to {}: dead after attempt {}: {}", c.id, c.destination, c.attempt,
                   c.outcome.error);
        break;
    }
  }

  record(*tx, *rt, batch);
  try {
    tx->commit();
  } catch (const pqxx::in_doubt_error &e) {
    for (const auto &c : batch)
      log_->warn("message {}: commit in doubt after sending ({}); it may be sent again", c.id, e.what());
    throw;
  } catch (const pqxx::broken_connection &) {
    for (const auto &c : batch)
      log_->warn("message {}: sent, but the outcome could not be committed; it will be sent again "
                 "(receivers drop the duplicate by its id)", c.id);
    throw;
  }

  std::map<std::string, DeliveryCounters> tally;
  for (const auto &c : batch) {
    if (c.outcome.state == NextState::Retry)
      state_.note_due(EngineState::now_ns() +
                      std::chrono::duration_cast<std::chrono::nanoseconds>(c.outcome.delay).count());
    DeliveryCounters &t = tally[c.destination];
    t.delivered += c.outcome.state == NextState::Delivered;
    t.retried += c.outcome.state == NextState::Retry;
    t.dead += c.outcome.state == NextState::Dead;
  }
  state_.count(tally);
  log_->debug("worker {}: batch of {} in {} us: {} delivered, {} to retry, {} dead", index_, batch.size(),
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                  .count(),
              delivered, retried, dead);
  return batch.size();
}

void Worker::send_all(const Destinations &destinations, std::vector<Claimed> &batch) {
  // One plugin call per destination: a plugin with send_batch gets its messages together (they
  // never share an ordering key, the claim sees to that) and may send them at once.
  std::map<std::string, std::vector<size_t>> by_destination;
  for (size_t i = 0; i < batch.size(); ++i)
    if (!batch[i].unsendable) by_destination[batch[i].destination].push_back(i);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const auto &[name, indexes] : by_destination) {
    const Destination *dest = destinations.find(name);
    std::vector<outboxd_message> msgs;
    msgs.reserve(indexes.size());
    for (size_t i : indexes) {
      const Claimed &c = batch[i];
      outboxd_message msg{};
      msg.struct_size = sizeof(msg);
      msg.id = c.id.c_str();
      msg.destination = c.destination.c_str();
      msg.payload = c.payload.c_str();
      msg.payload_len = c.payload.size();
      msg.headers_json = c.headers->c_str();  // a message that is sent has both written out
      msg.attempt = c.attempt;
      msg.timeout_ms = dest->config.timeout_ms;
      msg.available_at_ms = c.available_at_ms;
      msgs.push_back(msg);
    }
    const auto started = std::chrono::steady_clock::now();
    std::vector<SendResult> results = dest->instance->send_batch(msgs);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    state_.metrics.observe_delivery(name, std::chrono::duration<double>(elapsed).count(), msgs.size());
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
    // The host cannot interrupt a plugin; a call past its budget keeps the whole batch's claim
    // open, so say so loudly: the plugin (or its timeout_ms) needs fixing. Without send_batch the
    // budget is one timeout per message.
    const long long budget = static_cast<long long>(dest->config.timeout_ms) *
                             (dest->instance->has_send_batch() ? 1 : static_cast<long long>(msgs.size()));
    if (took.count() > budget + 1000)
      log_->warn("{} message(s) to {}: plugin {} took {} ms, past timeout_ms {}; the batch's claim stayed open "
                 "meanwhile (first message {})",
                 msgs.size(), name, dest->instance->plugin().table().name, took.count(), dest->config.timeout_ms,
                 batch[indexes.front()].id);
    for (size_t k = 0; k < indexes.size(); ++k) {
      Claimed &c = batch[indexes[k]];
      c.outcome = decide_outcome(results[k], c.attempt, c.max_attempts, dest->config.max_backoff, unit(random_));
    }
  }
}

void Worker::record(pqxx::work &tx, const Runtime &rt, const std::vector<Claimed> &batch) {
  std::vector<long long> seqs, delays;
  std::vector<std::string> states, errors;
  std::vector<bool> no_error;
  bool all_delivered_cleanly = true;
  for (const auto &c : batch) {
    seqs.push_back(c.seq);
    states.emplace_back(state_name(c.outcome.state));
    delays.push_back(c.outcome.delay.count());
    errors.push_back(c.outcome.error);
    no_error.push_back(c.outcome.error.empty());
    all_delivered_cleanly = all_delivered_cleanly && c.outcome.state == NextState::Delivered && c.outcome.error.empty();
  }
  const bool delete_delivered = rt.config->retention_delivered.count() == 0;
  long long written = 0;
  if (all_delivered_cleanly) {
    // The common case gets a plain statement over one array: measurably cheaper per batch than
    // unnesting four arrays and joining them (docs/BENCHMARKS.md).
    written = static_cast<long long>(
        exec_query(tx, delete_delivered ? "message_delete_delivered" : "message_mark_delivered",
                         int_array_literal(seqs))
            .size());
  } else {
    written = exec_query1(tx, "message_mark_outcomes", int_array_literal(seqs), text_array_literal(states),
                                int_array_literal(delays), nullable_text_array_literal(errors, no_error),
                                delete_delivered, kErrorHistory)[0]
                  .as<long long>();
  }
  if (written != static_cast<long long>(batch.size()))
    throw std::logic_error("outcome write changed " + std::to_string(written) + " rows, expected " +
                           std::to_string(batch.size()) + ": a claimed row was not pending");

  for (const auto &c : batch) {
    const Destination *dest = rt.destinations->find(c.destination);
    if (dest->config.on_outcome.empty()) continue;
    const std::string &err = c.outcome.error;
    // Headers PostgreSQL could not write out (or too large to hand on) are NULL here.
    exec_on_outcome(tx, on_outcome_name(rt.generation, c.destination), dest->config.on_outcome, c.id,
                    state_name(c.outcome.state), c.attempt, err.empty() ? nullptr : err.c_str(),
                    c.headers ? c.headers->c_str() : nullptr);
  }
}

}  // namespace outboxd

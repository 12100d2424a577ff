// The delivery loop of one worker thread of a destination's lane. The claim's row locks are held
// while the plugin sends, and the outcomes are written in the same transaction, so a crash anywhere
// leaves rows pending. Kept outcomes (written instead of sending again) are in worker_kept_outcomes.cpp.
#include "core/worker.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/key_waves.hpp"
#include "core/logging.hpp"
#include "core/on_outcome.hpp"
#include "core/outcome.hpp"
#include "core/queries.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {

namespace {
// How many failed attempts a message keeps in its `errors` history.
constexpr int kErrorHistory = 10;

ClaimSeen seen_in(const std::vector<Claimed> &batch, int asked, int left_for_their_keys) {
  ClaimSeen seen;
  seen.asked = asked;
  seen.rows = static_cast<int>(batch.size());
  seen.left_for_their_keys = left_for_their_keys;
  std::set<std::string> keys;
  for (const Claimed &c : batch) {
    if (!c.keyed()) continue;
    seen.keyed = true;
    seen.runs = seen.runs || !keys.insert(*c.ordering_key).second;
  }
  return seen;
}
}  // namespace

Worker::Worker(int index, std::shared_ptr<Lane> lane, const RuntimeHolder &runtime, EngineState &state)
    : index_(index),
      lane_(std::move(lane)),
      name_("worker " + std::to_string(index) + " (" + lane_->destination() + ")"),
      runtime_(runtime),
      state_(state),
      log_(component_logger("worker")),
      random_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {}

void Worker::prepare_on_outcome(const Runtime &rt) {
  for (const auto &[name, dest] : rt.destinations->all())
    if (!dest.config.on_outcome.empty())
      conn_->prepare(on_outcome_name(rt.generation, name), on_outcome_sql(dest.config.on_outcome));
  prepared_generation_ = rt.generation;
}

void Worker::run() {
  ReconnectBackoff backoff;
  while (!state_.stopping.load() && !lane_->retired()) {
    try {
      if (!conn_) {
        conn_ = open_daemon_connection(*runtime_.get()->config, SessionRole::Worker);
        prepared_generation_ = 0;
      }
      // Outcomes of messages already sent come first: while the database cannot take them (a full
      // disk, say) this throws, and nothing new is claimed and sent only to fail the same way.
      if (!state_.kept.empty()) {
        writing_kept_ = true;
        write_kept_outcomes();
        writing_kept_ = false;
      }
      wait_for_lane_room(*runtime_.get());
      seen_generation_ = lane_->wake().ticket();
      size_t n = run_batch();
      note_recovered();
      backoff.reset();
      if (n > 0) {
        state_.wake.found_work();
        lane_->wake().found_work();
      }
      // The lane was at max_in_flight: wait for room (at the top), not for work.
      if (lane_was_full_) continue;
      if (wait_for_lane_gate()) continue;
      // A claim that got all it asked for means more is probably waiting: go again at once. So
      // does one that left rows for their keys: the next claim walks past them (message_claim.sql).
      if (rows_left_for_their_keys_) continue;
      if (n == 0 || n < static_cast<size_t>(last_claim_asked_)) wait_for_work(*runtime_.get()->config);
    } catch (const std::exception &e) {
      note_fault(e, backoff.next());
    }
  }
  // One last try, so a fault that has cleared by now costs no duplicate after a restart.
  if (!state_.kept.empty() && conn_) {
    try {
      write_kept_outcomes();
    } catch (const std::exception &e) {
      log_->warn("{}: could not write the kept outcomes before stopping: {}", name_, one_line(e));
    }
  }
  // A retired lane's worker ends long before the daemon: its sessions must not outlive it.
  conn_.reset();
  rate_conn_.reset();
}

void Worker::note_fault(const std::exception &e, std::chrono::milliseconds delay) {
  // A batch that failed rolled back: its unsent messages stay pending, and what it sent is kept
  // (run_batch). A session a new one may cure (read-only, shutting down, lost) is dropped: kept,
  // it would fail every claim until someone killed it. Any other error (a broken on_outcome
  // statement) leaves the session as it is. Both back off, so a persistent error does not spin.
  const bool drop = classify_fault(e, conn_.get()) == FaultAction::Reconnect;
  const auto now = std::chrono::steady_clock::now();
  if (faults_in_row_++ == 0) first_fault_ = now;
  // Every fault is logged at first; while the same one lasts, every 30 s, so an outage of an hour
  // does not write thousands of lines, and yet the log shows it is still going on.
  const bool say = faults_in_row_ == 1 || now - last_fault_log_ >= std::chrono::seconds(30);
  if (say) last_fault_log_ = now;
  const auto level = say ? spdlog::level::warn : spdlog::level::debug;
  const auto lasting = std::chrono::duration_cast<std::chrono::seconds>(now - first_fault_).count();
  if (drop) {
    if (conn_) state_.reconnects++;
    conn_.reset();
    log_->log(level, "{}: database connection lost or unusable ({}); reconnecting in {} ms (failing for {} s)",
              name_, one_line(e), delay.count(), lasting);
  } else if (writing_kept_) {
    log_->log(level, "{}: writing the kept outcomes failed ({}); nothing new is claimed until they are "
              "written; trying again in {} ms (failing for {} s)", name_, one_line(e), delay.count(), lasting);
  } else {
    log_->log(say ? spdlog::level::err : spdlog::level::debug,
              "{}: batch failed and rolled back, its unsent messages stay pending: {}; trying again in {} ms",
              name_, one_line(e), delay.count());
  }
  writing_kept_ = false;
  state_.sleep_unless_stopping(delay);
}

void Worker::note_recovered() {
  if (faults_in_row_ == 0) return;
  const auto took = std::chrono::steady_clock::now() - first_fault_;
  log_->info("{}: database usable again after {} failed tries over {} ms", name_, faults_in_row_,
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
  faults_in_row_ = 0;
}

void Worker::wait_for_work(const Config &config) {
  WakeTimings timings;
  timings.notify_mode = config.wakeup_mode == WakeupMode::Notify;
  timings.poll_interval = config.poll_interval;
  timings.busy_poll_interval = config.busy_poll_interval;
  timings.safety_poll = config.safety_poll;
  timings.linger = config.linger;
  state_.wake.wait_for_work(lane_->wake(), seen_generation_, timings);
}

bool Worker::wait_for_lane_gate() {
  const auto now = std::chrono::steady_clock::now();
  if (wait_until_ <= now) return false;
  // At most a second at a time: a reload (a raised limit, a breaker turned off) applies soon.
  const auto wait = std::min<std::chrono::steady_clock::duration>(wait_until_ - now, std::chrono::seconds(1));
  wait_until_ = {};
  state_.sleep_unless_stopping(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                               std::chrono::milliseconds(1));
  return true;
}

void Worker::wait_for_lane_room(const Runtime &rt) {
  const Destination *dest = rt.destinations->find(lane_->destination());
  if (dest == nullptr) return;  // removed by a reload: the lane is being retired
  // Bounded: a reload may raise the cap, and a stop or a retirement wakes it at once.
  lane_->in_flight().wait_for_room(dest->config.max_in_flight, std::chrono::milliseconds(200));
}

size_t Worker::run_batch() {
  // One snapshot for the whole batch: a reload meanwhile takes effect at the next batch.
  const auto rt = runtime_.get();
  last_claim_asked_ = 0;
  lane_was_full_ = false;
  rows_left_for_their_keys_ = false;
  const Destination *dest = rt->destinations->find(lane_->destination());
  if (dest == nullptr) return 0;  // removed by a reload: the lane is being retired
  if (prepared_generation_ != rt->generation) prepare_on_outcome(*rt);
  // Reserved before the claim, so the lane's workers together never claim past max_in_flight;
  // given back when the batch ends, however it ends (the reservation outlives the transaction).
  InFlightReservation reservation(lane_->in_flight());
  // The keys of the batch's rows are held (hold_keys) until the batch ends, however it ends.
  struct KeysGuard {
    Lane &lane;
    int worker;
    ~KeysGuard() { lane.keys_in_flight().release(worker); }
  } keys_guard{*lane_, index_};
  // The worker handed a half-open breaker's probe gives it back unless its batch records a result.
  bool holds_probe = false;
  struct ProbeGuard {
    CircuitBreaker &breaker;
    bool &held;
    ~ProbeGuard() {
      if (held) breaker.probe_abandoned();
    }
  } probe_guard{lane_->breaker(), holds_probe};
  std::optional<pqxx::work> tx;
  std::vector<Claimed> batch = claim_rows_within_limit(tx, *rt, *dest, reservation, holds_probe);
  if (!tx) return 0;  // the lane's flow control allowed no claim now
  // First the rows another worker is still sending, then the kept outcomes: a worker keeps its
  // outcomes before it stops counting its messages as in flight, so in this order none slips by.
  leave_rows_in_flight_elsewhere(batch);
  if (batch.empty()) {
    keep_what_the_rate_allows(*rt, batch, reservation);  // gives back the tokens taken for the claim
    tx->commit();
    return 0;
  }
  auto kept_written = use_kept_outcomes(batch);
  keep_what_the_rate_allows(*rt, batch, reservation);
  if (batch.empty()) {
    tx->commit();  // releases the rows the rate limit left out
    return 0;
  }
  auto started = std::chrono::steady_clock::now();
  state_.metrics.observe_claim(batch.size());

  send_all(*dest, batch);
  // A kept outcome whose row a key held back stays kept: it is written when the row is claimed again.
  kept_written.erase(std::remove_if(kept_written.begin(), kept_written.end(),
                                    [&](const auto &kept) {
                                      return std::none_of(batch.begin(), batch.end(),
                                                          [&](const Claimed &c) { return c.seq == kept.first; });
                                    }),
                     kept_written.end());
  size_t delivered = 0, retried = 0, dead = 0;
  for (const auto &c : batch) {
    if (c.sent_before) continue;  // counted and logged when it was sent
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

  try {
    record(*tx, *rt, batch);
    tx->commit();
  } catch (const std::exception &e) {
    // Kept before the rollback ends the claim, so no other worker can claim and send them first.
    keep_sent(batch, e);
    state_.set_in_flight(index_, {});
    throw;
  }
  state_.set_in_flight(index_, {});
  if (!kept_written.empty()) state_.kept.forget(kept_written);
  // After the commit: nothing may throw between the sends and the outcome write but what the
  // keep_sent() above catches. A batch that failed to commit tells the breaker nothing (a probe's
  // is handed back by its guard).
  if (sends_ok_ + sends_failed_ > 0) {
    lane_->breaker().record(sends_ok_, sends_failed_, std::chrono::steady_clock::now());
    holds_probe = false;  // its result is recorded
  }

  std::map<std::string, DeliveryCounters> tally;
  for (const auto &c : batch) {
    if (c.outcome.state == NextState::Retry)
      state_.wake.retry_scheduled(c.outcome.delay);
    DeliveryCounters &t = tally[c.destination];
    t.delivered += c.outcome.state == NextState::Delivered;
    t.retried += c.outcome.state == NextState::Retry;
    t.dead += c.outcome.state == NextState::Dead;
  }
  state_.count(tally);
  log_->debug("{}: batch of {} in {} us: {} delivered, {} to retry, {} dead", name_, batch.size(),
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                  .count(),
              delivered, retried, dead);
  return batch.size();
}

void Worker::send_all(const Destination &dest, std::vector<Claimed> &batch) {
  sends_ok_ = sends_failed_ = 0;
  const std::vector<int> wave = key_waves(batch);
  const int waves = batch.empty() ? 0 : *std::max_element(wave.begin(), wave.end()) + 1;
  // Keys whose row of an earlier wave is to be retried: their later rows wait for it.
  std::set<std::string> halted;
  // Every row to send, before the first wave: should this batch's session die under it, another
  // worker that claims its rows leaves them to this one (leave_rows_in_flight_elsewhere), also
  // those of waves not yet begun, which this worker may still send.
  std::map<long long, std::string> sending;
  for (const Claimed &c : batch)
    if (!c.unsendable && !c.sent_before) sending.emplace(c.seq, c.id);
  state_.set_in_flight(index_, std::move(sending));
  int w = 0, sent = 0;
  double total_ms = 0, longest_ms = 0;
  for (; w < waves; ++w) {
    // Stopping: what was sent is in flight and finishes; the waves not begun are not, and wait.
    // Nor after the claim's session was lost: its rows are free, and another daemon may be
    // sending this batch's keys from their first unwritten row (which this one sent) by now.
    if (w > 0 && (state_.stopping.load() || session_lost())) break;
    std::vector<size_t> indexes;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Claimed &c = batch[i];
      if (wave[i] != w || c.unsendable || c.sent_before || (c.keyed() && halted.count(*c.ordering_key))) continue;
      indexes.push_back(i);
    }
    if (!indexes.empty()) {
      const auto started = std::chrono::steady_clock::now();
      send_wave(dest, batch, indexes);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      total_ms += ms;
      longest_ms = std::max(longest_ms, ms);
      sent += static_cast<int>(indexes.size());
    }
    for (size_t i = 0; i < batch.size(); ++i)
      if (wave[i] == w && batch[i].keyed() && batch[i].outcome.state == NextState::Retry) {
        halted.insert(*batch[i].ordering_key);
        lane_->keys_in_flight().wait_for_retry(*batch[i].ordering_key,
                                               std::chrono::steady_clock::now() + batch[i].outcome.delay);
      }
  }
  // What the waves added to sending: with send_batch one call would have taken about its longest
  // wave; without, the plugin sends one message at a time either way.
  if (waves > 1) claim_way_.after_waves(sent, dest.instance->has_send_batch() ? total_ms - longest_ms : 0.0);
  if (halted.empty() && w == waves) return;
  // Unsent: a row of a halted key after its row to retry (a key's row of a wave sends its next
  // row only once delivered or made dead, so these are exactly the rows past its first retry), and
  // every row of a wave not begun.
  std::map<std::string, long long> retried_at;
  for (const Claimed &c : batch)
    if (c.keyed() && c.outcome.state == NextState::Retry) {
      auto [it, added] = retried_at.emplace(*c.ordering_key, c.seq);
      if (!added) it->second = std::min(it->second, c.seq);
    }
  std::set<long long> not_begun;
  for (size_t i = 0; i < batch.size(); ++i)
    if (wave[i] >= w) not_begun.insert(batch[i].seq);
  const size_t held = leave_with_their_keys_later_rows(batch, [&](const Claimed &c) {
    if (not_begun.count(c.seq)) return true;
    if (!c.keyed()) return false;
    auto it = retried_at.find(*c.ordering_key);
    return it != retried_at.end() && c.seq > it->second;
  });
  if (w < waves)
    log_->info("{}: {}: {} message(s) of the batch's later waves (ordering keys' next messages) are not "
               "sent; they stay pending, unchanged", name_,
               state_.stopping.load() ? "stopping" : "the claim's database session was lost", held);
  else
    log_->debug("{}: {} message(s) of {} ordering key(s) wait, unsent and unchanged, for an earlier message of "
                "their key that is to be retried", name_, held, halted.size());
}

void Worker::send_wave(const Destination &dest, std::vector<Claimed> &batch, const std::vector<size_t> &indexes) {
  const std::string &name = dest.config.name;
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
    msg.timeout_ms = dest.config.timeout_ms;
    msg.available_at_ms = c.available_at_ms;
    msgs.push_back(msg);
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<SendResult> results = dest.instance->send_batch(msgs);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  state_.metrics.observe_delivery(name, std::chrono::duration<double>(elapsed).count(), msgs.size());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
  // The host cannot interrupt a plugin; a call past its budget keeps the whole batch's claim
  // open, so say so loudly: the plugin (or its timeout_ms) needs fixing. Without send_batch the
  // budget is one timeout per message.
  const long long budget = static_cast<long long>(dest.config.timeout_ms) *
                           (dest.instance->has_send_batch() ? 1 : static_cast<long long>(msgs.size()));
  if (took.count() > budget + 1000)
    log_->warn("{} message(s) to {}: plugin {} took {} ms, past timeout_ms {}; the batch's claim stayed open "
               "meanwhile (first message {})",
               msgs.size(), name, dest.instance->plugin().table().name, took.count(), dest.config.timeout_ms,
               batch[indexes.front()].id);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (size_t k = 0; k < indexes.size(); ++k) {
    Claimed &c = batch[indexes[k]];
    c.outcome = decide_outcome(results[k], c.attempt, c.max_attempts, dest.config.max_backoff, unit(random_));
    // For the breaker, a receiver that answers is healthy even when it refuses a message for good
    // (PERMANENT): only a send to retry (down, timed out, 5xx, 429) says the destination is failing.
    (results[k].status == OUTBOXD_RETRY ? sends_failed_ : sends_ok_)++;
  }
}

std::vector<Claimed> Worker::claim_rows_within_limit(std::optional<pqxx::work> &tx, const Runtime &rt,
                                                     const Destination &dest, InFlightReservation &reservation,
                                                     bool &holds_probe) {
  if (state_.stopping.load()) return {};  // a stopping daemon claims nothing new
  const int batch_size = rt.config->batch_size;
  if (claim_limit_ <= 0 || claim_limit_ > batch_size) claim_limit_ = batch_size;
  const auto now = std::chrono::steady_clock::now();
  int want = claim_limit_;
  // An open breaker claims nothing, so its messages spend no attempts; half-open, one probe.
  if (!lane_->breaker().allow_claim(now, want, holds_probe)) {
    wait_until_ = lane_->breaker().next_probe_at();
    return {};
  }
  // A local bucket: its tokens first, and a claim of no more than it granted (unused ones go back
  // after the claim), so no row is locked that could not be sent. With none, claim nothing until
  // the next. (A shared bucket is asked after the claim, only when there is something to send.)
  local_tokens_ = 0;
  if (!lane_->rate_limit_shared() && lane_->local_rate().limit().per_second > 0) {
    local_tokens_ = lane_->local_rate().take(want, now);
    if (local_tokens_ == 0) {
      lane_->note_rate_limited(now);
      wait_until_ = lane_->local_rate().next_token_at(now);
      return {};  // a probe handed out is given back by run_batch's guard
    }
    want = local_tokens_;
  }
  const int asked = reservation.take(want, dest.config.max_in_flight);
  if (asked == 0) {
    lane_was_full_ = true;
    return {};
  }
  try {
    // After a batch that held retries, the next claim takes first attempts only, so a storm of
    // due retries (older, so first in seq order) leaves new messages every other batch. Only then:
    // attempt is not in the claim index, so such a claim reads past the retries at the head.
    const bool first_attempts_only = retries_seen_;
    lane_->wake().count_claim();
    ClaimScope scope{asked, first_attempts_only, claim_way_.key_runs(), {}};
    KeysInFlight::Turn turn;
    KeysInFlight &keys = lane_->keys_in_flight();
    keys.set_windowing(index_, scope.key_runs);
    // While a worker of the lane claims keys' runs, a plain claim of keys takes the turn too: the
    // keys of its batch must be known (hold_keys) before that worker's next window is made, or
    // the window would take their runs.
    if (scope.key_runs || (claim_way_.keys_seen() && keys.anyone_windowing())) {
      turn = keys.claim_turn(state_.stopping);
      if (!turn) return {};  // stopping: claim nothing new (run_batch sees no transaction)
      if (scope.key_runs) scope.keys_elsewhere = keys.left_out_for(index_, std::chrono::steady_clock::now());
    }
    const auto claim_started = std::chrono::steady_clock::now();
    ClaimedBatch claimed = claim_batch(*conn_, tx, rt, dest, *log_, scope);
    std::vector<Claimed> &batch = claimed.rows;
    hold_keys(batch);
    turn.release();
    ClaimSeen seen = seen_in(batch, asked, claimed.left_for_their_keys);
    seen.claim_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - claim_started).count();
    claim_way_.after(seen);
    // Rows left for their keys: free once this batch ends, or walked past by the next claim.
    rows_left_for_their_keys_ = seen.left_for_their_keys > 0;
    // What the claim itself found, before anything is left out of the batch: the lane's beat
    // stretches only when claims are short of arrivals (core/beat_stretch.hpp), not when keys or
    // a shared rate limit (asked after the claim) hold rows back.
    const bool held_back = seen.keyed || rows_left_for_their_keys_ || lane_->shared_rate_limited();
    lane_->wake().note_claim(
        ClaimFound{batch_size, asked, first_attempts_only, static_cast<int>(batch.size()), held_back},
        rt.config->busy_poll_interval, rt.config->linger);
    retries_seen_ = !first_attempts_only && std::any_of(batch.begin(), batch.end(),
                                                        [](const Claimed &c) { return c.attempt > 1; });
    last_claim_asked_ = asked;
    reservation.keep_only(static_cast<int>(batch.size()));
    claim_limit_ = std::min(batch_size, claim_limit_ * 2);  // back towards batch_size, step by step
    return std::move(batch);
  } catch (const pqxx::sql_error &e) {
    // A claim slower than statement_timeout (very large payloads, a slow link) would fail the same
    // way every time, on the same first rows, and nothing behind them would ever be sent.
    if (e.sqlstate() != "57014" || claim_limit_ == 1) throw;
    claim_limit_ = std::max(1, claim_limit_ / 2);
    log_->warn("{}: the claim took longer than database.statement_timeout; claiming at most {} message(s) "
               "at a time until claims are quick again", name_, claim_limit_);
    throw;
  }
}

bool Worker::session_lost() {
  // No round trip: reads what the server may have sent (an administrator's termination, a
  // shutdown) and sees whether the connection has ended.
  try {
    conn_->get_notifs();
    return !conn_->is_open();
  } catch (const std::exception &) {
    return true;
  }
}

void Worker::hold_keys(const std::vector<Claimed> &batch) {
  std::set<std::string> keys;  // a run gives its key many times
  for (const Claimed &c : batch)
    if (c.keyed()) keys.insert(*c.ordering_key);
  lane_->keys_in_flight().hold(index_, std::vector<std::string>(keys.begin(), keys.end()));
}

void Worker::keep_what_the_rate_allows(const Runtime &rt, std::vector<Claimed> &batch,
                                       InFlightReservation &reservation) {
  int to_send = 0;
  for (const Claimed &c : batch) to_send += !c.unsendable && !c.sent_before;
  if (local_tokens_ > 0) {
    // Taken before the claim, which asked for no more: what it did not use goes back.
    lane_->local_rate().give_back(local_tokens_ - to_send);
    local_tokens_ = 0;
    return;
  }
  if (to_send == 0) return;
  if (!lane_->shared_rate_limited()) return;
  const auto now = std::chrono::steady_clock::now();
  int granted = 0;
  std::chrono::steady_clock::time_point next_token;
  // On a connection of its own: conn_ holds the claim's transaction, and the bucket's row lock
  // must last only the statement, not the batch.
  try {
    if (!rate_conn_) rate_conn_ = open_daemon_connection(*rt.config, SessionRole::Worker);
    const SharedRateLimiter::Take take = lane_->shared_rate().take(*rate_conn_, to_send);
    granted = take.granted;
    next_token = take.next_token_at;
  } catch (const std::exception &) {
    rate_conn_.reset();  // opened again at the next take
    throw;               // the batch fails and rolls back: nothing was sent
  }
  if (granted >= to_send) return;
  lane_->note_rate_limited(now);
  wait_until_ = next_token;
  // In claim order (priority, seq): the first `granted` messages to send stay, with the rows that
  // need no send (decided at the claim, or kept outcomes); the rest are left for a later claim,
  // and with them their keys' later rows.
  int left = granted;
  leave_with_their_keys_later_rows(batch, [&](const Claimed &c) { return !c.unsendable && !c.sent_before && left-- <= 0; });
  reservation.keep_only(static_cast<int>(batch.size()));
}

void Worker::leave_rows_in_flight_elsewhere(std::vector<Claimed> &batch) {
  auto busy = [&](const Claimed &c) {
    if (!state_.in_flight_elsewhere(index_, c.seq)) return false;
    log_->info("message {} to {}: another worker is still sending it (its claim ended under it); left to that "
               "worker's outcome", c.id, c.destination);
    return true;
  };
  leave_with_their_keys_later_rows(batch, busy);
}

void Worker::record(pqxx::work &tx, const Runtime &rt, const std::vector<Claimed> &batch) {
  std::vector<long long> seqs, delays;
  std::vector<std::string> states;
  std::vector<std::optional<std::string>> errors;
  bool all_delivered_cleanly = true;
  for (const auto &c : batch) {
    seqs.push_back(c.seq);
    states.emplace_back(state_name(c.outcome.state));
    delays.push_back(c.outcome.delay.count());
    errors.push_back(c.outcome.error.empty() ? std::nullopt : std::optional<std::string>(c.outcome.error));
    all_delivered_cleanly = all_delivered_cleanly && c.outcome.state == NextState::Delivered && c.outcome.error.empty();
  }
  const bool delete_delivered = rt.config->retention_delivered.count() == 0;
  long long written = 0;
  if (all_delivered_cleanly) {
    // The common case gets a plain statement over one array: measurably cheaper per batch than
    // unnesting four arrays and joining them (docs/BENCHMARKS.md).
    written = static_cast<long long>(delete_delivered ? queries::message_delete_delivered(tx, seqs).size()
                                                      : queries::message_mark_delivered(tx, seqs).size());
  } else {
    written = queries::message_mark_outcomes(tx, seqs, states, delays, errors, delete_delivered, kErrorHistory);
  }
  if (written != static_cast<long long>(batch.size()))
    throw std::logic_error("outcome write changed " + std::to_string(written) + " rows, expected " +
                           std::to_string(batch.size()) + ": a claimed row was not pending");

  for (const auto &c : batch) {
    const Destination *dest = rt.destinations->find(c.destination);
    // A kept outcome may outlive its destination across a reload: its on_outcome is gone too.
    if (dest == nullptr) {
      log_->warn("message {}: destination {} is no longer configured, so its on_outcome statement (if it had "
                 "one) does not run for the outcome written now", c.id, c.destination);
      continue;
    }
    if (dest->config.on_outcome.empty()) continue;
    const std::string &err = c.outcome.error;
    // Headers PostgreSQL could not write out (or too large to hand on) are NULL here.
    queries::on_outcome(tx, on_outcome_name(rt.generation, c.destination), dest->config.on_outcome, c.id,
                        state_name(c.outcome.state), c.attempt,
                        err.empty() ? std::nullopt : std::optional<std::string>(err), c.headers);
  }
}

}  // namespace outboxd

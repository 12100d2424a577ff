// The typed functions of core/queries.hpp. Each passes its arguments in the order of its .sql
// file's $n and reads the columns in the order of its SELECT or RETURNING list; this file is the
// one place that knows either order.
#include "core/queries.hpp"

#include <utility>

#include "core/db.hpp"
#include "core/named_query.hpp"
#include "core/on_outcome.hpp"

namespace outboxd::queries {
namespace {

// libpqxx 6.4 sends a null const char * as SQL NULL (it has no std::optional parameters).
const char *opt(const std::optional<std::string> &v) { return v ? v->c_str() : nullptr; }

std::optional<std::string> opt_text(const pqxx::field &f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

template <typename T>
std::optional<T> opt_as(const pqxx::field &f) {
  if (f.is_null()) return std::nullopt;
  return f.as<T>();
}

std::vector<long long> seqs_of(const pqxx::result &rows) {
  std::vector<long long> out;
  out.reserve(rows.size());
  for (const auto &row : rows) out.push_back(row[0].as<long long>());
  return out;
}

// A query that returns the id of each row it changed; nullopt when none.
std::optional<std::string> changed_id(const pqxx::result &rows) {
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

// The columns message_claim.sql and message_claim_key_runs.sql share, and the latter's claimable.
std::vector<ClaimedRow> claimed_rows(const pqxx::result &rows) {
  std::vector<ClaimedRow> out;
  out.reserve(rows.size());
  for (const auto &row : rows) {
    ClaimedRow c;
    c.seq = row[0].as<long long>();
    c.id = row[1].as<std::string>();
    c.destination = row[2].as<std::string>();
    c.payload = opt_text(row[3]);
    c.headers = opt_text(row[4]);
    c.attempt = row[5].as<int>();
    c.max_attempts = opt_as<int>(row[6]);
    c.available_at_ms = opt_as<int64_t>(row[7]);
    c.available_at_text = opt_text(row[8]);
    c.text_bytes = opt_as<long long>(row[9]);
    c.xmin = row[10].as<std::string>();
    c.ordering_key = opt_text(row[11]);
    if (row.size() > 12) c.claimable = row[12].as<bool>();
    out.push_back(std::move(c));
  }
  return out;
}
}  // namespace

std::vector<ClaimedRow> message_claim(pqxx::transaction_base &tx, const std::string &destination, int limit,
                                      bool schedules_ahead, long long max_text_bytes, bool write_out,
                                      bool first_attempts_only) {
  return claimed_rows(exec_query(tx, "message_claim", destination, limit, schedules_ahead, max_text_bytes,
                                 write_out, first_attempts_only));
}

std::vector<ClaimedRow> message_claim_key_runs(pqxx::transaction_base &tx, const std::string &destination,
                                               int limit, bool schedules_ahead, long long max_text_bytes,
                                               bool write_out, bool first_attempts_only,
                                               const std::vector<std::string> &keys_elsewhere) {
  return claimed_rows(exec_query(tx, "message_claim_key_runs", destination, limit, schedules_ahead,
                                 max_text_bytes, write_out, first_attempts_only,
                                 text_array_literal(keys_elsewhere)));
}

WrittenOutRow message_write_out(pqxx::transaction_base &tx, long long seq, long long max_text_bytes) {
  const pqxx::row row = exec_query1(tx, "message_write_out", seq, max_text_bytes);
  return WrittenOutRow{opt_text(row[0]), opt_text(row[1]), row[2].as<long long>()};
}

std::vector<long long> message_mark_delivered(pqxx::transaction_base &tx, const std::vector<long long> &seqs) {
  return seqs_of(exec_query(tx, "message_mark_delivered", int_array_literal(seqs)));
}

std::vector<long long> message_delete_delivered(pqxx::transaction_base &tx, const std::vector<long long> &seqs) {
  return seqs_of(exec_query(tx, "message_delete_delivered", int_array_literal(seqs)));
}

long long message_mark_outcomes(pqxx::transaction_base &tx, const std::vector<long long> &seqs,
                                const std::vector<std::string> &states, const std::vector<long long> &delays_ms,
                                const std::vector<std::optional<std::string>> &errors, bool delete_delivered,
                                int error_history) {
  std::vector<std::string> error_texts;
  std::vector<bool> no_error;
  error_texts.reserve(errors.size());
  no_error.reserve(errors.size());
  for (const auto &e : errors) {
    error_texts.push_back(e.value_or(""));
    no_error.push_back(!e);
  }
  return exec_query1(tx, "message_mark_outcomes", int_array_literal(seqs), text_array_literal(states),
                     int_array_literal(delays_ms), nullable_text_array_literal(error_texts, no_error),
                     delete_delivered, error_history)[0]
      .as<long long>();
}

std::vector<LockedKeptRow> message_lock_kept(pqxx::transaction_base &tx, const std::vector<long long> &seqs) {
  std::vector<LockedKeptRow> out;
  for (const auto &row : exec_query(tx, "message_lock_kept", int_array_literal(seqs))) {
    LockedKeptRow r;
    r.seq = row[0].as<long long>();
    r.locked = !row[1].is_null();  // the attempt comes only with the lock
    if (r.locked) {
      r.state = row[2].as<std::string>();
      r.xmin = row[4].as<std::string>();
    }
    r.exists = row[3].as<bool>();
    out.push_back(std::move(r));
  }
  return out;
}

void on_outcome(pqxx::transaction_base &tx, const std::string &name, const std::string &user_sql,
                const std::string &id, const std::string &state, int attempt,
                const std::optional<std::string> &error, const std::optional<std::string> &headers) {
  exec_statement(tx, name, on_outcome_sql(user_sql), id, state, attempt, opt(error), opt(headers));
}

void wake_flag_set(pqxx::transaction_base &tx, bool wanted) {
  exec_query(tx, "wake_flag_set", wanted ? 1 : 0);
}

bool wake_gate_try_lock(pqxx::transaction_base &tx) {
  return exec_query1(tx, "wake_gate_try_lock")[0].as<bool>();
}

bool wake_gate_unlock(pqxx::transaction_base &tx) { return exec_query1(tx, "wake_gate_unlock")[0].as<bool>(); }

void wake_request(pqxx::transaction_base &tx) { exec_query(tx, "wake_request"); }

std::optional<long long> message_next_due(pqxx::transaction_base &tx, const std::string &destinations) {
  return opt_as<long long>(exec_query1(tx, "message_next_due", destinations)[0]);
}

PurgedBatch message_purge_finished(pqxx::transaction_base &tx, const std::vector<std::string> &states,
                                   long long retention_seconds, int batch, const std::string &resume_at) {
  const auto row =
      exec_query1(tx, "message_purge_finished", text_array_literal(states), retention_seconds, batch, resume_at);
  return PurgedBatch{row[0].as<long long>(), opt_as<std::string>(row[1])};
}

std::vector<DestinationCountRow> message_unknown_destinations(pqxx::transaction_base &tx,
                                                              const std::string &destinations) {
  std::vector<DestinationCountRow> out;
  for (const auto &row : exec_query(tx, "message_unknown_destinations", destinations))
    out.push_back(DestinationCountRow{row[0].as<std::string>(), row[1].as<long long>()});
  return out;
}

EnqueuedRow message_enqueue(pqxx::transaction_base &tx, const EnqueueParams &p) {
  // Integers that may be NULL go as text, which PostgreSQL casts ($8::integer, $9::bigint).
  const std::optional<std::string> max_attempts =
      p.max_attempts ? std::optional<std::string>(std::to_string(*p.max_attempts)) : std::nullopt;
  const std::optional<std::string> delay_ms =
      p.delay_ms ? std::optional<std::string>(std::to_string(*p.delay_ms)) : std::nullopt;
  const pqxx::row row = exec_query1(tx, "message_enqueue", p.destination, p.payload_json, p.headers_json,
                                    opt(p.available_at), opt(p.idempotency_key), opt(p.ordering_key), p.priority,
                                    opt(max_attempts), opt(delay_ms));
  return EnqueuedRow{row[0].as<std::string>(), row[1].as<bool>()};
}

std::vector<StatsRow> message_pending_stats(pqxx::transaction_base &tx) {
  std::vector<StatsRow> out;
  for (const auto &row : exec_query(tx, "message_pending_stats"))
    out.push_back(StatsRow{row[0].as<std::string>(), "pending", row[1].as<long long>(), opt_as<double>(row[2]), 0});
  return out;
}

std::vector<OverviewCountsRow> message_overview_counts(pqxx::transaction_base &tx) {
  std::vector<OverviewCountsRow> out;
  for (const auto &row : exec_query(tx, "message_overview_counts"))
    out.push_back(OverviewCountsRow{row[0].as<std::string>(), row[1].as<long long>(), row[2].as<long long>(),
                                    row[3].as<long long>(), row[4].as<long long>(), row[5].as<long long>(),
                                    opt_as<double>(row[6])});
  return out;
}

DeliveredSeconds message_delivered_per_second(pqxx::transaction_base &tx, std::optional<double> from_second,
                                              double window_seconds) {
  DeliveredSeconds out;
  const std::optional<std::string> from = from_second ? std::optional<std::string>(std::to_string(*from_second))
                                                      : std::nullopt;
  for (const auto &row : exec_query(tx, "message_delivered_per_second", opt(from), window_seconds)) {
    if (row[0].is_null()) {  // the window
      out.first_second = row[1].as<long long>();
      out.now_second = row[2].as<long long>();
    } else {
      out.rows.push_back(DeliveredSecondRow{row[0].as<std::string>(), row[1].as<long long>(), row[2].as<long long>()});
    }
  }
  return out;
}

std::vector<StatsRow> message_stats(pqxx::transaction_base &tx) {
  std::vector<StatsRow> out;
  for (const auto &row : exec_query(tx, "message_stats")) {
    StatsRow s;
    s.destination = row[0].as<std::string>();
    s.state = row[1].as<std::string>();
    s.count = row[2].as<long long>();
    s.oldest_pending_seconds = opt_as<double>(row[3]);
    s.delivered_last_minute = row[4].as<long long>();
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<MessageStateRow> message_state(pqxx::transaction_base &tx, const std::string &id) {
  const pqxx::result rows = exec_query(tx, "message_state", id);
  if (rows.empty()) return std::nullopt;
  return MessageStateRow{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

std::vector<ListedRow> message_list(pqxx::transaction_base &tx, const ListParams &p) {
  // Planned for these values each time, never as a prepared (generic) plan: a listing of one state
  // or ordering key then walks the index that holds them (messages_stopped_idx for the dead,
  // messages_ordering_idx for a key) instead of the primary key over the whole delivered history.
  // Planning costs a millisecond; a listing is an operator's or the dashboard's, not the hot path.
  const pqxx::result rows =
      tx.exec_params(query_text("message_list"), opt(p.destination), opt(p.state), p.after_seq, p.limit, p.max_bytes,
                     p.max_text_bytes, opt(p.omit_reason), opt(p.id), opt(p.ordering_key), opt(p.id_low),
                     opt(p.id_high), p.newest_first);
  std::vector<ListedRow> out;
  out.reserve(rows.size());
  for (const auto &row : rows) out.push_back(ListedRow{row[0].as<long long>(), opt_text(row[1])});
  return out;
}

std::optional<std::string> message_retry(pqxx::transaction_base &tx, const std::string &id,
                                         int default_max_attempts) {
  return changed_id(exec_query(tx, "message_retry", id, default_max_attempts));
}

std::optional<std::string> message_cancel(pqxx::transaction_base &tx, const std::string &id) {
  return changed_id(exec_query(tx, "message_cancel", id));
}

std::vector<std::string> destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                                int default_max_attempts) {
  std::vector<std::string> ids;
  for (const auto &row : exec_query(tx, "destination_retry_dead", destination, default_max_attempts))
    ids.push_back(row[0].as<std::string>());
  return ids;
}

// ---- Destination controls: pause and resume ------------------------------------------------

bool destination_pause(pqxx::transaction_base &tx, const std::string &destination) {
  return exec_query1(tx, "destination_pause", destination)[0].as<bool>();
}

bool destination_resume(pqxx::transaction_base &tx, const std::string &destination) {
  return exec_query1(tx, "destination_resume", destination)[0].as<bool>();
}

std::vector<DestinationControlRow> destination_controls_list(pqxx::transaction_base &tx) {
  std::vector<DestinationControlRow> out;
  for (const auto &row : exec_query(tx, "destination_controls_list"))
    out.push_back(DestinationControlRow{row[0].as<std::string>(), row[1].as<bool>(), opt_text(row[2])});
  return out;
}

}  // namespace outboxd::queries

// ---- Rate limits shared by daemons ------------------------------------------------------------

namespace outboxd::queries {

RateTakeRow rate_take_shared(pqxx::transaction_base &tx, const std::string &destination, double per_second,
                             int burst, int want) {
  const pqxx::row row = exec_query1(tx, "rate_take_shared", destination, per_second, burst, want);
  return RateTakeRow{row[0].as<int>(), row[1].as<double>()};
}

}  // namespace outboxd::queries

// ---- Each daemon's circuit breakers, for `outboxd stats` (migration 0006) ---------------------

namespace outboxd::queries {

void breaker_state_publish(pqxx::transaction_base &tx, const std::string &daemon, const std::string &destination,
                           const std::string &state, const std::string &reason, long long changed_ms_ago,
                           std::optional<long long> next_probe_in_ms) {
  // A bigint that may be NULL goes as text, which PostgreSQL casts ($6::bigint).
  const std::optional<std::string> next =
      next_probe_in_ms ? std::optional<std::string>(std::to_string(*next_probe_in_ms)) : std::nullopt;
  exec_query(tx, "breaker_state_publish", daemon, destination, state, reason, changed_ms_ago, opt(next));
}

void breaker_states_prune(pqxx::transaction_base &tx, long long max_age_seconds) {
  exec_query(tx, "breaker_states_prune", max_age_seconds);
}

void breaker_states_forget_daemon(pqxx::transaction_base &tx, const std::string &daemon) {
  exec_query(tx, "breaker_states_forget_daemon", daemon);
}

std::vector<BreakerStateRow> breaker_states_list(pqxx::transaction_base &tx) {
  std::vector<BreakerStateRow> out;
  for (const auto &row : exec_query(tx, "breaker_states_list")) {
    BreakerStateRow b;
    b.daemon = row[0].as<std::string>();
    b.destination = row[1].as<std::string>();
    b.state = row[2].as<std::string>();
    b.reason = row[3].as<std::string>();
    b.changed_at = row[4].as<std::string>();
    b.next_probe_at = opt_text(row[5]);
    b.changed_seconds_ago = row[6].as<double>();
    if (!row[7].is_null()) b.next_probe_in_seconds = row[7].as<double>();
    b.refreshed_seconds_ago = row[8].as<double>();
    out.push_back(std::move(b));
  }
  return out;
}

std::optional<std::string> breaker_states_unreadable(pqxx::transaction_base &tx) {
  return opt_text(exec_query1(tx, "breaker_states_unreadable")[0]);
}

}  // namespace outboxd::queries

// ---- The lane scout -----------------------------------------------------------------------------

namespace outboxd::queries {

std::vector<std::string> lane_due_work(pqxx::transaction_base &tx, const std::vector<std::string> &destinations,
                                       const std::vector<std::string> &schedules_ahead) {
  std::vector<std::string> out;
  for (const auto &row : exec_query(tx, "lane_due_work", text_array_literal(destinations),
                                    text_array_literal(schedules_ahead)))
    out.push_back(row[0].as<std::string>());
  return out;
}

}  // namespace outboxd::queries

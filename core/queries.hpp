// One typed C++ function per sql/queries/*.sql, named after its file: its parameters as arguments,
// its rows as structs. This is the only module that runs the embedded queries (through
// core/named_query.hpp, which decides prepared-by-name or unnamed behind a pooler), so a query's
// parameter order and column order are written in one place: here and in its .sql header.
//
// Each function runs in the caller's transaction and throws what libpqxx throws. Which locks a
// query takes, and why it is written as it is, is said in its .sql file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace outboxd::queries {

// ---- The delivery path: claim, write out, outcomes -------------------------------------------

// A row of message_claim.sql. payload and headers are null when over max_text_bytes (see the
// file) or when claimed without writing them out.
struct ClaimedRow {
  long long seq = 0;
  std::string id, destination;
  std::optional<std::string> payload, headers;
  int attempt = 0;                           // attempts already made
  std::optional<int> max_attempts;           // the row's own; nullopt: the destination's
  std::optional<int64_t> available_at_ms;    // nullopt: outside outbox.available_at_in_range
  std::optional<std::string> available_at_text;  // set only for such a row
  std::optional<long long> text_bytes;       // payload and headers written out; nullopt unless write_out
  std::string xmin;                          // the row's version (core/kept_outcomes.hpp)
  std::optional<std::string> ordering_key;   // nullopt: none
  // Always true from message_claim.sql. From message_claim_key_runs.sql, false for a row of the
  // window that is locked but not claimed (an earlier row of its key is outside the window): no
  // payload, not to be sent.
  bool claimable = true;
};
// One destination's rows (its lane's); `schedules_ahead`: its plugin has
// OUTBOXD_PLUGIN_SCHEDULES_AHEAD; `first_attempts_only`: rows with attempt 0 only.
std::vector<ClaimedRow> message_claim(pqxx::transaction_base &tx, const std::string &destination, int limit,
                                      bool schedules_ahead, long long max_text_bytes, bool write_out,
                                      bool first_attempts_only = false);
// The same, by message_claim_key_runs.sql: a key's next rows in the window, several at once; rows
// of `keys_elsewhere` stay out of the window.
std::vector<ClaimedRow> message_claim_key_runs(pqxx::transaction_base &tx, const std::string &destination,
                                               int limit, bool schedules_ahead, long long max_text_bytes,
                                               bool write_out, bool first_attempts_only,
                                               const std::vector<std::string> &keys_elsewhere);

// message_write_out.sql: one claimed row's payload and headers, for a claim made without them.
struct WrittenOutRow {
  std::optional<std::string> payload, headers;  // null when over max_text_bytes, as in the claim
  long long text_bytes = 0;
};
WrittenOutRow message_write_out(pqxx::transaction_base &tx, long long seq, long long max_text_bytes);

// message_mark_delivered.sql and message_delete_delivered.sql: the seq of each row written.
std::vector<long long> message_mark_delivered(pqxx::transaction_base &tx, const std::vector<long long> &seqs);
std::vector<long long> message_delete_delivered(pqxx::transaction_base &tx, const std::vector<long long> &seqs);

// message_mark_outcomes.sql: one entry per message, in the same order in every vector; `states`
// are message_state names (delivered, pending, dead); an error of nullopt writes NULL. Returns how
// many rows were written (updated or deleted).
long long message_mark_outcomes(pqxx::transaction_base &tx, const std::vector<long long> &seqs,
                                const std::vector<std::string> &states, const std::vector<long long> &delays_ms,
                                const std::vector<std::optional<std::string>> &errors, bool delete_delivered,
                                int error_history);

// message_lock_kept.sql: one row per seq asked for.
struct LockedKeptRow {
  long long seq = 0;
  bool locked = false;  // this transaction now holds the row's lock; the next two are set only then
  std::string state, xmin;
  bool exists = false;  // the row is still there (locked by another transaction when !locked)
};
std::vector<LockedKeptRow> message_lock_kept(pqxx::transaction_base &tx, const std::vector<long long> &seqs);

// A destination's on_outcome statement (core/on_outcome.hpp) with its five typed parameters: by
// `name` on a direct connection, where the worker prepared it under that name for the running
// config; as the unnamed statement through a transaction pooler.
void on_outcome(pqxx::transaction_base &tx, const std::string &name, const std::string &user_sql,
                const std::string &id, const std::string &state, int attempt,
                const std::optional<std::string> &error, const std::optional<std::string> &headers);

// ---- The wake handshake (docs/architecture.md) -----------------------------------------------

// wake_flag_set.sql: whether a daemon sleeps and wants a NOTIFY. Takes effect at once.
void wake_flag_set(pqxx::transaction_base &tx, bool wanted);
// wake_gate_try_lock.sql: true when the gate was taken; release it with wake_gate_unlock.
bool wake_gate_try_lock(pqxx::transaction_base &tx);
// wake_gate_unlock.sql: true when this session held it.
bool wake_gate_unlock(pqxx::transaction_base &tx);
// wake_request.sql: wakes a sleeping daemon after rows were made due outside an INSERT.
void wake_request(pqxx::transaction_base &tx);
// message_next_due.sql: milliseconds until the earliest scheduled pending message of
// `destinations` (a text[] literal) is due; nullopt when none is scheduled.
std::optional<long long> message_next_due(pqxx::transaction_base &tx, const std::string &destinations);

// ---- Retention ---------------------------------------------------------------------------------

// message_purge_finished.sql: one batch of a retention sweep, starting at `resume_at` (a
// timestamptz in text, "-infinity" for the sweep's first batch).
struct PurgedBatch {
  long long deleted = 0;                           // at most `batch`
  std::optional<std::string> latest_finalized_at;  // where the next batch starts; absent if none
};
PurgedBatch message_purge_finished(pqxx::transaction_base &tx, const std::vector<std::string> &states,
                                   long long retention_seconds, int batch, const std::string &resume_at);

// message_unknown_destinations.sql: pending messages of destinations not in `destinations` (a
// text[] literal), per destination.
struct DestinationCountRow {
  std::string destination;
  long long count = 0;
};
std::vector<DestinationCountRow> message_unknown_destinations(pqxx::transaction_base &tx,
                                                              const std::string &destinations);

// ---- Enqueue, operator reads and writes ------------------------------------------------------

// message_enqueue.sql (core/outbox_store.hpp calls these EnqueueRequest and EnqueueResult).
struct EnqueueParams {
  std::string destination;
  std::string payload_json;
  std::string headers_json = "{}";
  std::optional<std::string> available_at;  // timestamptz text; absent = now
  std::optional<std::string> idempotency_key;
  std::optional<std::string> ordering_key;
  int priority = 0;
  std::optional<int> max_attempts;
  std::optional<long long> delay_ms;  // used when available_at is absent: due now + delay_ms
};
struct EnqueuedRow {
  std::string id;
  bool created = true;  // false: the idempotency key existed; id is the existing message's
};
EnqueuedRow message_enqueue(pqxx::transaction_base &tx, const EnqueueParams &p);

// message_stats.sql: one row per destination and state, in that order.
struct StatsRow {
  std::string destination, state;
  long long count = 0;
  std::optional<double> oldest_pending_seconds;  // pending rows only
  // Delivered rows finalized in the last minute: only those retention has not deleted yet.
  long long delivered_last_minute = 0;
};
std::vector<StatsRow> message_stats(pqxx::transaction_base &tx);

// message_pending_stats.sql: pending messages per destination (state "pending", count, the
// oldest's age), in destination order; reads pending rows only. GET /metrics runs its text on a
// bounded session of its own (api/database_gauges.hpp).
std::vector<StatsRow> message_pending_stats(pqxx::transaction_base &tx);

// message_overview_counts.sql: per destination, in name order, what the dashboard's overview
// counts; reads pending, dead and cancelled rows only. The dashboard runs its text on a bounded
// session of its own (api/dashboard_overview.hpp), as it does message_delivered_per_second.sql's.
struct OverviewCountsRow {
  std::string destination;
  long long pending_due = 0, scheduled = 0, retrying = 0, dead = 0, cancelled = 0;
  std::optional<double> oldest_pending_seconds;
};
std::vector<OverviewCountsRow> message_overview_counts(pqxx::transaction_base &tx);

// message_delivered_per_second.sql: the window counted (the later of `from_second` and `window_seconds`
// back from the database's now(), and the database's current second) and the delivered messages per
// destination and Unix second of finalized_at in it, in no particular order.
struct DeliveredSecondRow {
  std::string destination;
  long long second = 0, count = 0;
};
struct DeliveredSeconds {
  long long first_second = 0, now_second = 0;
  std::vector<DeliveredSecondRow> rows;
};
DeliveredSeconds message_delivered_per_second(pqxx::transaction_base &tx, std::optional<double> from_second,
                                              double window_seconds);

// message_state.sql: nullopt when there is no such message. `id` must be a valid UUID.
struct MessageStateRow {
  std::string destination, state;
};
std::optional<MessageStateRow> message_state(pqxx::transaction_base &tx, const std::string &id);

// message_list.sql: a page (or with `id` the one message), bounded by `limit` rows and `max_bytes`.
struct ListParams {
  std::optional<std::string> destination, state;  // nullopt: all
  long long after_seq = 0;
  int limit = 100;
  long long max_bytes = 0;
  long long max_text_bytes = 0;            // a message over it shows "omitted"
  std::optional<std::string> omit_reason;  // set: no payloads written out, every one "omitted" so
  std::optional<std::string> id;           // set: only this message
  std::optional<std::string> ordering_key;  // nullopt: all
  std::optional<std::string> id_low, id_high;  // both set: only ids in this range (an id prefix)
  bool newest_first = false;  // descending seq; after_seq 0 then starts at the newest
};
struct ListedRow {
  long long seq = 0;
  // The message as JSON text; nullopt on the last row when the byte budget ended the page: it
  // did not fit, and says that more follow.
  std::optional<std::string> message;
};
std::vector<ListedRow> message_list(pqxx::transaction_base &tx, const ListParams &p);

// message_retry.sql, message_cancel.sql: the id when the row changed state; nullopt otherwise.
std::optional<std::string> message_retry(pqxx::transaction_base &tx, const std::string &id,
                                         int default_max_attempts);
std::optional<std::string> message_cancel(pqxx::transaction_base &tx, const std::string &id);

// destination_retry_dead.sql: the id of each message made pending again.
std::vector<std::string> destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                                int default_max_attempts);

// ---- Destination controls: pause and resume (outbox.destination_controls) -------------------

// destination_pause.sql, destination_resume.sql: true when the destination's paused state changed,
// false when it already was as asked. A resume wakes a sleeping daemon (the table's trigger).
bool destination_pause(pqxx::transaction_base &tx, const std::string &destination);
bool destination_resume(pqxx::transaction_base &tx, const std::string &destination);

// destination_controls_list.sql: every destination ever paused, in name order.
struct DestinationControlRow {
  std::string destination;
  bool paused = false;
  std::optional<std::string> paused_at;  // ISO 8601; nullopt while not paused
};
std::vector<DestinationControlRow> destination_controls_list(pqxx::transaction_base &tx);

}  // namespace outboxd::queries

// ---- Rate limits shared by daemons (core/shared_rate_limiter.hpp) ------------------------------

namespace outboxd::queries {

// rate_take_shared.sql: takes up to `want` tokens from `destination`'s row of outbox.rate_buckets
// (inserted full when missing). Run it in a pqxx::nontransaction, on its own: the row lock lasts
// only as long as the statement.
struct RateTakeRow {
  int granted = 0;                    // 0..want
  double seconds_to_next_token = 0;   // 0: a whole token is left
};
RateTakeRow rate_take_shared(pqxx::transaction_base &tx, const std::string &destination, double per_second,
                             int burst, int want);

}  // namespace outboxd::queries

// ---- Each daemon's circuit breakers, for `outboxd stats` (migration 0006) ---------------------

namespace outboxd::queries {

// breaker_state_publish.sql: writes `daemon`'s row for `destination` (one autocommit statement:
// run it in a pqxx::nontransaction). changed_ms_ago: since the change; next_probe_in_ms: while
// open, else nullopt.
void breaker_state_publish(pqxx::transaction_base &tx, const std::string &daemon, const std::string &destination,
                           const std::string &state, const std::string &reason, long long changed_ms_ago,
                           std::optional<long long> next_probe_in_ms);

// breaker_states_prune.sql: deletes the rows of any daemon not refreshed for `max_age_seconds`.
void breaker_states_prune(pqxx::transaction_base &tx, long long max_age_seconds);

// breaker_states_forget_daemon.sql: deletes `daemon`'s rows (a clean stop).
void breaker_states_forget_daemon(pqxx::transaction_base &tx, const std::string &daemon);

// breaker_states_list.sql: every row, in destination, then daemon, order.
struct BreakerStateRow {
  std::string daemon, destination, state, reason;
  std::string changed_at;                     // ISO 8601
  std::optional<std::string> next_probe_at;   // ISO 8601, while open
  double changed_seconds_ago = 0;
  std::optional<double> next_probe_in_seconds;  // while open; negative when overdue
  double refreshed_seconds_ago = 0;             // over ~30 s: the daemon may have stopped
};
std::vector<BreakerStateRow> breaker_states_list(pqxx::transaction_base &tx);

// breaker_states_unreadable.sql: why breaker_states_list cannot run on this database (not migrated
// to 0006, or a standby), nullopt when it can.
std::optional<std::string> breaker_states_unreadable(pqxx::transaction_base &tx);

}  // namespace outboxd::queries

// ---- The lane scout: which quiet lanes have work (core/lane_scout.hpp) -------------------------

namespace outboxd::queries {

// lane_due_work.sql: the destinations among `destinations` with a message a claim would take now;
// `schedules_ahead` names those whose plugin takes first attempts before they are due.
std::vector<std::string> lane_due_work(pqxx::transaction_base &tx, const std::vector<std::string> &destinations,
                                       const std::vector<std::string> &schedules_ahead);

}  // namespace outboxd::queries

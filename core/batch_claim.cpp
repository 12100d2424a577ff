// The claim of a worker's batch (core/batch_claim.hpp). The usual way costs one statement; the way
// around a row PostgreSQL cannot write out costs a statement and a savepoint per row, and is taken
// only after the usual one failed with an error such a row causes.
#include "core/batch_claim.hpp"

#include <algorithm>
#include <limits>

#include "core/available_at.hpp"
#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "core/queries.hpp"
#include "core/savepoint.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {
namespace {

void decide_now(Claimed &c, Outcome outcome) {
  c.unsendable = true;
  c.outcome = std::move(outcome);
}

void make_dead(Claimed &c, const std::string &why) {
  decide_now(c, Outcome{NextState::Dead, std::chrono::milliseconds(0), why + "; never sent"});
}

// A claimed row's columns but the payload's and the headers' (message_claim.sql).
Claimed from_row(queries::ClaimedRow &row, const Destinations &destinations) {
  Claimed c;
  c.seq = row.seq;
  c.id = std::move(row.id);
  c.destination = std::move(row.destination);
  c.row_version = std::move(row.xmin);
  c.ordering_key = std::move(row.ordering_key);
  const int made = row.attempt;  // attempts already made
  c.attempt = made < std::numeric_limits<int>::max() ? made + 1 : made;
  const Destination *dest = destinations.find(c.destination);
  c.max_attempts = row.max_attempts.value_or(dest->config.max_attempts);
  if (!row.available_at_ms) {
    // No time a plugin could be given, and no point in waiting for it. Dead rather than due now:
    // a time that far off is a mistake, and sending on a guess could be the wrong thing to do.
    decide_now(c, Outcome{NextState::Dead, std::chrono::milliseconds(0),
                          "available_at " + row.available_at_text.value_or("") + " is not " + kAvailableAtRange +
                              " (written before the schema checked it); never sent: retry the message to send "
                              "it now"});
  } else {
    c.available_at_ms = *row.available_at_ms;
  }
  // A pending row whose own max_attempts its attempts already reach (made pending again by hand
  // without resetting attempt), or whose count cannot grow: sent, its outcome could not be written
  // (the CHECK attempt <= max_attempts, or integer overflow), the batch would roll back and every
  // claim would send it again. Dead at once instead, saying how to give it a new round.
  if (!c.unsendable && ((row.max_attempts && made >= c.max_attempts) || made == std::numeric_limits<int>::max()))
    make_dead(c, "its " + std::to_string(made) + " attempts already reach its max_attempts " +
                     (!row.max_attempts ? std::string("(none, and the count cannot grow)") : std::to_string(c.max_attempts)) +
                     " (made pending again without resetting attempt?); retry it through the API for a new round");
  return c;
}

// The payload and headers as written out (NULL when larger than kMaxMessageTextBytes, with their
// size in `bytes`); a message too large to hand on is made dead.
void take_text(Claimed &c, std::optional<std::string> &&payload, std::optional<std::string> &&headers,
               long long bytes) {
  c.headers = std::move(headers);
  if (payload) {
    c.payload = std::move(*payload);
    return;
  }
  if (c.unsendable) return;  // decided already, and that says why
  make_dead(c, "payload and headers are " + std::to_string(bytes) + " bytes written out, more than the " +
                   std::to_string(kMaxMessageTextBytes) + " (64 MiB) a plugin is handed");
}

// The claimable rows; `left` is set to the count of those left for their keys.
std::vector<queries::ClaimedRow> claim_rows(pqxx::work &tx, const Destination &dest, const ClaimScope &scope,
                                            bool write_out, int &left) {
  apply_transaction_settings(tx, SessionRole::Worker);  // the claim is the first statement of its transaction
  const bool ahead = dest.instance->plugin().schedules_ahead();
  if (!scope.key_runs)
    return queries::message_claim(tx, dest.config.name, scope.limit, ahead, kMaxMessageTextBytes, write_out,
                                  scope.first_attempts_only);
  std::vector<queries::ClaimedRow> rows = queries::message_claim_key_runs(
      tx, dest.config.name, scope.limit, ahead, kMaxMessageTextBytes, write_out, scope.first_attempts_only,
      scope.keys_elsewhere);
  const auto claimed_end = std::stable_partition(rows.begin(), rows.end(),
                                                 [](const queries::ClaimedRow &r) { return r.claimable; });
  left = static_cast<int>(rows.end() - claimed_end);
  rows.erase(claimed_end, rows.end());
  return rows;
}

// The way around a row PostgreSQL cannot write out: claim without writing anything out, then
// write each row out under a savepoint. A row that fails gets its outcome here, with PostgreSQL's
// reason; the rest go on as usual.
ClaimedBatch claim_one_by_one(pqxx::work &tx, const Runtime &rt, const Destination &dest, const ClaimScope &scope,
                              spdlog::logger &log) {
  ClaimedBatch claimed;
  std::vector<Claimed> &batch = claimed.rows;
  for (auto &row : claim_rows(tx, dest, scope, false, claimed.left_for_their_keys)) {
    Claimed c = from_row(row, *rt.destinations);
    try {
      under_savepoint(tx, [&] {
        queries::WrittenOutRow text = queries::message_write_out(tx, c.seq, kMaxMessageTextBytes);
        take_text(c, std::move(text.payload), std::move(text.headers), text.text_bytes);
      });
    } catch (const pqxx::sql_error &e) {
      if (!is_row_write_out_error(e.sqlstate())) throw;
      log.error("message {} (seq {}) to {}: PostgreSQL cannot write its payload or headers out ({} {})", c.id,
                c.seq, c.destination, e.sqlstate(), sql_error_line(e, true));
      // Dead, not retried: the row is the cause, and would fail the same way each time (its
      // available_at may have decided it already, and that says why).
      if (!c.unsendable)
        make_dead(c, "PostgreSQL cannot write its payload or headers out (" + e.sqlstate() + ": " +
                         sql_error_line(e, true) + ")");
    }
    batch.push_back(std::move(c));
  }
  return claimed;
}

}  // namespace

ClaimedBatch claim_batch(pqxx::connection &conn, std::optional<pqxx::work> &tx, const Runtime &rt,
                         const Destination &dest, spdlog::logger &log, const ClaimScope &scope) {
  tx.emplace(conn);
  ClaimedBatch claimed;
  try {
    std::vector<queries::ClaimedRow> rows = claim_rows(*tx, dest, scope, true, claimed.left_for_their_keys);
    claimed.rows.reserve(rows.size());
    for (auto &row : rows) {
      claimed.rows.push_back(from_row(row, *rt.destinations));
      take_text(claimed.rows.back(), std::move(row.payload), std::move(row.headers), row.text_bytes.value_or(0));
    }
    return claimed;
  } catch (const pqxx::sql_error &e) {
    if (!is_row_write_out_error(e.sqlstate())) throw;
    log.warn("the claim failed ({} {}): claiming again without writing payloads out, then each on its own, "
             "so the row that causes it cannot hold up the others",
             e.sqlstate(), sql_error_line(e, true));
  }
  tx.reset();  // rolls back: the failed statement ended that transaction
  tx.emplace(conn);
  return claim_one_by_one(*tx, rt, dest, scope, log);
}

}  // namespace outboxd

// The claim of a worker's batch (core/batch_claim.hpp). The usual way costs one statement; the way
// around a row PostgreSQL cannot write out costs a statement and a savepoint per row, and is taken
// only after the usual one failed with an error such a row causes.
#include "core/batch_claim.hpp"

#include <limits>

#include "core/available_at.hpp"
#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "core/named_query.hpp"
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
Claimed from_row(const pqxx::row &row, const Destinations &destinations) {
  Claimed c;
  c.seq = row[0].as<long long>();
  c.id = row[1].as<std::string>();
  c.destination = row[2].as<std::string>();
  c.row_version = row[10].as<std::string>();
  const int made = row[5].as<int>();  // attempts already made
  c.attempt = made < std::numeric_limits<int>::max() ? made + 1 : made;
  const Destination *dest = destinations.find(c.destination);
  c.max_attempts = row[6].is_null() ? dest->config.max_attempts : row[6].as<int>();
  if (row[7].is_null()) {
    // No time a plugin could be given, and no point in waiting for it. Dead rather than due now:
    // a time that far off is a mistake, and sending on a guess could be the wrong thing to do.
    decide_now(c, Outcome{NextState::Dead, std::chrono::milliseconds(0),
                          "available_at " + row[8].as<std::string>() + " is not " + kAvailableAtRange +
                              " (written before the schema checked it); never sent: retry the message to send "
                              "it now"});
  } else {
    c.available_at_ms = row[7].as<int64_t>();
  }
  // A pending row whose own max_attempts its attempts already reach (made pending again by hand
  // without resetting attempt), or whose count cannot grow: sent, its outcome could not be written
  // (the CHECK attempt <= max_attempts, or integer overflow), the batch would roll back and every
  // claim would send it again. Dead at once instead, saying how to give it a new round.
  if (!c.unsendable && ((!row[6].is_null() && made >= c.max_attempts) || made == std::numeric_limits<int>::max()))
    make_dead(c, "its " + std::to_string(made) + " attempts already reach its max_attempts " +
                     (row[6].is_null() ? std::string("(none, and the count cannot grow)") : std::to_string(c.max_attempts)) +
                     " (made pending again without resetting attempt?); retry it through the API for a new round");
  return c;
}

// The payload and headers as written out (NULL when larger than kMaxMessageTextBytes, with their
// size in `bytes`); a message too large to hand on is made dead.
void take_text(Claimed &c, const pqxx::field &payload, const pqxx::field &headers, const pqxx::field &bytes) {
  if (!headers.is_null()) c.headers = std::string(headers.c_str(), headers.size());
  if (!payload.is_null()) {
    c.payload.assign(payload.c_str(), payload.size());
    return;
  }
  if (c.unsendable) return;  // decided already, and that says why
  make_dead(c, "payload and headers are " + bytes.as<std::string>() + " bytes written out, more than the " +
                   std::to_string(kMaxMessageTextBytes) + " (64 MiB) a plugin is handed");
}

pqxx::result claim_rows(pqxx::work &tx, const Runtime &rt, int limit, bool write_out) {
  apply_transaction_settings(tx, SessionRole::Worker);  // the claim is the first statement of its transaction
  return exec_query(tx, "message_claim", rt.destination_list, limit, rt.schedules_ahead_list,
                          kMaxMessageTextBytes, write_out);
}

// The way around a row PostgreSQL cannot write out: claim without writing anything out, then
// write each row out under a savepoint. A row that fails gets its outcome here, with PostgreSQL's
// reason; the rest go on as usual.
std::vector<Claimed> claim_one_by_one(pqxx::work &tx, const Runtime &rt, int limit, spdlog::logger &log) {
  std::vector<Claimed> batch;
  for (const auto &row : claim_rows(tx, rt, limit, false)) {
    Claimed c = from_row(row, *rt.destinations);
    try {
      under_savepoint(tx, [&] {
        const pqxx::row text = exec_query1(tx, "message_write_out", c.seq, kMaxMessageTextBytes);
        take_text(c, text[0], text[1], text[2]);
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
  return batch;
}

}  // namespace

std::vector<Claimed> claim_batch(pqxx::connection &conn, std::optional<pqxx::work> &tx, const Runtime &rt,
                                 spdlog::logger &log, int limit) {
  tx.emplace(conn);
  std::vector<Claimed> batch;
  try {
    const pqxx::result rows = claim_rows(*tx, rt, limit, true);
    batch.reserve(rows.size());
    for (const auto &row : rows) {
      batch.push_back(from_row(row, *rt.destinations));
      take_text(batch.back(), row[3], row[4], row[9]);
    }
    return batch;
  } catch (const pqxx::sql_error &e) {
    if (!is_row_write_out_error(e.sqlstate())) throw;
    log.warn("the claim failed ({} {}): claiming again without writing payloads out, then each on its own, "
             "so the row that causes it cannot hold up the others",
             e.sqlstate(), sql_error_line(e, true));
  }
  tx.reset();  // rolls back: the failed statement ended that transaction
  tx.emplace(conn);
  return claim_one_by_one(*tx, rt, limit, log);
}

}  // namespace outboxd

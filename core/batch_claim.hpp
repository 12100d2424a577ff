// Claiming a batch: one statement claims the due messages and writes their payloads out; when that
// statement fails with an error one row can cause, the batch is claimed again without them and
// each row is written out on its own, so one row PostgreSQL cannot write out never stops a claim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/outcome.hpp"
#include "core/runtime.hpp"

namespace outboxd {

struct Claimed {
  long long seq = 0;
  std::string id, destination, payload;
  // The row's xmin when claimed: any committed change since (an operator's cancel and retry) gives
  // it another, and a rolled-back one does not, so a kept outcome is written only to the version
  // of the row it was sent for.
  std::string row_version;
  std::optional<std::string> ordering_key;  // nullopt: none
  bool keyed() const { return ordering_key.has_value(); }
  std::optional<std::string> headers;  // nullopt: PostgreSQL could not write them out, or too large
  int attempt = 0;                     // the attempt being made now (1 for the first)
  int max_attempts = 0;
  int64_t available_at_ms = 0;  // Unix epoch ms; in the future only for a plugin that schedules ahead
  // Never sent: its outcome was decided at the claim, because its available_at is outside the
  // range the schema accepts (a row from before migration 0002), or because PostgreSQL cannot
  // write its payload out or writes it out larger than kMaxMessageTextBytes.
  bool unsendable = false;
  // Not sent now either: sent by an earlier batch whose outcome write failed, and this is the
  // outcome that batch kept (core/kept_outcomes.hpp), written now instead of sending again.
  bool sent_before = false;
  Outcome outcome;
};

// What one claim asks for.
struct ClaimScope {
  int limit = 0;                     // the most rows
  bool first_attempts_only = false;  // rows with attempt 0 only (message_claim.sql's $6)
  // Claim by message_claim_key_runs.sql: a key's next rows in the window at once, not one row per
  // key (the batch then holds keys' runs: send them with core/key_waves.hpp).
  bool key_runs = false;
  // With key_runs: keys the lane's other workers hold in their open batches, left out of the
  // window (core/keys_in_flight.hpp).
  std::vector<std::string> keys_elsewhere;
};

struct ClaimedBatch {
  std::vector<Claimed> rows;  // in claim order, (priority, seq)
  // With key_runs: rows of the window left out because an earlier row of their key lies outside
  // it (locked, unsent, until the transaction ends). message_claim.sql walks past them.
  int left_for_their_keys = 0;
};

// Opens a transaction on `conn` into `tx` and claims due messages of `dest` (one of rt's
// destinations) as `scope` says, leaving it open for the caller to send and record the batch. A
// row PostgreSQL cannot write out comes back dead (unsendable, with the reason), logged by its id.
ClaimedBatch claim_batch(pqxx::connection &conn, std::optional<pqxx::work> &tx, const Runtime &rt,
                         const Destination &dest, spdlog::logger &log, const ClaimScope &scope);

}  // namespace outboxd

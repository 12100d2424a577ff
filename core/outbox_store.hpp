// Operations on the outbox outside the delivery path: enqueue and statistics (CLI, later the API).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/queries.hpp"

namespace outboxd {

// The enqueue's request and answer are the typed parameters and row of message_enqueue.sql.
using EnqueueRequest = queries::EnqueueParams;
using EnqueueResult = queries::EnqueuedRow;

// Runs inside the caller's transaction, so several enqueues can commit together. Throws
// InvalidAvailableAt (core/available_at.hpp) when PostgreSQL cannot read available_at as a time or
// the time is outside the range the schema accepts; other database errors as libpqxx throws them.
EnqueueResult enqueue(pqxx::transaction_base &tx, const EnqueueRequest &req);

// After enqueue() failed with an error PostgreSQL raised for one of the request's values (a data
// exception such as text it cannot encode: U+4E2D in a LATIN1 database): which field it was, as
// the message's field name ("payload", "headers", "destination", "idempotency_key",
// "ordering_key"), and PostgreSQL's reason. Asks PostgreSQL to read each value on its own, one
// statement each on `conn`, outside any transaction (the enqueue's must be over). nullopt when none
// fails on its own.
struct RefusedField {
  std::string field, reason;
};
std::optional<RefusedField> find_refused_field(pqxx::connection &conn, const EnqueueRequest &req);

using StatsRow = queries::StatsRow;
using queries::message_stats;  // per destination and state

// A message as JSON text (the shape of sql/queries/message_list.sql) and its seq (the list cursor).
struct MessageJson {
  long long seq = 0;
  std::string json;
};

// What the operator writes and an enqueue's answer need to know of a message.
using MessageState = queries::MessageStateRow;
// `id` must already be a valid UUID. nullopt when there is no such message.
using queries::message_state;

// The bytes of message JSON one page of a list holds at most (a single larger message still makes a
// page of its own): GET /v1/messages answers one page in one response, held in memory while it is
// built and sent, so the page must be bounded by size and not only by its number of rows.
constexpr long long kListPageBytes = 4LL * 1024 * 1024;

struct MessageFilter {
  std::optional<std::string> destination, state;  // state: a valid message_state name
  std::optional<std::string> ordering_key;
  std::optional<std::string> id_low, id_high;  // both set: ids from id_low to id_high (an id prefix)
  bool newest_first = false;  // descending seq; after_seq is then the seq to go below (0: the newest)
  bool summary = false;       // no payloads or headers, "omitted" says so (a list's rows need none)
  long long after_seq = 0;
  int limit = 100;
  long long max_bytes = kListPageBytes;
};
struct MessagePage {
  std::vector<MessageJson> messages;  // in seq order (descending when newest_first)
  bool cut_short = false;  // max_bytes ended the page before `limit` rows; more rows follow
};

// GET /v1/messages and GET /v1/messages/{id}: read transactions of their own on `conn`. A message
// shows its payload and headers as PostgreSQL writes them out, unless they would be larger than
// kMaxMessageTextBytes or PostgreSQL cannot write them out at all (a row written through SQL that
// is over its 1 GB): then they are null and "omitted" says why (sql/queries/message_list.sql).
// Such a row fails the whole statement, so the page is then read without payloads and each message
// is tried on its own; the others show as usual. Other database errors are thrown.
MessagePage message_list(pqxx::connection &conn, const MessageFilter &filter);
// `id` must already be a valid UUID. nullopt when there is no such message.
std::optional<MessageJson> message_get(pqxx::connection &conn, const std::string &id);

// State writes. Each names the state it expects; the bool / count says whether rows changed.
// retry: dead|cancelled -> pending, due now, spent max_attempts raised by `default_max_attempts`
// (or the row's own); wakes a sleeping daemon. cancel: pending -> cancelled unless a worker has
// the row claimed (row-locked).
bool message_retry(pqxx::transaction_base &tx, const std::string &id, int default_max_attempts);
bool message_cancel(pqxx::transaction_base &tx, const std::string &id);
long long destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                 int default_max_attempts);

// Pause and resume a destination for every daemon on this database, until resumed: the claim skips
// a paused destination's messages (sql/queries/message_claim.sql). Each runs in the caller's
// transaction and answers whether it changed the state (false: it already was so).
using queries::destination_pause;
using queries::destination_resume;
// Every destination ever paused, paused now or not, in name order.
using DestinationControl = queries::DestinationControlRow;
using queries::destination_controls_list;

}  // namespace outboxd

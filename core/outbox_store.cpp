// Enqueue, statistics and operator reads and writes through the prepared embedded queries.
#include "core/outbox_store.hpp"

#include <algorithm>

#include "core/available_at.hpp"
#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "core/savepoint.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {
namespace {
// SQLSTATEs of a text that is no timestamptz: invalid_datetime_format (22007, "soon"),
// datetime_field_overflow (22008, "2024-13-01", a year past 294276), invalid_time_zone_displacement_value
// (22009) and invalid_parameter_value (22023, an unknown time zone name). None can come from the
// other parameters of message_enqueue.sql, which are JSON, text and integers.
bool is_timestamp_input_error(const std::string &sqlstate) {
  return sqlstate == "22007" || sqlstate == "22008" || sqlstate == "22009" || sqlstate == "22023";
}
}  // namespace

EnqueueResult enqueue(pqxx::transaction_base &tx, const EnqueueRequest &req) {
  try {
    return queries::message_enqueue(tx, req);
  } catch (const pqxx::check_violation &e) {
    if (std::string(e.what()).find("messages_available_at_in_range") == std::string::npos) throw;
    throw InvalidAvailableAt(std::string("must be ") + kAvailableAtRange + ", got " +
                             (req.available_at ? "\"" + *req.available_at + "\"" : "now + delay_ms"));
  } catch (const pqxx::data_exception &e) {
    if (!req.available_at || !is_timestamp_input_error(e.sqlstate())) throw;
    throw InvalidAvailableAt(sql_error_line(e));
  }
}

std::optional<RefusedField> find_refused_field(pqxx::connection &conn, const EnqueueRequest &req) {
  const std::pair<const char *, const std::optional<std::string>> values[] = {
      {"destination", req.destination}, {"payload", req.payload_json},         {"headers", req.headers_json},
      {"idempotency_key", req.idempotency_key}, {"ordering_key", req.ordering_key}};
  for (const auto &[field, value] : values) {
    if (!value) continue;
    const bool json = std::string(field) == "payload" || std::string(field) == "headers";
    try {
      pqxx::nontransaction tx(conn);
      tx.exec_params(json ? "SELECT $1::jsonb IS NULL" : "SELECT $1::text IS NULL", *value);
    } catch (const pqxx::sql_error &e) {
      return RefusedField{field, sql_error_line(e, true)};
    }
  }
  return std::nullopt;
}

namespace {

// One run of message_list.sql: a page, or with `id` the one message. `omit_reason`: show no
// payloads, say this instead.
MessagePage read_page(pqxx::transaction_base &tx, const MessageFilter &f, const char *omit_reason,
                      const std::string *id = nullptr) {
  queries::ListParams p;
  p.destination = f.destination;
  p.state = f.state;
  p.after_seq = f.after_seq;
  p.limit = f.limit;
  p.max_bytes = f.max_bytes;
  p.max_text_bytes = kMaxMessageTextBytes;
  p.ordering_key = f.ordering_key;
  p.id_low = f.id_low;
  p.id_high = f.id_high;
  p.newest_first = f.newest_first;
  if (omit_reason) {
    p.omit_reason = omit_reason;
  } else if (f.summary) {
    p.omit_reason = "not shown in a summary (fields=summary); GET /v1/messages/{id} shows them";
  }
  if (id) p.id = *id;
  std::vector<queries::ListedRow> rows = queries::message_list(tx, p);
  MessagePage page;
  page.messages.reserve(rows.size());
  for (auto &row : rows) {
    if (!row.message) {  // the first row that did not fit (message_list.sql)
      page.cut_short = true;
      break;
    }
    page.messages.push_back(MessageJson{row.seq, std::move(*row.message)});
  }
  return page;
}

std::string cannot_write_out(const pqxx::sql_error &e) {
  return "PostgreSQL cannot write its payload or headers out (" + e.sqlstate() + ": " + sql_error_line(e, true) + ")";
}

// The way around a row PostgreSQL cannot write out (it failed the page's statement): the page
// without payloads, then each message on its own under a savepoint, the one that fails again
// without its payload and with its own reason. The byte budget is applied again to what came.
MessagePage read_page_one_by_one(pqxx::dbtransaction &tx, const MessageFilter &f, const std::string *id,
                                 const std::string &reason) {
  MessagePage page = read_page(tx, f, reason.c_str(), id);
  long long bytes = 0;
  for (std::size_t i = 0; i < page.messages.size(); ++i) {
    MessageJson &m = page.messages[i];
    MessageFilter just_this;
    just_this.after_seq = m.seq - 1;
    just_this.limit = 1;
    std::optional<std::string> own_reason;
    try {
      under_savepoint(tx, [&] {
        MessagePage full = read_page(tx, just_this, nullptr);
        if (!full.messages.empty()) m = std::move(full.messages.front());
      });
    } catch (const pqxx::sql_error &e) {
      if (!is_row_write_out_error(e.sqlstate())) throw;
      own_reason = cannot_write_out(e);
    }
    if (own_reason) {
      MessagePage bare = read_page(tx, just_this, own_reason->c_str());
      if (!bare.messages.empty()) m = std::move(bare.messages.front());
    }
    bytes += static_cast<long long>(m.json.size());
    if (i > 0 && bytes > f.max_bytes) {
      page.messages.resize(i);
      page.cut_short = true;
      break;
    }
  }
  return page;
}

// A page (or with `id` one message), around rows PostgreSQL cannot write out.
MessagePage read_around_bad_rows(pqxx::connection &conn, const MessageFilter &f, const std::string *id) {
  std::string reason;
  try {
    pqxx::read_transaction tx(conn);
    apply_transaction_settings(tx, SessionRole::Api);  // the HTTP API's reads
    return read_page(tx, f, nullptr, id);
  } catch (const pqxx::sql_error &e) {
    if (!is_row_write_out_error(e.sqlstate())) throw;
    reason = cannot_write_out(e);
  }
  pqxx::read_transaction tx(conn);
  apply_transaction_settings(tx, SessionRole::Api);
  return read_page_one_by_one(tx, f, id, reason);
}

}  // namespace

MessagePage message_list(pqxx::connection &conn, const MessageFilter &f) {
  return read_around_bad_rows(conn, f, nullptr);
}

std::optional<MessageJson> message_get(pqxx::connection &conn, const std::string &id) {
  MessageFilter one;
  one.limit = 1;
  MessagePage page = read_around_bad_rows(conn, one, &id);
  if (page.messages.empty()) return std::nullopt;
  return std::move(page.messages.front());
}

bool message_retry(pqxx::transaction_base &tx, const std::string &id, int default_max_attempts) {
  const bool changed = queries::message_retry(tx, id, default_max_attempts).has_value();
  if (changed) queries::wake_request(tx);
  return changed;
}

bool message_cancel(pqxx::transaction_base &tx, const std::string &id) {
  return queries::message_cancel(tx, id).has_value();
}

long long destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                 int default_max_attempts) {
  const auto n = static_cast<long long>(queries::destination_retry_dead(tx, destination, default_max_attempts).size());
  if (n > 0) queries::wake_request(tx);
  return n;
}

}  // namespace outboxd

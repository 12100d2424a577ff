// Enqueue, statistics and operator reads and writes through the prepared embedded queries.
#include "core/outbox_store.hpp"

#include <algorithm>

#include "core/available_at.hpp"
#include "core/db.hpp"
#include "core/message_limits.hpp"
#include "core/named_query.hpp"
#include "core/savepoint.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {
namespace {
const char *opt(const std::optional<std::string> &v) { return v ? v->c_str() : nullptr; }

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
    auto row = exec_query1(tx, "message_enqueue", req.destination, req.payload_json, req.headers_json,
                                 opt(req.available_at), opt(req.idempotency_key), opt(req.ordering_key),
                                 req.priority, req.max_attempts ? std::to_string(*req.max_attempts).c_str() : nullptr,
                                 req.delay_ms ? std::to_string(*req.delay_ms).c_str() : nullptr);
    return EnqueueResult{row[0].as<std::string>(), row[1].as<bool>()};
  } catch (const pqxx::check_violation &e) {
    if (std::string(e.what()).find("messages_available_at_in_range") == std::string::npos) throw;
    throw InvalidAvailableAt(std::string("must be ") + kAvailableAtRange + ", got " +
                             (req.available_at ? "\"" + *req.available_at + "\"" : "now + delay_ms"));
  } catch (const pqxx::data_exception &e) {
    if (!req.available_at || !is_timestamp_input_error(e.sqlstate())) throw;
    throw InvalidAvailableAt(sql_error_line(e));
  }
}

std::vector<StatsRow> message_stats(pqxx::transaction_base &tx) {
  std::vector<StatsRow> out;
  for (const auto &row : exec_query(tx, "message_stats")) {
    StatsRow s;
    s.destination = row[0].as<std::string>();
    s.state = row[1].as<std::string>();
    s.count = row[2].as<long long>();
    if (!row[3].is_null()) s.oldest_pending_seconds = row[3].as<double>();
    s.delivered_last_minute = row[4].as<long long>();
    out.push_back(std::move(s));
  }
  return out;
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

std::optional<MessageState> message_state(pqxx::transaction_base &tx, const std::string &id) {
  const auto rows = exec_query(tx, "message_state", id);
  if (rows.empty()) return std::nullopt;
  return MessageState{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

namespace {

// One run of message_list.sql: a page, or with `id` the one message. `omit_reason`: show no
// payloads, say this instead.
MessagePage read_page(pqxx::transaction_base &tx, const MessageFilter &f, const char *omit_reason,
                      const std::string *id = nullptr) {
  MessagePage page;
  const pqxx::result rows = exec_query(tx, "message_list", opt(f.destination), opt(f.state), f.after_seq, f.limit,
                                             f.max_bytes, kMaxMessageTextBytes, omit_reason,
                                             id ? id->c_str() : nullptr);
  page.messages.reserve(rows.size());
  for (const auto &row : rows) {
    if (row[1].is_null()) {  // the first row that did not fit (message_list.sql)
      page.cut_short = true;
      break;
    }
    page.messages.push_back(MessageJson{row[0].as<long long>(), std::string(row[1].c_str(), row[1].size())});
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
  const bool changed = !exec_query(tx, "message_retry", id, default_max_attempts).empty();
  if (changed) exec_query(tx, "wake_request");
  return changed;
}

bool message_cancel(pqxx::transaction_base &tx, const std::string &id) {
  return !exec_query(tx, "message_cancel", id).empty();
}

long long destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                 int default_max_attempts) {
  const auto n = static_cast<long long>(
      exec_query(tx, "destination_retry_dead", destination, default_max_attempts).size());
  if (n > 0) exec_query(tx, "wake_request");
  return n;
}

}  // namespace outboxd

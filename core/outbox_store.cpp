// Enqueue, statistics and operator reads and writes through the prepared embedded queries.
#include "core/outbox_store.hpp"

#include <algorithm>

#include "core/available_at.hpp"

namespace outboxd {
namespace {
const char *opt(const std::optional<std::string> &v) { return v ? v->c_str() : nullptr; }

// PostgreSQL's own first line, without "ERROR:  " and the DETAIL that may quote the whole row.
std::string first_line(const pqxx::sql_error &e) {
  std::string msg = e.what();
  msg = msg.substr(0, msg.find('\n'));
  if (msg.rfind("ERROR:", 0) == 0) msg = msg.substr(std::min(msg.size(), msg.find_first_not_of(' ', 6)));
  return msg;
}

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
    auto row = tx.exec_prepared1("message_enqueue", req.destination, req.payload_json, req.headers_json,
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
    throw InvalidAvailableAt(first_line(e));
  }
}

std::vector<StatsRow> message_stats(pqxx::transaction_base &tx) {
  std::vector<StatsRow> out;
  for (const auto &row : tx.exec_prepared("message_stats")) {
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

std::optional<MessageJson> message_get(pqxx::transaction_base &tx, const std::string &id) {
  auto rows = tx.exec_prepared("message_get", id);
  if (rows.empty()) return std::nullopt;
  return MessageJson{rows[0][0].as<long long>(), rows[0][1].as<std::string>()};
}

MessagePage message_list(pqxx::transaction_base &tx, const MessageFilter &f) {
  MessagePage page;
  const pqxx::result rows =
      tx.exec_prepared("message_list", opt(f.destination), opt(f.state), f.after_seq, f.limit, f.max_bytes);
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

bool message_retry(pqxx::transaction_base &tx, const std::string &id, int default_max_attempts) {
  const bool changed = !tx.exec_prepared("message_retry", id, default_max_attempts).empty();
  if (changed) tx.exec_prepared("wake_request");
  return changed;
}

bool message_cancel(pqxx::transaction_base &tx, const std::string &id) {
  return !tx.exec_prepared("message_cancel", id).empty();
}

long long destination_retry_dead(pqxx::transaction_base &tx, const std::string &destination,
                                 int default_max_attempts) {
  const auto n = static_cast<long long>(
      tx.exec_prepared("destination_retry_dead", destination, default_max_attempts).size());
  if (n > 0) tx.exec_prepared("wake_request");
  return n;
}

}  // namespace outboxd

// Enqueue, statistics and operator reads and writes through the prepared embedded queries.
#include "core/outbox_store.hpp"

namespace outboxd {
namespace {
const char *opt(const std::optional<std::string> &v) { return v ? v->c_str() : nullptr; }
}  // namespace

EnqueueResult enqueue(pqxx::transaction_base &tx, const EnqueueRequest &req) {
  auto row = tx.exec_prepared1("message_enqueue", req.destination, req.payload_json, req.headers_json,
                               opt(req.available_at), opt(req.idempotency_key), opt(req.ordering_key),
                               req.priority, req.max_attempts ? std::to_string(*req.max_attempts).c_str() : nullptr,
                               req.delay_ms ? std::to_string(*req.delay_ms).c_str() : nullptr);
  return EnqueueResult{row[0].as<std::string>(), row[1].as<bool>()};
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

std::vector<MessageJson> message_list(pqxx::transaction_base &tx, const MessageFilter &f) {
  std::vector<MessageJson> out;
  for (const auto &row : tx.exec_prepared("message_list", opt(f.destination), opt(f.state), f.after_seq, f.limit))
    out.push_back(MessageJson{row[0].as<long long>(), row[1].as<std::string>()});
  return out;
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

// Enqueue and statistics through the prepared embedded queries.
#include "core/outbox_store.hpp"

namespace outboxd {
namespace {
const char *opt(const std::optional<std::string> &v) { return v ? v->c_str() : nullptr; }
}  // namespace

EnqueueResult enqueue(pqxx::transaction_base &tx, const EnqueueRequest &req) {
  auto row = tx.exec_prepared1("message_enqueue", req.destination, req.payload_json, req.headers_json,
                               opt(req.available_at), opt(req.idempotency_key), opt(req.ordering_key),
                               req.priority, req.max_attempts ? std::to_string(*req.max_attempts).c_str() : nullptr);
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
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace outboxd

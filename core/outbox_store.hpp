// Operations on the outbox outside the delivery path: enqueue and statistics (CLI, later the API).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace outboxd {

struct EnqueueRequest {
  std::string destination;
  std::string payload_json;
  std::string headers_json = "{}";
  std::optional<std::string> available_at;  // timestamptz text; absent = now
  std::optional<std::string> idempotency_key;
  std::optional<std::string> ordering_key;
  int priority = 0;
  std::optional<int> max_attempts;
};

struct EnqueueResult {
  std::string id;
  bool created = true;  // false: the idempotency key existed; id is the existing message's
};

// Runs inside the caller's transaction, so several enqueues can commit together.
EnqueueResult enqueue(pqxx::transaction_base &tx, const EnqueueRequest &req);

struct StatsRow {
  std::string destination, state;
  long long count = 0;
  std::optional<double> oldest_pending_seconds;
};
std::vector<StatsRow> message_stats(pqxx::transaction_base &tx);

}  // namespace outboxd

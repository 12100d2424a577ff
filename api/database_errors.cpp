// Database errors as HTTP answers (api/database_errors.hpp).
#include "api/database_errors.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "api/db_pool.hpp"
#include "core/sql_errors.hpp"

namespace outboxd::api {
namespace {

ApiError unavailable(const std::string &detail) { return ApiError{503, "database_unavailable", detail}; }

}  // namespace

std::optional<ApiError> database_error_answer(const std::exception &e, std::string &log_detail) {
  log_detail = e.what();
  if (const auto *pool = dynamic_cast<const PoolUnavailable *>(&e)) {
    log_detail = pool->log_detail();
    return unavailable(pool->what());
  }
  if (dynamic_cast<const pqxx::broken_connection *>(&e)) return unavailable("lost the database connection; retry");
  if (dynamic_cast<const pqxx::in_doubt_error *>(&e))
    return unavailable("the database connection broke during the commit, so whether the request took effect is "
                       "unknown; look before you retry (an idempotency key makes a repeated enqueue safe)");
  const ApiError busy{503, "database_busy",
                      "the database cannot do this right now (out of memory or disk, one of its limits, or a "
                      "conflict with another transaction); retry later"};
  if (dynamic_cast<const pqxx::transaction_rollback *>(&e)) return busy;  // serialization failure, deadlock
  const auto *sql = dynamic_cast<const pqxx::sql_error *>(&e);
  if (!sql) return std::nullopt;
  const std::string &code = sql->sqlstate();
  const std::string group = code.substr(0, 2);
  if (group == "22") return ApiError{400, "invalid_data", "PostgreSQL refused the request's data: " + sql_error_line(*sql)};
  if (code == "57014")
    return ApiError{503, "database_timeout", "the database did not answer in time (statement timeout); retry"};
  if (group == "08" || code == "53300" || code == "57P01" || code == "57P02" || code == "57P03" || code == "25006")
    return unavailable("the database cannot be reached; retry");
  if (group == "53" || group == "54" || group == "40" || code == "55P03") return busy;
  return std::nullopt;
}

void ThrottledLog::warn(const std::string &kind, const std::string &line) {
  const auto now = std::chrono::steady_clock::now();
  long long quiet = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, first] = seen_.try_emplace(kind);
    Seen &s = it->second;
    if (!first && now - s.logged_at < every_) {
      ++s.quiet;
      return;
    }
    quiet = std::exchange(s.quiet, 0);
    s.logged_at = now;
  }
  if (quiet > 0)
    spdlog::warn("{} ({} more like it in the last {} s were not logged)", line, quiet, every_.count());
  else
    spdlog::warn("{}", line);
}

}  // namespace outboxd::api

// Gives on_outcome statements a fixed parameter list (PostgreSQL infers it from the $n used).
#include "core/on_outcome.hpp"

#include <cctype>

namespace outboxd {

std::string on_outcome_sql(const std::string &user_sql) {
  static const std::string params =
      "outboxd_params AS (SELECT $1::uuid, $2::text, $3::integer, $4::text, $5::jsonb)";
  size_t start = 0;
  while (start < user_sql.size() && std::isspace(static_cast<unsigned char>(user_sql[start]))) ++start;
  std::string head = user_sql.substr(start, 5);
  for (auto &c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool has_with = head.size() == 5 && head.compare(0, 4, "WITH") == 0 && std::isspace(static_cast<unsigned char>(head[4]));
  if (has_with) return "WITH " + params + ", " + user_sql.substr(start + 5);
  return "WITH " + params + " " + user_sql.substr(start);
}

std::string on_outcome_name(uint64_t generation, const std::string &destination) {
  return "on_outcome:" + std::to_string(generation) + ":" + destination;
}

void check_on_outcome_prepares(pqxx::connection &conn, const std::string &user_sql) {
  // libpqxx prepares lazily, so ask the server directly. In one transaction, which is rolled back:
  // through a transaction pooler both statements then reach the same server session, and the
  // name is gone again before the session serves anyone else.
  pqxx::work tx(conn);
  tx.exec("PREPARE outboxd_check_on_outcome AS " + on_outcome_sql(user_sql));
  tx.exec("DEALLOCATE outboxd_check_on_outcome");
}

}  // namespace outboxd

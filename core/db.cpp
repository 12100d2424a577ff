// Connection setup and array literals for libpqxx 6.4.
#include "core/db.hpp"

#include "core/sql_catalog.hpp"

namespace outboxd {
namespace {

void append_quoted(std::string &out, const std::string &item) {
  out += '"';
  for (char c : item) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::unique_ptr<pqxx::connection> open_connection(const std::string &conninfo) {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo);
    prepare_queries(*conn);
    return conn;
  } catch (const pqxx::broken_connection &e) {
    throw DbConnectionLost(std::string("cannot connect to PostgreSQL (") + redact_conninfo(conninfo) +
                           "): " + e.what());
  }
}

std::string conninfo_with_default(const std::string &conninfo, const std::string &key, const std::string &value) {
  if (conninfo.find(key) != std::string::npos) return conninfo;
  const std::string setting = key + "=" + value;
  if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0)
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + setting;
  return conninfo.empty() ? setting : conninfo + " " + setting;
}

void tune_worker_session(pqxx::connection_base &conn) {
  // The claim must walk messages_claim_idx in (priority, seq) order and stop after batch_size rows.
  // When the table's statistics are stale (analysed while nearly empty, then a burst arrives) the
  // planner instead reads and sorts every pending row for each batch: 100-200 ms a claim instead of
  // a fraction of a millisecond (docs/BENCHMARKS.md). With sorting priced out, the ordered index
  // scan is the only plan left. Worker connections run only the claim, the outcome writes (array
  // joins on the primary key) and on_outcome statements, none of which needs a sort.
  pqxx::nontransaction tx(conn);
  tx.exec("SET enable_sort = off");
}

std::string text_array_literal(const std::vector<std::string> &items) {
  return nullable_text_array_literal(items, std::vector<bool>(items.size(), false));
}

std::string nullable_text_array_literal(const std::vector<std::string> &items,
                                        const std::vector<bool> &is_null) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (is_null[i]) {
      out += "NULL";
    } else {
      append_quoted(out, items[i]);
    }
  }
  return out + "}";
}

}  // namespace outboxd

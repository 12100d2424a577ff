// Connection setup and array literals for libpqxx 6.4.
#include "core/db.hpp"

#include <map>
#include <optional>
#include <stdexcept>

#include "core/connection_settings.hpp"
#include "core/conninfo_options.hpp"
#include "core/named_query.hpp"
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

// "SET a = 'x'; SET b = 'y'; " (`verb` "SET " or "SET LOCAL "). The names and values are ours,
// from session_settings(), never the user's.
std::string set_statements(SessionRole role, const char *verb) {
  std::string sql;
  for (const SessionSetting &s : session_settings(role)) sql += verb + s.name + " = '" + s.value + "'; ";
  return sql;
}

}  // namespace

std::unique_ptr<pqxx::connection> open_plain_connection(const std::string &conninfo, const std::string &shown_as) {
  const std::string &shown = shown_as.empty() ? conninfo : shown_as;
  // libpq's own message for a string it cannot parse quotes the string, password and all.
  if (std::optional<std::string> problem = conninfo_problem(conninfo))
    throw ConfigError("database.url: " + *problem);
  // Without it the session takes the database's encoding: in a LATIN1 database the UTF-8 of every
  // payload and of every answer would be read as LATIN1 and stored or delivered as mojibake. With
  // it the server converts, and a character the database cannot hold is an error.
  const std::string effective = conninfo_with_default(conninfo, "client_encoding", "UTF8");
  try {
    return std::make_unique<pqxx::connection>(effective);
  } catch (const pqxx::broken_connection &e) {
    throw DbConnectionLost(std::string("cannot connect to PostgreSQL (") + redact_conninfo(shown) +
                           "): " + hide_conninfo_secrets(e.what(), conninfo));
  }
}

std::unique_ptr<pqxx::connection> open_connection(const std::string &conninfo, const std::string &shown_as) {
  auto conn = open_plain_connection(conninfo, shown_as);
  if (current_pooler() == Pooler::None) prepare_queries(*conn);
  return conn;
}

std::string conninfo_with_default(const std::string &conninfo, const std::string &key, const std::string &value) {
  std::optional<std::map<std::string, std::string>> options = conninfo_options(conninfo);
  if (!options || options->count(key)) return conninfo;  // unreadable: open_plain_connection says why
  (*options)[key] = value;
  return conninfo_from_options(*options);
}

std::vector<SessionSetting> session_settings(SessionRole role) {
  // Worker: the claim must walk messages_claim_idx in (priority, seq) order and stop after
  // batch_size rows. When the table's statistics are stale (analysed while nearly empty, then a
  // burst arrives) the planner instead reads and sorts every pending row for each batch: 100-200 ms
  // a claim instead of a fraction of a millisecond (docs/BENCHMARKS.md). With sorting priced out,
  // the ordered index scan is the only plan left. Worker transactions run only the claim, the
  // outcome writes (array joins on the primary key) and on_outcome statements; the one sort left,
  // of a failed message's few error-history entries, still runs (priced out is not forbidden).
  // jit off: a plan priced out that way costs more than jit_above_cost, and PostgreSQL then compiled
  // every outcome write that held a failure: 0.6 to 0.9 s of JIT for a statement of a millisecond,
  // per batch, which slowed a storm of retries to a crawl (e2e LaneFairness found it). Statements
  // this short never gain from JIT.
  // Worker, Pruner, Listener: database.statement_timeout and the server's side of the keepalives
  // (core/connection_settings.hpp).
  // Api: a request should fail, not hang a worker thread, when the database stalls.
  // Readiness: backs up the probe's own 2 s deadline, so a check it gives up on (say, behind a
  // lock) does not leave its statement waiting on the server.
  // Gauges: the same for the 10 s deadline of GET /metrics' read of the pending counts (a backlog
  // of millions takes seconds to count), whose plan must stay on the pending rows' partial indexes
  // however stale the statistics (message_pending_stats.sql).
  std::vector<SessionSetting> out;
  switch (role) {
    case SessionRole::Worker:
      out = engine_limit_settings();
      out.push_back({"enable_sort", "off"});
      out.push_back({"jit", "off"});
      // A claim stays open while its batch is sent. A role's or database's
      // idle_in_transaction_session_timeout shorter than a slow batch would end the session under
      // it, release the rows and have them claimed and sent again.
      out.push_back({"idle_in_transaction_session_timeout", "0"});
      return out;
    case SessionRole::Pruner:
    case SessionRole::Listener:
      return engine_limit_settings();
    case SessionRole::Api:
      return {{"statement_timeout", "30000"}};
    case SessionRole::Readiness:
      return {{"statement_timeout", "3000"}};
    case SessionRole::Gauges:
      return {{"statement_timeout", "11000"}, {"enable_seqscan", "off"}, {"jit", "off"}};
  }
  throw std::logic_error("session role without settings");
}

void apply_session_settings(pqxx::connection_base &conn, SessionRole role) {
  if (current_pooler() == Pooler::Transaction || session_settings(role).empty()) return;
  pqxx::nontransaction tx(conn);
  tx.exec(set_statements(role, "SET "));
}

void apply_transaction_settings(pqxx::transaction_base &tx, SessionRole role) {
  if (current_pooler() == Pooler::None || session_settings(role).empty()) return;
  tx.exec(transaction_settings_sql(role));
}

std::string transaction_settings_sql(SessionRole role) { return set_statements(role, "SET LOCAL "); }

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

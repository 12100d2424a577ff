// Classifying PostgreSQL errors by SQLSTATE (core/sql_errors.hpp).
#include "core/sql_errors.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace outboxd {

std::string sql_error_line(const pqxx::sql_error &e, bool with_detail) {
  const std::string text = e.what();
  std::string line = text.substr(0, text.find('\n'));
  if (line.rfind("ERROR:", 0) == 0) line = line.substr(std::min(line.size(), line.find_first_not_of(' ', 6)));
  const std::size_t detail = text.find("\nDETAIL:");
  if (with_detail && detail != std::string::npos) {
    std::string more = text.substr(detail + 8);
    more = more.substr(0, more.find('\n'));
    more = more.substr(std::min(more.size(), more.find_first_not_of(' ')));
    if (!more.empty()) line += ": " + more;
  }
  return line;
}

std::string one_line(const std::exception &e) {
  std::string text = e.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char &c : text)
    if (c == '\n') c = ' ';
  return text;
}

bool is_refused_value_error(const std::string &sqlstate) {
  return sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("54", 0) == 0;
}

bool is_row_write_out_error(const std::string &sqlstate) {
  if (sqlstate.size() != 5) return false;
  const std::string cls = sqlstate.substr(0, 2);
  return cls == "22" || cls == "54" || sqlstate == "53200" || sqlstate == "XX001";
}

bool needs_new_session(const std::string &sqlstate) {
  return sqlstate == "25006" || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03" || sqlstate == "57P04" || sqlstate == "57P05";
}

bool is_passing_fault(const std::string &sqlstate) {
  return needs_new_session(sqlstate) || sqlstate.rfind("53", 0) == 0 || sqlstate.rfind("58", 0) == 0 ||
         sqlstate == "57014" || sqlstate == "55P03" || sqlstate == "40001" || sqlstate == "40P01";
}

namespace {
// libpqxx 6.4 throws these classes for some SQLSTATEs instead of a pqxx::sql_error. Among them
// 40003 (statement_completion_unknown) is a commit whose result is unknown, as in_doubt_error.
bool is_connection_loss(const std::exception &e) {
  return dynamic_cast<const pqxx::broken_connection *>(&e) || dynamic_cast<const pqxx::in_doubt_error *>(&e) ||
         dynamic_cast<const pqxx::statement_completion_unknown *>(&e) ||
         dynamic_cast<const DbConnectionLost *>(&e);
}
}  // namespace

bool needs_new_session(const std::exception &e) {
  if (is_connection_loss(e)) return true;
  const auto *sql = dynamic_cast<const pqxx::sql_error *>(&e);
  return sql && needs_new_session(sql->sqlstate());
}

bool is_passing_fault(const std::exception &e) {
  // 40001 and 40P01 (serialization failure, deadlock), as pqxx::transaction_rollback subclasses.
  if (is_connection_loss(e) || dynamic_cast<const pqxx::transaction_rollback *>(&e)) return true;
  const auto *sql = dynamic_cast<const pqxx::sql_error *>(&e);
  return sql && is_passing_fault(sql->sqlstate());
}

FaultAction classify_fault(const std::exception &e, const pqxx::connection_base *conn) {
  if (conn == nullptr || !conn->is_open() || needs_new_session(e)) return FaultAction::Reconnect;
  if (is_passing_fault(e)) return FaultAction::RetryLater;
  return FaultAction::StatementFault;
}

const char *fault_action_name(FaultAction action) {
  switch (action) {
    case FaultAction::Reconnect: return "reconnect";
    case FaultAction::RetryLater: return "retry later";
    case FaultAction::StatementFault: return "statement fault";
  }
  return "unknown";
}

}  // namespace outboxd

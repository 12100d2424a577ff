// Classifying PostgreSQL errors by SQLSTATE (core/sql_errors.hpp).
#include "core/sql_errors.hpp"

#include <algorithm>

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

bool is_refused_value_error(const std::string &sqlstate) {
  return sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("54", 0) == 0;
}

bool is_row_write_out_error(const std::string &sqlstate) {
  if (sqlstate.size() != 5) return false;
  const std::string cls = sqlstate.substr(0, 2);
  return cls == "22" || cls == "54" || sqlstate == "53200" || sqlstate == "XX001";
}

}  // namespace outboxd

// What a PostgreSQL error says about its cause, by SQLSTATE: the engine and the HTTP API decide
// what to do with an error here, in one place.
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace outboxd {

// PostgreSQL's own first line, without "ERROR:  ", and without the DETAIL that may quote a whole
// row, unless `with_detail` (the DETAIL of "out of memory" is what says it was a 1 GB text).
std::string sql_error_line(const pqxx::sql_error &e, bool with_detail = false);

// Errors an enqueue's own values cause: a data exception (class 22: text the database's encoding
// cannot hold, JSON jsonb refuses) or a limit (class 54: a value over one of PostgreSQL's sizes).
// The caller names the field (find_refused_field, core/outbox_store.hpp) as a client error.
bool is_refused_value_error(const std::string &sqlstate);

// Errors one row can cause when PostgreSQL writes it out, and so a reason to write each row out
// on its own: a data exception (class 22: a value it cannot convert or encode), a program limit
// (class 54: a text over its 1 GB, which it reports as "out of memory ... Cannot enlarge string
// buffer"), memory running out (53200) and corrupt stored data (XX001).
bool is_row_write_out_error(const std::string &sqlstate);

}  // namespace outboxd

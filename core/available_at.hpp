// The times available_at may hold, in words for error messages. The schema is the authority:
// outbox.available_at_in_range() in sql/migrations/0002_available_at_in_range.up.sql.
#pragma once

#include <stdexcept>

namespace outboxd {

constexpr const char *kAvailableAtRange =
    "a finite time from 1970-01-01 00:00:00+00 up to, not including, 2200-01-01 00:00:00+00";

// The database refused an enqueue's available_at: text PostgreSQL cannot read as a timestamptz,
// or a time outside the range. what() says why without naming the field, so the HTTP API can
// prefix "available_at: " and the CLI "--available-at: ".
class InvalidAvailableAt : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace outboxd

// The times available_at may hold, in words for error messages. The schema is the authority:
// outbox.available_at_in_range() in sql/migrations/0002_available_at_in_range.up.sql.
#pragma once

namespace outboxd {

constexpr const char *kAvailableAtRange =
    "a finite time from 1970-01-01 00:00:00+00 up to, not including, 2200-01-01 00:00:00+00";

}  // namespace outboxd

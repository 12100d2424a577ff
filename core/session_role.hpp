// The daemon's kinds of database connection, and a session setting of one (core/db.hpp applies
// them, core/connection_settings.hpp adds the engine's limits).
#pragma once

#include <string>

namespace outboxd {

// Which of the daemon's connections a session setting is for.
enum class SessionRole { Worker, Pruner, Listener, Api, Readiness, Gauges };

struct SessionSetting {
  std::string name;   // a PostgreSQL parameter, e.g. enable_sort
  std::string value;  // as SET takes it, e.g. off
};

}  // namespace outboxd

// Blocking work the main thread must not be stuck in: connecting to and checking the database at
// start and on reload. A database that accepts connections and never answers (a hung host, a
// partition) would otherwise hold the main thread, and with it SIGTERM, for as long as it lasts.
#pragma once

#include <functional>
#include <string>

namespace outboxd::cli {

// Runs `step` on a thread of its own while this thread keeps taking signals (see signals.hpp).
// Returns true when the step finished; an exception it threw is rethrown here. Returns false when
// SIGTERM or SIGINT came first: the step is abandoned and its thread finishes on its own, so the
// step must own (by value or shared_ptr) everything it touches. A SIGHUP meanwhile is logged and
// ignored. `what` names the step in the log ("connecting to the database").
bool run_unless_stopped(const std::string &what, std::function<void()> step);

}  // namespace outboxd::cli

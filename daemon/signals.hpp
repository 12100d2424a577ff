// Signal handling without signal handlers: signals are blocked in every thread and taken with
// sigtimedwait on the main thread, so no real work ever happens in signal context.
#pragma once

#include <chrono>

namespace outboxd::cli {

// Ignores SIGPIPE: a peer that hangs up (a database, a plugin's server) must not kill any command.
// Call first thing in main().
void ignore_sigpipe();

// Blocks SIGTERM, SIGINT and SIGHUP for this thread and every thread created after it, so that only
// next_signal() takes them. For `run` only, before any thread exists (plugin init may start some):
// a one-shot command keeps the default actions, so Ctrl-C stops it wherever it waits.
void block_signals();

// Waits up to `timeout` for SIGTERM, SIGINT or SIGHUP; returns it, or 0 on timeout.
int next_signal(std::chrono::milliseconds timeout);

// Waits up to `timeout`; true if SIGTERM or SIGINT arrived (a SIGHUP now is logged and ignored).
bool wait_for_signal(std::chrono::milliseconds timeout);

// Sends a state line to systemd when run as a Type=notify service (NOTIFY_SOCKET set); else nothing.
void notify_systemd(const char *state);

}  // namespace outboxd::cli

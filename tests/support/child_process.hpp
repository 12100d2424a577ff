// Starts helper processes (peer servers, the daemon) as children of the test process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace outboxd::test {

// Forks and runs args[0] (looked up in PATH unless it holds a '/') with the rest as its arguments,
// with every signal unblocked (the test runner may block some) and stdout and stderr appended to
// `log_path` (inherited when empty). A non-zero `death_signal` is sent to the child when the test
// process dies, so a peer never outlives a test that crashed before its destructor ran. Returns
// the child's pid; throws std::runtime_error when fork fails.
pid_t spawn_child(const std::vector<std::string> &args, const std::string &log_path, int death_signal);

// A loopback TCP port the OS just handed out (bound to 0, then closed): nothing listens on it
// until someone binds it, so it also serves "server down" tests.
int free_loopback_port();

}  // namespace outboxd::test

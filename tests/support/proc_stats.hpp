// What /proc says about a running process: resident memory, CPU time of a named thread, open file
// descriptors. For tests that a request leaves no lasting memory, no spinning thread, no leaked fd.
#pragma once

#include <sys/types.h>

#include <string>

namespace outboxd::test {

// VmRSS of `pid` in KiB (-1 when unreadable).
long rss_kib(pid_t pid);

// User plus system CPU time, in clock ticks, of the threads of `pid` whose name (comm) starts with
// `thread_prefix` ("" for all threads).
long cpu_ticks(pid_t pid, const std::string &thread_prefix = "");

// Clock ticks per second (sysconf(_SC_CLK_TCK)).
long ticks_per_second();

// Number of open file descriptors of `pid`.
int open_fds(pid_t pid);

}  // namespace outboxd::test

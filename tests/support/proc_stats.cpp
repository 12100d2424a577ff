// Reading /proc/<pid> for the transport tests (tests/support/proc_stats.hpp).
#include "tests/support/proc_stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace outboxd::test {
namespace {

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename F>
void each_entry(const std::string &dir, F &&f) {
  DIR *d = opendir(dir.c_str());
  if (!d) return;
  while (dirent *e = readdir(d))
    if (e->d_name[0] != '.') f(std::string(e->d_name));
  closedir(d);
}

}  // namespace

long rss_kib(pid_t pid) {
  std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

long cpu_ticks(pid_t pid, const std::string &thread_prefix) {
  long total = 0;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  each_entry(tasks, [&](const std::string &tid) {
    std::string comm = slurp(tasks + "/" + tid + "/comm");
    if (comm.rfind(thread_prefix, 0) != 0) return;
    const std::string stat = slurp(tasks + "/" + tid + "/stat");
    const auto close_paren = stat.rfind(')');  // the name may hold spaces; fields follow it
    if (close_paren == std::string::npos) return;
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {  // field 3 is the state; utime is 14, stime 15
      if (i == 14) utime = std::stol(field);
      if (i == 15) {
        stime = std::stol(field);
        break;
      }
    }
    total += utime + stime;
  });
  return total;
}

long ticks_per_second() { return sysconf(_SC_CLK_TCK); }

int open_fds(pid_t pid) {
  int n = 0;
  each_entry("/proc/" + std::to_string(pid) + "/fd", [&](const std::string &) { ++n; });
  return n;
}

}  // namespace outboxd::test

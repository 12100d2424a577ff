// Bench-only sender plugin: appends "<message id> <CLOCK_REALTIME ns>\n" to a file at each send(),
// so the latency mode can subtract the enqueuer's commit time. Accepts every message. Thread-safe
// (one write() per line on an O_APPEND descriptor). Config: {"path": "/some/file"} and nothing else.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "outboxd/plugin.h"

namespace {

struct StampState {
  int fd = -1;
};

void stamp_error(char *buffer, size_t cap, const std::string &message) {
  if (buffer != nullptr && cap > 0) std::snprintf(buffer, cap, "%s", message.c_str());
}

// The daemon hands over compact JSON; a bench tool only needs {"path":"<no quotes or escapes>"}.
bool stamp_parse_path(const char *json, std::string &path, std::string &error) {
  const std::string text = json != nullptr ? json : "{}";
  const std::string prefix = "{\"path\":\"";
  if (text.compare(0, prefix.size(), prefix) != 0 || text.size() < prefix.size() + 3 ||
      text.compare(text.size() - 2, 2, "\"}") != 0) {
    error = "config must be exactly {\"path\": \"/file\"}, got " + text;
    return false;
  }
  path = text.substr(prefix.size(), text.size() - prefix.size() - 2);
  if (path.find_first_of("\"\\") != std::string::npos) {
    error = "path: quotes and backslashes are not supported by the bench plugin";
    return false;
  }
  return true;
}

int stamp_init(const outboxd_host *, const char *config_json, void **state, char *error,
               size_t error_cap) noexcept {
  *state = nullptr;
  try {
    std::string path, message;
    if (!stamp_parse_path(config_json, path, message)) {
      stamp_error(error, error_cap, message);
      return 1;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      stamp_error(error, error_cap, "path: cannot open '" + path + "': " + std::strerror(errno));
      return 1;
    }
    *state = new StampState{fd};
    return 0;
  } catch (...) {
    stamp_error(error, error_cap, "init failed");
    return 1;
  }
}

// Takes the time first, so formatting and the write are not counted as latency.
void stamp_send(void *state, const outboxd_message *msg, outboxd_result *result) noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char line[128];
  int n = std::snprintf(line, sizeof line, "%s %lld\n", msg->id,
                        static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
  if (n <= 0 || ::write(static_cast<StampState *>(state)->fd, line, static_cast<size_t>(n)) != n) {
    result->status = OUTBOXD_RETRY;
    stamp_error(result->error, result->error_cap, "stamp: write failed");
  }
}

void stamp_shutdown(void *state) noexcept {
  auto *s = static_cast<StampState *>(state);
  if (s == nullptr) return;
  if (s->fd >= 0) ::close(s->fd);
  delete s;
}

constexpr outboxd_plugin stamp_table = {
    OUTBOXD_PLUGIN_ABI_VERSION, sizeof(outboxd_plugin), "stamp", "0.0.1", OUTBOXD_PLUGIN_THREAD_SAFE,
    &stamp_init, &stamp_send, &stamp_shutdown, nullptr, nullptr,
};

}  // namespace

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) { return &stamp_table; }

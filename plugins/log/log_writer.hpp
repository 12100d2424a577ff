// Formats one message as a JSON line and appends it to the log plugin's file or stdout.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd::log_plugin {

// {"id":…,"destination":…,"attempt":N,"headers":{…},"payload":…} without the trailing newline.
// headers and payload are copied as stored when they are single-line JSON. Throws on allocation
// failure only.
std::string log_format_line(const outboxd_message &msg);

// An append-only sink: a file opened with O_APPEND (each line is one write(), so lines from
// several instances or processes never interleave mid-line) or stdout. A file moved or removed by
// log rotation is noticed within kRotationCheckEvery and created again at its path, so
// logrotate's default (rename, then create) needs no signal. Thread-safe.
class LogWriter {
 public:
  LogWriter() = default;
  ~LogWriter();
  LogWriter(const LogWriter &) = delete;
  LogWriter &operator=(const LogWriter &) = delete;

  // Opens `path` ("-" = stdout) when it exists; a missing file is created by the first write, and
  // open() only checks that its directory is writable. Creates nothing. On failure returns false
  // with `error` saying why.
  bool open(const std::string &path, std::string &error);

  // Writes `line` plus '\n'. On failure returns false with `error` naming the file and errno text.
  bool write_line(const std::string &line, std::string &error);

 private:
  static constexpr std::chrono::seconds kRotationCheckEvery{1};
  // Under mutex_: opens the file at path_ when it is not the one open (or none is). False, with
  // `error`, when there is no file to write to.
  bool reopen_if_moved(std::string &error);

  std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  std::chrono::steady_clock::time_point next_check_{};
};

}  // namespace outboxd::log_plugin

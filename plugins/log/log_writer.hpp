// Formats one message as a JSON line and appends it to the log plugin's file or stdout.
#pragma once

#include <mutex>
#include <string>

#include "outboxd/plugin.h"

namespace outboxd::log_plugin {

// {"id":…,"destination":…,"attempt":N,"headers":{…},"payload":…} without the trailing newline.
// headers and payload are copied as stored when they are single-line JSON. Throws on allocation
// failure only.
std::string log_format_line(const outboxd_message &msg);

// An append-only sink: a file opened with O_APPEND (each line is one write(), so lines from
// several instances or processes never interleave mid-line) or stdout. Thread-safe.
class LogWriter {
 public:
  LogWriter() = default;
  ~LogWriter();
  LogWriter(const LogWriter &) = delete;
  LogWriter &operator=(const LogWriter &) = delete;

  // Opens `path` ("-" = stdout). On failure returns false with `error` saying why.
  bool open(const std::string &path, std::string &error);

  // Writes `line` plus '\n'. On failure returns false with `error` naming the file and errno text.
  bool write_line(const std::string &line, std::string &error);

 private:
  std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
};

}  // namespace outboxd::log_plugin

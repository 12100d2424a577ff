// spdlog setup: text or JSON lines (docs/configuration.md, `log`), and one named logger per component.
#pragma once

#include <memory>
#include <string>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include "core/config.hpp"

namespace outboxd {

// Replaces the default logger's format and level. Safe to call again (e.g. after reading config).
void setup_logging(const std::string &level, LogFormat format);

// A logger named after the component ("worker", "listener"), sharing the default sinks.
std::shared_ptr<spdlog::logger> component_logger(const std::string &component);

// The formatter of `format`; `journal`: stderr goes to systemd's journal, so each line starts with
// its syslog priority (sd-daemon(3): "<3>" for an error) and carries no timestamp (the journal
// has its own). Text messages are written on one line (one_line).
std::unique_ptr<spdlog::formatter> log_formatter(LogFormat format, bool journal);

// `text` on one line: each line break, with the indentation after it, becomes one space; trailing
// line breaks go.
std::string one_line(const std::string &text);

// Whether JOURNAL_STREAM's value ("DEVICE:INODE", set by systemd) names the file `fd` is open on.
bool journal_stream_is(const char *journal_stream, int fd);

}  // namespace outboxd

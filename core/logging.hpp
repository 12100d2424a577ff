// spdlog setup: text or JSON lines (docs/configuration.md, `log`), and one named logger per component.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "core/config.hpp"

namespace outboxd {

// Replaces the default logger's format and level. Safe to call again (e.g. after reading config).
void setup_logging(const std::string &level, LogFormat format);

// A logger named after the component ("worker", "listener"), sharing the default sinks.
std::shared_ptr<spdlog::logger> component_logger(const std::string &component);

}  // namespace outboxd

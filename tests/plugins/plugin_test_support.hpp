// Helpers for the plugin tests: paths to built plugins, a message that owns its strings, and a
// capture of what plugins log through the host (TempDir and read_lines are tests/support's).
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/plugin_call.hpp"
#include "tests/support/daemon_process.hpp"  // TempDir, read_lines
#include "tests/support/paths.hpp"
#include "tests/support/test_message.hpp"

namespace outboxd::test {

inline std::string plugin_path(const std::string &name) {
  return outboxd_test_plugin_path(OUTBOXD_TEST_PLUGIN_DIR, name);
}
inline std::string fixture_path(const std::string &name) {
  return outboxd_test_plugin_path(OUTBOXD_TEST_FIXTURE_PLUGIN_DIR, name);
}

inline TestMessage message_with_payload(const std::string &payload, int32_t attempt = 1) {
  TestMessage m;
  m.payload = payload;
  m.attempt = attempt;
  return m;
}

// While alive, the "plugin" logger writes into a string instead of wherever it went before.
class CapturedPluginLog {
 public:
  CapturedPluginLog() {
    spdlog::drop("plugin");
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_, /*force_flush=*/true);
    sink->set_pattern("%l %v");
    auto logger = std::make_shared<spdlog::logger>("plugin", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::register_logger(logger);
  }
  ~CapturedPluginLog() { spdlog::drop("plugin"); }
  CapturedPluginLog(const CapturedPluginLog &) = delete;
  CapturedPluginLog &operator=(const CapturedPluginLog &) = delete;
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace outboxd::test

// Helpers for the plugin tests: paths to built plugins, a message that owns its strings, a temp
// directory, and a capture of what plugins log through the host.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/plugin_loader.hpp"
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

// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "outboxd-plugin-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  std::string file(const std::string &name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::string> read_lines(const std::string &path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
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

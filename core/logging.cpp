// Log formatting: a readable text line, or one JSON object per line with the message escaped; under
// systemd's journal, each line led by its syslog priority and without a timestamp of its own.
#include "core/logging.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace outboxd {
namespace {

// %* : the message as a JSON string (quotes included), so any byte in it stays valid JSON.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
    std::string text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// %Q : the message on one line. A log line is a log entry to the journal and to most collectors,
// and libpq's errors span lines ("ERROR: ...", "DETAIL: ...", a tab-indented hint): each line
// break, with the indentation after it, becomes one space, and trailing ones go.
class OneLineMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
    const std::string text = one_line(std::string(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<OneLineMessageFlag>();
  }
};

// %J : the syslog priority as sd-daemon(3) prefixes it ("<3>" for an error), which journald takes
// off the line and stores, so `journalctl -p err` finds the errors.
class JournalPriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
    const char *prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: prefix = "<7>"; break;
      case spdlog::level::info: prefix = "<6>"; break;
      case spdlog::level::warn: prefix = "<4>"; break;
      case spdlog::level::err: prefix = "<3>"; break;
      case spdlog::level::critical: prefix = "<2>"; break;
      default: break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriorityFlag>();
  }
};

std::mutex g_mutex;
LogFormat g_format = LogFormat::Text;

}  // namespace

std::string one_line(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  bool broken = false;  // inside a line break and the indentation after it
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      broken = true;
    } else if (broken && (c == ' ' || c == '\t')) {
      // indentation of a continued line
    } else {
      if (broken && !out.empty()) out += ' ';
      broken = false;
      out += c;
    }
  }
  return out;
}

bool journal_stream_is(const char *journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  unsigned long long device = 0, inode = 0;
  char end = 0;
  if (std::sscanf(journal_stream, "%llu:%llu%c", &device, &inode, &end) != 2) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == device && static_cast<unsigned long long>(st.st_ino) == inode;
}

std::unique_ptr<spdlog::formatter> log_formatter(LogFormat format, bool journal) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<JsonMessageFlag>('*').add_flag<OneLineMessageFlag>('Q').add_flag<JournalPriorityFlag>('J');
  const std::string priority = journal ? "%J" : "";
  if (format == LogFormat::Json) {
    f->set_pattern(priority + R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","component":"%n","message":%*})");
  } else if (journal) {
    // The journal stamps every entry itself, so a time of our own would only be read twice.
    f->set_pattern("%J%-5l %n: %Q");
  } else {
    f->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %Q");
  }
  return f;
}

namespace {

std::unique_ptr<spdlog::formatter> make_formatter() {
  // systemd sets JOURNAL_STREAM when it connects stderr to the journal; it is checked against
  // stderr itself, since a child whose stderr was redirected inherits the variable all the same.
  static const bool journal = journal_stream_is(std::getenv("JOURNAL_STREAM"), 2);
  return log_formatter(g_format, journal);
}

}  // namespace

void setup_logging(const std::string &level, LogFormat format) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_format = format;
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto main = std::make_shared<spdlog::logger>("outboxd", sink);
  spdlog::set_default_logger(main);
  spdlog::set_formatter(make_formatter());
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> component_logger(const std::string &component) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto base = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(component, base->sinks().begin(), base->sinks().end());
  logger->set_formatter(make_formatter());
  logger->set_level(base->level());
  logger->flush_on(spdlog::level::info);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace outboxd

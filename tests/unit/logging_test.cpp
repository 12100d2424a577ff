// core/logging.cpp: lines for a terminal or file, and for systemd's journal.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "core/logging.hpp"

using namespace outboxd;

namespace {

std::string formatted(LogFormat format, bool journal, spdlog::level::level_enum level, const std::string &text) {
  const auto formatter = log_formatter(format, journal);
  spdlog::details::log_msg msg(spdlog::source_loc{}, "worker", level, text);
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  return std::string(out.data(), out.size());
}

}  // namespace

TEST(Logging, OneLineJoinsLibpqsLinesWithOneSpace) {
  EXPECT_EQ(one_line("connection to server at \"db\", port 5432 failed: Connection refused\n"
                     "\tIs the server running on that host and accepting TCP/IP connections?\n"),
            "connection to server at \"db\", port 5432 failed: Connection refused Is the server running on that "
            "host and accepting TCP/IP connections?");
  EXPECT_EQ(one_line("ERROR:  x\r\nDETAIL:  y\n\n"), "ERROR:  x DETAIL:  y");
  EXPECT_EQ(one_line("plain"), "plain");
  EXPECT_EQ(one_line("\n  leading"), "leading");
}

TEST(Logging, JournalLinesCarryTheirPriorityAndNoTimestamp) {
  EXPECT_EQ(formatted(LogFormat::Text, true, spdlog::level::err, "lost\n\tdetail\n"), "<3>error worker: lost detail\n");
  EXPECT_EQ(formatted(LogFormat::Text, true, spdlog::level::warn, "w"), "<4>warning worker: w\n");
  EXPECT_EQ(formatted(LogFormat::Text, true, spdlog::level::info, "i"), "<6>info  worker: i\n");
  EXPECT_EQ(formatted(LogFormat::Text, true, spdlog::level::debug, "d"), "<7>debug worker: d\n");
  EXPECT_EQ(formatted(LogFormat::Text, true, spdlog::level::critical, "c"), "<2>critical worker: c\n");
  // JSON keeps its own fields (a collector may read them) behind the priority.
  const std::string json_line = formatted(LogFormat::Json, true, spdlog::level::err, "a\nb");
  EXPECT_EQ(json_line.rfind("<3>{\"time\":\"", 0), 0u) << json_line;
  EXPECT_NE(json_line.find("\"message\":\"a\\nb\"}"), std::string::npos) << json_line;
}

TEST(Logging, TerminalLinesHaveATimestampAndNoPriority) {
  const std::string line = formatted(LogFormat::Text, false, spdlog::level::err, "lost\n\tdetail");
  EXPECT_NE(line.find(" worker: lost detail\n"), std::string::npos) << line;
  EXPECT_NE(line.front(), '<') << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(line.front()))) << line;  // the date
}

TEST(Logging, JournalStreamMustNameTheFileDescriptorsOwnFile) {
  char path[] = "/tmp/outboxd-logging-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  const std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  EXPECT_TRUE(journal_stream_is(same.c_str(), fd));
  EXPECT_FALSE(journal_stream_is((std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), fd));
  EXPECT_FALSE(journal_stream_is((same + "x").c_str(), fd));
  EXPECT_FALSE(journal_stream_is("", fd));
  EXPECT_FALSE(journal_stream_is("garbage", fd));
  EXPECT_FALSE(journal_stream_is(nullptr, fd));
  close(fd);
  unlink(path);
}

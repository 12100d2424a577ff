// The shared config-parse wrapper: what reaches `parse`, and how each kind of failure is worded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "common/config_parse.hpp"

namespace outboxd::plugin_common {
namespace {

using testing::StartsWith;

TEST(ParseJsonConfig, HandsTheDocumentToParseAndReadsNullAsAnEmptyObject) {
  std::string error, seen;
  EXPECT_TRUE(parse_json_config(R"({"a": 1})", error, [&](const nlohmann::json &j) { seen = j.dump(); }));
  EXPECT_EQ(seen, R"({"a":1})");
  EXPECT_TRUE(parse_json_config(nullptr, error, [&](const nlohmann::json &j) { seen = j.dump(); }));
  EXPECT_EQ(seen, "{}");
  EXPECT_EQ(error, "");
}

TEST(ParseJsonConfig, TurnsEachKindOfFailureIntoItsOwnText) {
  std::string error;
  EXPECT_FALSE(parse_json_config("{}", error, [](const nlohmann::json &) { throw ConfigError{"port: too big"}; }));
  EXPECT_EQ(error, "port: too big");
  EXPECT_FALSE(parse_json_config("{not json", error, [](const nlohmann::json &) {}));
  EXPECT_THAT(error, StartsWith("config is not valid JSON: "));
  EXPECT_FALSE(parse_json_config("{}", error, [](const nlohmann::json &) { throw std::runtime_error("boom"); }));
  EXPECT_EQ(error, "config could not be read: boom");
  EXPECT_FALSE(parse_json_config("{}", error, [](const nlohmann::json &) { throw 42; }));
  EXPECT_EQ(error, "config could not be read");
}

}  // namespace
}  // namespace outboxd::plugin_common

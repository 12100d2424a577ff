// Message JSON with numbers beyond a double (plugins/common/message_json.hpp). PostgreSQL hands a
// plugin 1e400 written out as a 1 and 400 zeros; nlohmann alone calls that "not JSON", which made
// valid messages fail validate() and send() in the smtp, webhook and asynq plugins.
#include <gtest/gtest.h>

#include "common/message_json.hpp"

using namespace outboxd::plugin_common;

namespace {
const std::string kWrittenOut = "1" + std::string(400, '0');  // how PostgreSQL writes 1e400
}  // namespace

TEST(MessageJson, NumbersBeyondADoubleParseAsNumbers) {
  ASSERT_TRUE(nlohmann::json::parse("[" + kWrittenOut + "]", nullptr, false).is_discarded()) << "nlohmann alone";
  for (const std::string &n : {kWrittenOut, "-" + kWrittenOut, std::string("1e400"), std::string("-1.5E+999")}) {
    const auto j = parse_message_json("{\"n\": " + n + ", \"s\": \"x\"}");
    ASSERT_TRUE(j.is_object()) << n;
    EXPECT_TRUE(j["n"].is_number()) << n;
    EXPECT_EQ(j["s"], "x");
    EXPECT_TRUE(is_message_json(n)) << n;
  }
  // Strings that look like numbers are left alone, and what is not JSON stays not JSON.
  EXPECT_EQ(parse_message_json(R"({"s": "1e400 \" 1e400"})")["s"], "1e400 \" 1e400");
  for (const std::string &bad : {std::string("[1e400,"), std::string("{\"a\": 1e400"), std::string("1e400 x"),
                                 std::string("\"open"), std::string("")}) {
    EXPECT_TRUE(parse_message_json(bad).is_discarded()) << bad;
    EXPECT_FALSE(is_message_json(bad)) << bad;
  }
}

TEST(MessageJson, MemberTextsKeepEveryDigit) {
  const auto members =
      json_member_texts("{ \"big\" : " + kWrittenOut + " , \"q\\\"k\": \"a,}\\\"b\", \"nested\": [1, {\"d\": [2]}] }");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 3u);
  EXPECT_EQ((*members)[0], std::make_pair(std::string("big"), kWrittenOut));
  EXPECT_EQ((*members)[1], std::make_pair(std::string("q\"k"), std::string(R"("a,}\"b")")));
  EXPECT_EQ((*members)[2], std::make_pair(std::string("nested"), std::string(R"([1, {"d": [2]}])")));
  EXPECT_TRUE(json_member_texts("{}")->empty());
  EXPECT_FALSE(json_member_texts("[1]"));
  EXPECT_FALSE(json_member_texts("{\"a\":"));
}

// The request body scanner: the same JSON grammar as nlohmann (and PostgreSQL), no recursion, raw
// field text, and the limits jsonb imposes (depth, \u0000, numeric's range, fields given twice).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/json_scan.hpp"

using namespace outboxd::api;

namespace {

// "ok", or "syntax: <where>: <what>" / "<where>: <what>".
std::string scan(const std::string &text, int level = 1, JsonScanned *out = nullptr) {
  JsonScanned scanned;
  auto p = scan_json(text, level, "body", scanned);
  if (out) *out = scanned;
  if (!p) return "ok";
  return (p->syntax ? "syntax: " : "") + p->where + ": " + p->what;
}

std::string nested(int depth, const std::string &inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner + std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

TEST(ApiJsonScan, AgreesWithNlohmannOnWhatIsJson) {
  const std::vector<std::string> texts = {
      "{}", "[]", "0", "-0", "1.5e+3", "-1E-2", "\"\"", "true", "false", "null", " {\"a\" : [1, {\"b\": null}] } ",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
      // not JSON
      "", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "+1",
      "1e", "1e+", "0x10", "tru", "nul", "True", "NaN", "Infinity", "[1 2]", "{\"a\":1 \"b\":2}", "1 2", "\"abc",
      "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\tb\"",
      "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"", "\"\x80\"", "\"\xff\"", "[1]x",
      std::string("\"a\0b\"", 5), std::string("[1,\0]", 5), "/* c */ 1", "'a'", "\v1"};
  for (const auto &t : texts) {
    const bool ours = scan(t, 0) == "ok";
    EXPECT_EQ(ours, nlohmann::json::accept(t)) << "[" << t << "] -> " << scan(t, 0);
  }
  EXPECT_EQ(scan("", 1), "syntax: body: empty, expected JSON");
  EXPECT_EQ(scan("{\"a\":", 1), "syntax: body: not valid JSON");
}

TEST(ApiJsonScan, FieldsKeepTheTextAsSent) {
  JsonScanned s;
  const std::string body = " {\"destination\" : \"d\", \"payload\": {\"big\": 123456789012345678901234567890,"
                           " \"fine\": 1.000000000000000000001,  \"tiny\": 1e-400, \"huge\": 1e400} ,"
                           "\"headers\":{\"n\":-0.10}} ";
  ASSERT_EQ(scan(body, 1, &s), "ok");
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_EQ(s.root, body.substr(1, body.size() - 2));
  ASSERT_EQ(s.items[0].fields.size(), 3u);
  EXPECT_EQ(s.items[0].fields[0].name, "destination");
  EXPECT_EQ(s.items[0].fields[0].text, "\"d\"");
  EXPECT_EQ(s.items[0].fields[1].name, "payload");
  EXPECT_EQ(s.items[0].fields[1].text,
            "{\"big\": 123456789012345678901234567890, \"fine\": 1.000000000000000000001,  \"tiny\": 1e-400, "
            "\"huge\": 1e400}");
  EXPECT_EQ(s.items[0].fields[2].text, "{\"n\":-0.10}");
  EXPECT_STREQ(json_type_of(s.items[0].fields[1].text), "object");
}

TEST(ApiJsonScan, BatchItemsAndEscapedKeys) {
  JsonScanned s;
  // The spans point into the text, which must outlive them.
  const std::string batch = R"([{"p\u0061yload": 1, "x": [2]}, 7, "s"])";
  ASSERT_EQ(scan(batch, 2, &s), "ok");
  ASSERT_EQ(s.items.size(), 3u);
  ASSERT_EQ(s.items[0].fields.size(), 2u);
  EXPECT_EQ(s.items[0].fields[0].name, "payload");
  EXPECT_EQ(s.items[0].fields[1].text, "[2]");
  EXPECT_EQ(s.items[1].text, "7");
  EXPECT_TRUE(s.items[1].fields.empty());
  EXPECT_EQ(s.items[2].text, "\"s\"");
  // The root of a batch body that is not an array has no items.
  const std::string object = R"({"a": {"payload": 1}})";
  ASSERT_EQ(scan(object, 2, &s), "ok");
  EXPECT_TRUE(s.items.empty());
  EXPECT_EQ(s.root, object);
  // A byte order mark is skipped.
  const std::string bom = "\xEF\xBB\xBF{\"payload\":1}";
  ASSERT_EQ(scan(bom, 1, &s), "ok");
  EXPECT_EQ(s.root, "{\"payload\":1}");
}

TEST(ApiJsonScan, DepthIsBoundedPerFieldAndNamesIt) {
  EXPECT_EQ(scan("{\"payload\":" + nested(kMaxJsonDepth) + "}"), "ok");
  EXPECT_EQ(scan("{\"payload\":" + nested(kMaxJsonDepth + 1) + "}"),
            "payload: nested more than 64 levels deep (the limit)");
  EXPECT_EQ(scan("{\"headers\":{\"h\":" + nested(kMaxJsonDepth) + "}}"),
            "headers: nested more than 64 levels deep (the limit)");
  EXPECT_EQ(scan("[{\"destination\":\"d\"},{\"payload\":" + nested(kMaxJsonDepth + 1) + "}]", 2),
            "[1].payload: nested more than 64 levels deep (the limit)");
  EXPECT_EQ(scan(nested(kMaxJsonDepth), 0), "ok");
  EXPECT_EQ(scan(nested(kMaxJsonDepth + 1), 0), "body: nested more than 64 levels deep (the limit)");
  // The issue's crash: 30,000 levels (a 60 KB body) and far more are a clean refusal, not a stack overflow.
  for (int depth : {30000, 1000000}) {
    const std::string objects = [&] {
      std::string t;
      for (int i = 0; i < depth; ++i) t += "{\"a\":";
      return t + "1" + std::string(static_cast<std::size_t>(depth), '}');
    }();
    EXPECT_EQ(scan("{\"destination\":\"d\",\"payload\":" + objects + "}"),
              "payload: nested more than 64 levels deep (the limit)");
    EXPECT_EQ(scan("{\"headers\":" + nested(depth) + "}"), "headers: nested more than 64 levels deep (the limit)");
  }
}

TEST(ApiJsonScan, NulIsRefusedWhereverItIsNamingTheField) {
  EXPECT_EQ(scan(R"({"payload":{"a":["x\u0000"]}})"),
            "payload: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(scan(R"({"headers":{"k\u0000":"v"}})"),
            "headers: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(scan(R"([{}, {"destination":"a\u0000"}])", 2),
            "[1].destination: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(scan(R"({"p\u0000":1})"), "body: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(scan(R"("\u0000")", 0), "body: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(scan(R"(["\u0001\u00ff"])", 0), "ok");
}

TEST(ApiJsonScan, NumbersOutsidePostgresNumericAreRefused) {
  // Each boundary was checked against PostgreSQL 15's '<n>'::jsonb.
  for (const char *fits : {"1e400", "-1e400", "1e-400", "1e1005", "0e99999999", "123456789012345678901234567890",
                           "1.000000000000000000001"})
    EXPECT_EQ(scan(std::string("{\"payload\":") + fits + "}"), "ok") << fits;
  for (const char *too_big : {"1e131072", "1e-16384", "0e-16384", "1.5e-16383", "1e99999999999999999999",
                              "1e-1073741823"})
    EXPECT_EQ(scan(std::string("{\"payload\":[") + too_big + "]}").rfind("payload: number ", 0), 0u) << too_big;
  EXPECT_EQ(scan(R"({"priority":1e131072})"),
            "priority: number 1e131072 is out of the range PostgreSQL can store (at most 131072 digits before "
            "the decimal point and 16383 after)");
  const std::string digits(200, '7');
  EXPECT_EQ(scan("{\"payload\":0." + digits + "e-16300}"),
            "payload: number 0.77777777777777777777777777777777777... is out of the range PostgreSQL can store "
            "(at most 131072 digits before the decimal point and 16383 after)");
}

TEST(ApiJsonScan, AFieldGivenTwiceIsRefusedButPayloadKeysFollowJsonb) {
  EXPECT_EQ(scan(R"({"payload":1,"destination":"d","payload":2})"),
            "payload: given more than once (each field may appear once)");
  EXPECT_EQ(scan(R"({"payload":1,"p\u0061yload":2})"), "payload: given more than once (each field may appear once)");
  EXPECT_EQ(scan(R"([{"a":1},{"b":1,"b":2}])", 2), "[1].b: given more than once (each field may appear once)");
  EXPECT_EQ(scan(R"({"payload":{"k":1,"k":2}})"), "ok");  // jsonb keeps the last, as nlohmann does
  EXPECT_EQ(scan(R"({"k":1,"k":2})", 0), "ok");
}

TEST(ApiJsonScan, NumbersThatPostgresWritesOutHugeAreRefused) {
  // PostgreSQL stores these, but writes each out with every digit (1e131071 as 131,072 characters)
  // on every claim and GET: 9,000 of them in one payload were more than it can write out at all,
  // and every claim failed. Each number may grow by at most kMaxNumberGrowth characters.
  EXPECT_EQ(scan(R"({"payload":{"n":1e131071}})"),
            "payload: number 1e131071 would be written out by PostgreSQL with every digit, 131072 characters; "
            "a number may grow by at most 1000 that way (send it as a string)");
  for (const char *grows : {"9.99e131071", "0.0000001e131078", "1e-16383", "0e-16383", "-1e1006", "1e1006"})
    EXPECT_NE(scan(std::string("{\"payload\":[") + grows + "]}").find("would be written out by PostgreSQL"),
              std::string::npos)
        << grows;
  // Exact small values still go in as sent: 1e-400 is 402 characters written out, 1e1005 1006.
  for (const char *fits : {"1e-400", "1e1005", "-1e1005", "123456789012345678901234567890"})
    EXPECT_EQ(scan(std::string("{\"payload\":[") + fits + "]}"), "ok") << fits;
  // Many numbers that each grow a little: bounded together (kMaxRequestNumberGrowth), naming the field.
  std::string many = "[1e1000";
  for (int i = 0; i < 1100; ++i) many += ",1e1000";
  EXPECT_EQ(scan("{\"payload\":{},\"headers\":{\"h\":" + many + "]}}"),
            "headers: numbers written out by PostgreSQL with every digit would grow the request by more than "
            "1048576 bytes in all (the limit; send such numbers as strings)");
  EXPECT_EQ(kMaxRequestNumberGrowth, 1 << 20);
}

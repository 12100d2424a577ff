// The HTTP API's request validation: pure functions, every field's type and range, errors naming it.
#include <gtest/gtest.h>

#include "api/message_request.hpp"

using namespace outboxd;
using namespace outboxd::api;
using nlohmann::json;

namespace {

std::string detail_of(const Parsed<EnqueueRequest> &p) {
  const ApiError *e = std::get_if<ApiError>(&p);
  return e ? e->error + " " + e->detail : "valid";
}

}  // namespace

TEST(ApiMessageRequest, AFullMessageIsAccepted) {
  auto p = parse_message_body(R"({"destination":"orders","payload":{"a":[1,2]},"headers":{"h":"v"},
      "idempotency_key":"k","ordering_key":"o","available_at":"2030-01-01T00:00:00Z","priority":-5,"max_attempts":7})");
  ASSERT_TRUE(std::holds_alternative<EnqueueRequest>(p)) << detail_of(p);
  const auto &r = std::get<EnqueueRequest>(p);
  EXPECT_EQ(r.destination, "orders");
  EXPECT_EQ(json::parse(r.payload_json), json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(json::parse(r.headers_json)["h"], "v");
  EXPECT_EQ(r.idempotency_key, "k");
  EXPECT_EQ(r.ordering_key, "o");
  EXPECT_EQ(r.available_at, "2030-01-01T00:00:00Z");
  EXPECT_EQ(r.priority, -5);
  EXPECT_EQ(r.max_attempts, 7);
  EXPECT_FALSE(r.delay_ms);
}

TEST(ApiMessageRequest, DefaultsWhenOptionalFieldsAreAbsent) {
  auto p = parse_message_body(R"({"destination":"d","payload":null})");
  ASSERT_TRUE(std::holds_alternative<EnqueueRequest>(p)) << detail_of(p);
  const auto &r = std::get<EnqueueRequest>(p);
  EXPECT_EQ(r.payload_json, "null");
  EXPECT_EQ(r.headers_json, "{}");
  EXPECT_EQ(r.priority, 0);
  EXPECT_FALSE(r.max_attempts);
  EXPECT_FALSE(r.available_at);
}

TEST(ApiMessageRequest, EachBadFieldIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "invalid_json body: not valid JSON"},
      {"", "invalid_json body: empty, expected JSON"},
      {"3", "invalid_field body: must be a JSON object, got number"},
      {R"({"payload":1})", "invalid_field destination: required"},
      {R"({"destination":"","payload":1})", "invalid_field destination: must be 1 to 200 bytes long in UTF-8"},
      {R"({"destination":"d"})", "invalid_field payload: required"},
      {R"({"destination":"d","payload":1,"headers":"x"})", "invalid_field headers: must be a JSON object, got string"},
      {R"({"destination":"d","payload":1,"priority":32768})", "invalid_field priority: must be an integer from -32768 to 32767, got 32768"},
      {R"({"destination":"d","payload":1,"priority":true})", "invalid_field priority: must be an integer from -32768 to 32767, got boolean"},
      {R"({"destination":"d","payload":1,"max_attempts":1001})", "invalid_field max_attempts: must be an integer from 1 to 1000, got 1001"},
      {R"({"destination":"d","payload":1,"max_attempts":18446744073709551615})", "invalid_field max_attempts: must be an integer from 1 to 1000, got 18446744073709551615"},
      {R"({"destination":"d","payload":1,"delay_ms":-3})", "invalid_field delay_ms: must be an integer from 0 to 315360000000, got -3"},
      {R"({"destination":"d","payload":1,"delay_ms":5,"available_at":"x"})", "invalid_field available_at: give available_at or delay_ms, not both"},
      {R"({"destination":"d","payload":1,"available_at":7})", "invalid_field available_at: must be a string, got number"},
      {R"({"destination":"d","payload":{"k":"\u0000"}})", "invalid_field payload: must not contain \\u0000 (PostgreSQL jsonb cannot store it)"},
      {R"({"destination":"d","payload":1,"extra":1})", "invalid_field extra: unknown field (known: destination, payload, headers, idempotency_key, available_at, delay_ms, priority, max_attempts, ordering_key)"},
  };
  for (const auto &[body, want] : cases) EXPECT_EQ(detail_of(parse_message_body(body)), want) << body;
}

TEST(ApiMessageRequest, BatchNamesTheIndexOfTheBadItem) {
  auto p = parse_batch_body(R"([{"destination":"d","payload":1},{"destination":"d","payload":2,"priority":"x"}])");
  ASSERT_TRUE(std::holds_alternative<ApiError>(p));
  EXPECT_EQ(std::get<ApiError>(p).detail.rfind("[1].priority: must be an integer", 0), 0u) << std::get<ApiError>(p).detail;
  auto not_object = parse_batch_body(R"([{"destination":"d","payload":1}, 5])");
  EXPECT_EQ(std::get<ApiError>(not_object).detail, "[1]: must be a JSON object, got number");
  EXPECT_TRUE(std::holds_alternative<ApiError>(parse_batch_body("[]")));
  EXPECT_TRUE(std::holds_alternative<ApiError>(parse_batch_body("{}")));
  std::string many = "[";
  for (std::size_t i = 0; i <= kMaxBatchItems; ++i) many += std::string(i ? "," : "") + R"({"destination":"d","payload":1})";
  EXPECT_TRUE(std::holds_alternative<ApiError>(parse_batch_body(many + "]")));
  auto ok = parse_batch_body(R"([{"destination":"a","payload":1},{"destination":"b","payload":2}])");
  ASSERT_TRUE(std::holds_alternative<std::vector<EnqueueRequest>>(ok));
  EXPECT_EQ(std::get<std::vector<EnqueueRequest>>(ok)[1].destination, "b");
}

TEST(ApiMessageRequest, MailBodyIsThePayloadAsSent) {
  // The Go demo's body, `to` a list: the API takes any object; the destination's plugin judges it.
  const std::string demo = R"({"from":"from@example.com","to":["to@example.com"],"subject":"Test Subject","content":"some content"})";
  auto p = parse_mail_body(demo, "mail");
  ASSERT_TRUE(std::holds_alternative<EnqueueRequest>(p)) << detail_of(p);
  EXPECT_EQ(std::get<EnqueueRequest>(p).destination, "mail");
  EXPECT_EQ(std::get<EnqueueRequest>(p).payload_json, demo);
  EXPECT_EQ(detail_of(parse_mail_body(R"({"to":"b@example.com","text":"no from, no subject"})", "mail")), "valid");
  EXPECT_EQ(detail_of(parse_mail_body("[1]", "mail")), "invalid_field body: must be a JSON object, got array");
  EXPECT_EQ(detail_of(parse_mail_body(R"({"to":"a@x.org","to":"b@x.org"})", "mail")),
            "invalid_field to: given more than once (each field may appear once)");
  EXPECT_EQ(detail_of(parse_mail_body(R"({"to":"a@x.org","content":"\u0000"})", "mail")),
            "invalid_field content: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  EXPECT_EQ(detail_of(parse_mail_body("{\"to\":" + std::string(100, '[') + std::string(100, ']') + "}", "mail")),
            "invalid_field to: nested more than 64 levels deep (the limit)");
}

TEST(ApiMessageRequest, PayloadAndHeadersAreStoredExactlyAsSent) {
  const std::string payload = R"({"big": 123456789012345678901234567890, "fine": 1.000000000000000000001,
     "tiny": 1e-400, "huge": 1e400, "dup": 1, "dup": 2})";
  const std::string headers = R"({"x-n": 0.1000000000000000055511151231257827})";
  auto p = parse_message_body(R"({"destination":"d","payload":)" + payload + R"(,"headers":)" + headers + "}");
  ASSERT_TRUE(std::holds_alternative<EnqueueRequest>(p)) << detail_of(p);
  EXPECT_EQ(std::get<EnqueueRequest>(p).payload_json, payload);
  EXPECT_EQ(std::get<EnqueueRequest>(p).headers_json, headers);
  auto batch = parse_batch_body(R"([{"destination":"d","payload":1e-400},{"destination":"d","payload": -0.0 }])");
  ASSERT_TRUE(std::holds_alternative<std::vector<EnqueueRequest>>(batch));
  EXPECT_EQ(std::get<std::vector<EnqueueRequest>>(batch)[0].payload_json, "1e-400");
  EXPECT_EQ(std::get<std::vector<EnqueueRequest>>(batch)[1].payload_json, "-0.0");
}

TEST(ApiMessageRequest, NumbersBeyondADoubleInOtherFieldsAreStillNumbers) {
  EXPECT_EQ(detail_of(parse_message_body(R"({"destination":"d","payload":1,"priority":1e400})")),
            "invalid_field priority: must be an integer from -32768 to 32767, got number");
  EXPECT_EQ(detail_of(parse_message_body(R"({"destination":1e400,"payload":1})")),
            "invalid_field destination: must be a string, got number");
}

TEST(ApiMessageRequest, AFieldGivenTwiceIsRefusedNamingIt) {
  EXPECT_EQ(detail_of(parse_message_body(R"({"destination":"d","payload":1,"priority":1,"priority":2})")),
            "invalid_field priority: given more than once (each field may appear once)");
  auto p = parse_batch_body(R"([{"destination":"d","payload":1},{"destination":"d","destination":"e","payload":1}])");
  ASSERT_TRUE(std::holds_alternative<ApiError>(p));
  EXPECT_EQ(std::get<ApiError>(p).detail, "[1].destination: given more than once (each field may appear once)");
}

TEST(ApiMessageRequest, DeepNestingIs400NamingTheField) {
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');
  EXPECT_EQ(detail_of(parse_message_body(R"({"destination":"d","payload":)" + deep + "}")),
            "invalid_field payload: nested more than 64 levels deep (the limit)");
  EXPECT_EQ(detail_of(parse_message_body(R"({"destination":"d","payload":1,"headers":{"a":)" + deep + "}}")),
            "invalid_field headers: nested more than 64 levels deep (the limit)");
  auto p = parse_batch_body(R"([{"destination":"d","payload":1},{"destination":"d","payload":)" + deep + "}]");
  ASSERT_TRUE(std::holds_alternative<ApiError>(p));
  EXPECT_EQ(std::get<ApiError>(p).detail, "[1].payload: nested more than 64 levels deep (the limit)");
}

TEST(ApiMessageRequest, AFieldValueOnItsOwn) {
  EXPECT_FALSE(check_field_json(R"({"a": [1, 2.50]})", "payload"));
  EXPECT_EQ(check_field_json("{", "payload")->detail, "payload: not valid JSON");
  EXPECT_EQ(check_field_json("{", "payload")->error, "invalid_json");
  EXPECT_EQ(check_field_json("", "headers")->detail, "headers: empty, expected JSON");
  EXPECT_EQ(check_field_json("1, 2", "payload")->detail, "payload: not valid JSON");
  EXPECT_EQ(check_field_json(std::string(65, '[') + std::string(65, ']'), "payload")->detail,
            "payload: nested more than 64 levels deep (the limit)");
  EXPECT_EQ(check_field_json(R"(["\u0000"])", "payload")->detail,
            "payload: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
}

TEST(ApiMessageRequest, ListQuery) {
  auto p = parse_list_query({{"destination", "d"}, {"state", "dead"}, {"limit", "5"}, {"after", "42"}});
  ASSERT_TRUE(std::holds_alternative<MessageFilter>(p));
  const auto &f = std::get<MessageFilter>(p);
  EXPECT_EQ(f.destination, "d");
  EXPECT_EQ(f.state, "dead");
  EXPECT_EQ(f.limit, 5);
  EXPECT_EQ(f.after_seq, 42);
  EXPECT_EQ(std::get<MessageFilter>(parse_list_query({})).limit, kDefaultListLimit);
  for (const auto &[k, v] : std::vector<std::pair<std::string, std::string>>{
           {"limit", "0"}, {"limit", "1001"}, {"limit", "5x"}, {"after", "-1"}, {"after", ""},
           {"state", "running"}, {"destination", ""}, {"sort", "asc"}}) {
    auto e = parse_list_query({{k, v}});
    ASSERT_TRUE(std::holds_alternative<ApiError>(e)) << k << "=" << v;
    EXPECT_EQ(std::get<ApiError>(e).detail.rfind(k + ":", 0), 0u) << std::get<ApiError>(e).detail;
  }
}

TEST(ApiMessageRequest, ListQueryOfTheDashboard) {
  auto p = parse_list_query({{"ordering_key", "order-42"}, {"id_prefix", "0190A5E2-7c"}, {"order", "newest"},
                             {"fields", "summary"}});
  ASSERT_TRUE(std::holds_alternative<MessageFilter>(p));
  const auto &f = std::get<MessageFilter>(p);
  EXPECT_EQ(f.ordering_key, "order-42");
  EXPECT_EQ(f.id_low, "0190a5e2-7c00-0000-0000-000000000000");
  EXPECT_EQ(f.id_high, "0190a5e2-7cff-ffff-ffff-ffffffffffff");
  EXPECT_TRUE(f.newest_first);
  EXPECT_TRUE(f.summary);
  const MessageFilter defaults = std::get<MessageFilter>(parse_list_query({{"order", "oldest"}, {"fields", "all"}}));
  EXPECT_FALSE(defaults.newest_first);
  EXPECT_FALSE(defaults.summary);
  for (const auto &[k, v] : std::vector<std::pair<std::string, std::string>>{
           {"order", "desc"}, {"fields", "payload"}, {"ordering_key", ""}, {"ordering_key", std::string(256, 'k')},
           {"id_prefix", ""}, {"id_prefix", "0190g"}, {"id_prefix", "---"}, {"id_prefix", std::string(33, 'a')},
           {"id_prefix", "0190a5e2-7c3b-7def-8abc-0123456789abc"}}) {
    auto e = parse_list_query({{k, v}});
    ASSERT_TRUE(std::holds_alternative<ApiError>(e)) << k << "=" << v;
    EXPECT_EQ(std::get<ApiError>(e).detail.rfind(k + ":", 0), 0u) << std::get<ApiError>(e).detail;
  }
}

TEST(ApiMessageRequest, AnIdPrefixCoversExactlyTheIdsThatStartWithIt) {
  auto whole = id_prefix_range("0190a5e2-7c3b-7def-8abc-0123456789AB");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->first, "0190a5e2-7c3b-7def-8abc-0123456789ab");
  EXPECT_EQ(whole->second, whole->first) << "a whole id is a range of one";
  auto one = id_prefix_range("f");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->first, "f0000000-0000-0000-0000-000000000000");
  EXPECT_EQ(one->second, "ffffffff-ffff-ffff-ffff-ffffffffffff");
  EXPECT_TRUE(id_prefix_range("0190a5e27c3b"));  // dashes are optional
  EXPECT_FALSE(id_prefix_range("0190 a5"));
}

TEST(ApiMessageRequest, UuidsAndContentTypes) {
  EXPECT_TRUE(is_uuid("0190a5e2-7c3b-7def-8abc-0123456789AB"));
  EXPECT_FALSE(is_uuid("0190a5e2-7c3b-7def-8abc-0123456789A"));
  EXPECT_FALSE(is_uuid("0190a5e2x7c3b-7def-8abc-0123456789ab"));
  EXPECT_FALSE(is_uuid("0190a5e2-7c3b-7def-8abc-0123456789ag"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("application/jsonp"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type(""));
}

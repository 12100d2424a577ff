// HTTP API, what a message may be: payload and header numbers are stored, shown and handed to the
// plugin exactly as sent; nesting is bounded per field (a 30,000-deep body once crashed the daemon,
// 20,000 deep got a 500 from PostgreSQL); a field given twice, \u0000 and numbers PostgreSQL cannot
// store are 400s naming the field; a plugin's validate() turns an unsendable message into a 422.
#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

// The numbers the issue found re-serialised through double, and one beyond a double's range.
const std::string kBig = "123456789012345678901234567890";
const std::string kFine = "1.000000000000000000001";
const std::string kTiny = "1e-400";
const std::string kTinyAsStored = "0." + std::string(399, '0') + "1";  // numeric writes no exponent
const std::string kHuge = "1e400";

class ApiMessageLimits : public ApiE2E {
 protected:
  std::string log_path() const { return dir.file("audit.jsonl"); }
  void SetUp() override {
    start_api(scripted_destination("orders") + "  audit:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR
              "/log.so\"\n    config:\n      path: \"" + log_path() + "\"\n");
  }
  // The reply must be a client error with a JSON body naming `detail`, and the daemon must live on.
  void expect_refused(const std::string &path, const std::string &body, long status, const std::string &detail) {
    HttpReply r = post(path, body);
    EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
    EXPECT_EQ(r.json().value("detail", ""), detail) << r.body.substr(0, 300);
    EXPECT_EQ(get("/healthz").status, 200) << daemon->log();
  }
};

std::string deep(int depth, const std::string &inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner + std::string(static_cast<std::size_t>(depth), ']');
}

TEST_F(ApiMessageLimits, NumbersAreStoredShownAndDeliveredExactlyAsSent) {
  const std::string payload = "{\"big\": " + kBig + ", \"fine\": " + kFine + ", \"tiny\": " + kTiny +
                              ", \"list\": [" + kBig + ", -" + kFine + "]}";
  const std::string headers = "{\"x-n\": " + kBig + "}";
  HttpReply r = post("/v1/messages", "{\"destination\": \"audit\", \"payload\": " + payload +
                                         ", \"headers\": " + headers + "}");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];

  // The row: jsonb kept each number's digits.
  const std::string row = " FROM outbox.messages WHERE id = '" + id + "'";
  EXPECT_EQ(db.scalar("SELECT payload ->> 'big'" + row), kBig);
  EXPECT_EQ(db.scalar("SELECT payload ->> 'fine'" + row), kFine);
  EXPECT_EQ(db.scalar("SELECT payload ->> 'tiny'" + row), kTinyAsStored);
  EXPECT_EQ(db.scalar("SELECT payload -> 'list' ->> 1" + row), "-" + kFine);
  EXPECT_EQ(db.scalar("SELECT headers ->> 'x-n'" + row), kBig);
  EXPECT_EQ(db.scalar("SELECT (payload = '" + payload + "'::jsonb)::text" + row), "true");

  // The log plugin got the text the database holds and wrote it as it is.
  ASSERT_TRUE(wait_state(id, "delivered")) << daemon->log();
  const std::string line = read_file(log_path());
  ASSERT_TRUE(json::parse(line, nullptr, false)["payload"].is_object()) << line;
  for (const std::string &n : {kBig, kFine, kTinyAsStored, "-" + kFine})
    EXPECT_NE(line.find(" " + n), std::string::npos) << n << " in " << line.substr(0, 300);
  EXPECT_NE(line.find("\"x-n\": " + kBig), std::string::npos) << line.substr(0, 300);

  // GET shows PostgreSQL's text, not numbers that went through a double.
  HttpReply m = get("/v1/messages/" + id);
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_NE(m.headers.find("application/json"), std::string::npos) << m.headers;
  for (const std::string &n : {kBig, kFine, kTinyAsStored, "-" + kFine})
    EXPECT_NE(m.body.find(" " + n), std::string::npos) << n << " in " << m.body.substr(0, 400);
  EXPECT_EQ(m.body.find("e+29"), std::string::npos) << m.body.substr(0, 400);
  EXPECT_EQ(m.json().value("state", ""), "delivered") << m.body.substr(0, 200);
}

TEST_F(ApiMessageLimits, ANumberBeyondADoubleIsStoredAsPostgresStoresIt) {
  // 1e400 is valid JSON and jsonb stores it; the API used to answer "not valid JSON".
  HttpReply r = post("/v1/messages", "{\"destination\":\"orders\",\"payload\":{\"huge\":" + kHuge +
                                         "},\"delay_ms\":3600000}");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(db.scalar("SELECT ((payload ->> 'huge')::numeric = 1e400)::text FROM outbox.messages"), "true");
  EXPECT_NE(get("/v1/messages/" + r.json()["id"].get<std::string>()).body.find("1" + std::string(400, '0')),
            std::string::npos);
}

TEST_F(ApiMessageLimits, BatchItemsKeepTheirNumbersToo) {
  HttpReply r = post("/v1/messages/batch", "[{\"destination\":\"audit\",\"payload\":" + kBig +
                                               "},{\"destination\":\"audit\",\"payload\":" + kTiny + "}]");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(db.count("payload::text = '" + kBig + "'"), 1);
  EXPECT_EQ(db.count("payload::text = '" + kTinyAsStored + "'"), 1);
}

TEST_F(ApiMessageLimits, DeepNestingIs400NamingTheFieldAndTheDaemonLivesOn) {
  const std::string limit = "nested more than 64 levels deep (the limit)";
  // The issue's two cases: 30,000 deep crashed the daemon, 20,000 deep was PostgreSQL's 500.
  expect_refused("/v1/messages", "{\"destination\":\"orders\",\"payload\":" + deep(30000) + "}", 400,
                 "payload: " + limit);
  expect_refused("/v1/messages", "{\"destination\":\"orders\",\"payload\":{},\"headers\":{\"h\":" + deep(20000) + "}}",
                 400, "headers: " + limit);
  std::string objects;
  for (int i = 0; i < 30000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(30000, '}');
  expect_refused("/v1/messages/batch", "[{\"destination\":\"orders\",\"payload\":1},{\"destination\":\"orders\",\"payload\":" +
                     objects + "}]", 400, "[1].payload: " + limit);
  expect_refused("/api/mail/send", "{\"to\":" + deep(30000) + "}", 404,
                 "POST /api/mail/send is off: set api.mail_destination to the destination that sends mail");
  // At the limit it is stored, and the plugin gets it.
  HttpReply ok = post("/v1/messages", "{\"destination\":\"audit\",\"payload\":" + deep(64) + "}");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(wait_state(ok.json()["id"], "delivered")) << daemon->log();
  EXPECT_EQ(db.count(), 1);
}

TEST_F(ApiMessageLimits, WhatJsonbCannotStoreIs400NamingTheField) {
  expect_refused("/v1/messages", R"({"destination":"orders","payload":{"n":1e131072}})", 400,
                 "payload: number 1e131072 is out of the range PostgreSQL can store (at most 131072 digits "
                 "before the decimal point and 16383 after)");
  expect_refused("/v1/messages", R"({"destination":"orders","payload":{},"headers":{"n":1e-16384}})", 400,
                 "headers: number 1e-16384 is out of the range PostgreSQL can store (at most 131072 digits "
                 "before the decimal point and 16383 after)");
  // 9 bytes sent that PostgreSQL writes out as 131,072 digits: 9,000 of them once stopped every claim.
  std::string bomb = "[1e131071";
  for (int i = 1; i < 9000; ++i) bomb += ",1e131071";
  const std::string grows = "number 1e131071 would be written out by PostgreSQL with every digit, 131072 "
                            "characters; a number may grow by at most 1000 that way (send it as a string)";
  expect_refused("/v1/messages", "{\"destination\":\"orders\",\"payload\":" + bomb + "]}", 400, "payload: " + grows);
  expect_refused("/v1/messages/batch", "[{\"destination\":\"orders\",\"payload\":{},\"headers\":{\"n\":1e131071}}]",
                 400, "[0].headers: " + grows);
  expect_refused("/v1/messages", R"({"destination":"orders","payload":{},"headers":{"k\u0000":"v"}})", 400,
                 "headers: must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
  expect_refused("/v1/messages", R"({"destination":"orders","payload":1,"payload":2})", 400,
                 "payload: given more than once (each field may appear once)");
  expect_refused("/v1/messages/batch", R"([{"destination":"orders","payload":1,"priority":1,"priority":1}])", 400,
                 "[0].priority: given more than once (each field may appear once)");
  EXPECT_EQ(db.count(), 0);
  // Inside a payload, jsonb's rule: the last of two equal keys wins.
  HttpReply r = post("/v1/messages", R"({"destination":"orders","payload":{"k":1,"k":2},"delay_ms":3600000})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(db.scalar("SELECT payload::text FROM outbox.messages"), R"({"k": 2})");
}

// The webhook and asynq plugins' validate(): what their send() would make dead at once, refused
// without a receiver (nothing listens on port 1; validate() does no I/O).
class ApiPluginValidation : public ApiE2E {
 protected:
  void SetUp() override {
    start_api("  hooks:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/webhook.so\"\n    config:\n"
              "      url: http://127.0.0.1:1/in\n      allowed_hosts: [\"*.tenants.example\"]\n"
              "  jobs:\n    plugin: \"" OUTBOXD_TEST_PLUGIN_DIR "/asynq.so\"\n    config:\n"
              "      address: 127.0.0.1:1\n      task_type_header: task_type\n");
  }
};

TEST_F(ApiPluginValidation, WebhookAndAsynqRefusalsAre422NamingTheHeader) {
  HttpReply hook = post("/v1/messages", R"({"destination":"hooks","payload":{},
      "headers":{"webhook-url":"https://evil.example/steal"}})");
  EXPECT_EQ(hook.status, 422) << hook.body;
  EXPECT_EQ(hook.json().value("detail", ""), "headers.webhook-url: host evil.example is not in the destination's allowed_hosts");
  HttpReply job = post("/v1/messages/batch", R"([{"destination":"jobs","payload":{},"headers":{"task_type":"email:welcome"}},
      {"destination":"jobs","payload":{}}])");
  EXPECT_EQ(job.status, 422) << job.body;
  EXPECT_EQ(job.json().value("detail", ""),
            "[1].headers.task_type: no task type: the message has no 'task_type' header and the destination sets no task_type");
  EXPECT_EQ(db.count(), 0);
  // What they could send is taken (and waits for its receiver).
  EXPECT_EQ(post("/v1/messages", R"({"destination":"hooks","payload":{},"delay_ms":3600000,
      "headers":{"webhook-url":"https://acme.tenants.example/in"}})").status, 201);
  EXPECT_EQ(post("/v1/messages", R"({"destination":"jobs","payload":{},"delay_ms":3600000,
      "headers":{"task_type":"email:welcome"}})").status, 201);
}

TEST_F(ApiMessageLimits, APluginsValidateRefusalIs422NamingTheItem) {
  HttpReply one = post("/v1/messages", R"({"destination":"orders","payload":{"behavior":"unsendable"}})");
  EXPECT_EQ(one.status, 422) << one.body;
  EXPECT_EQ(one.json().value("error", ""), "invalid_message");
  EXPECT_EQ(one.json().value("detail", ""), "payload.behavior: 'unsendable' can never be sent (scripted)");
  HttpReply batch = post("/v1/messages/batch", R"([{"destination":"orders","payload":{"behavior":"ok"}},
      {"destination":"orders","payload":{"behavior":"unsendable"}}])");
  EXPECT_EQ(batch.status, 422) << batch.body;
  EXPECT_EQ(batch.json().value("detail", ""), "[1].payload.behavior: 'unsendable' can never be sent (scripted)");
  EXPECT_EQ(db.count(), 0);
  // The same message through SQL is not validated; send() refuses it with the same line.
  enqueue("orders", R"({"behavior":"unsendable"})");
  ASSERT_TRUE(wait_count("state = 'dead' AND last_error = 'payload.behavior: ''unsendable'' can never be sent (scripted)'", 1))
      << daemon->log();
}

}  // namespace

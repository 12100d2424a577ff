// `outboxd enqueue`'s flags go through the HTTP API's validation: the same refusals, naming the flag.
#include <gtest/gtest.h>

#include "daemon/cli_args.hpp"
#include "daemon/enqueue_flags.hpp"

using namespace outboxd;
using namespace outboxd::cli;

namespace {

// "ok" or the std::invalid_argument's message for `outboxd enqueue <flags>`.
std::string refusal(std::vector<std::string> flags) {
  flags.insert(flags.begin(), "enqueue");
  try {
    enqueue_request(parse_args(flags));
  } catch (const std::invalid_argument &e) {
    return e.what();
  }
  return "ok";
}

}  // namespace

TEST(EnqueueFlags, EveryFlagBecomesItsField) {
  const EnqueueRequest r = enqueue_request(parse_args(
      {"enqueue", "--destination", "orders", "--payload", R"({"n": 123456789012345678901234567890, "x": 1e-400})",
       "--headers", R"({"h": "v"})", "--idempotency-key", "k", "--ordering-key", "o", "--priority", "-5",
       "--max-attempts", "7", "--available-at", "2030-01-01T00:00:00Z"}));
  EXPECT_EQ(r.destination, "orders");
  EXPECT_EQ(r.payload_json, R"({"n": 123456789012345678901234567890, "x": 1e-400})") << "kept exactly as given";
  EXPECT_EQ(r.headers_json, R"({"h": "v"})");
  EXPECT_EQ(r.idempotency_key, "k");
  EXPECT_EQ(r.ordering_key, "o");
  EXPECT_EQ(r.priority, -5);
  EXPECT_EQ(r.max_attempts, 7);
  EXPECT_EQ(r.available_at, "2030-01-01T00:00:00Z");
}

TEST(EnqueueFlags, TheApisRefusalsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--destination", "d", "--payload", "1", "--priority", "40000"},
       "--priority: must be an integer from -32768 to 32767, got 40000"},
      {{"--destination", "d", "--payload", "1", "--priority", "high"},
       "--priority: must be an integer from -32768 to 32767, got string"},
      {{"--destination", "d", "--payload", "1", "--max-attempts", "0"},
       "--max-attempts: must be an integer from 1 to 1000, got 0"},
      {{"--destination", "d", "--payload", "1", "--max-attempts", "-5"},
       "--max-attempts: must be an integer from 1 to 1000, got -5"},
      {{"--destination", "d", "--payload", "1", "--max-attempts", "5000"},
       "--max-attempts: must be an integer from 1 to 1000, got 5000"},
      {{"--destination", "d", "--payload", "1", "--max-attempts", "2.5"},
       "--max-attempts: must be an integer from 1 to 1000, got number"},
      {{"--destination", "d", "--payload", R"({"a": "\u0000"})"},
       "--payload: must not contain \\u0000 (PostgreSQL jsonb cannot store it)"},
      {{"--destination", "d", "--payload", "{"}, "--payload: not valid JSON"},
      {{"--destination", "d", "--payload", ""}, "--payload: empty, expected JSON"},
      {{"--destination", "d", "--payload", std::string(65, '[') + std::string(65, ']')},
       "--payload: nested more than 64 levels deep (the limit)"},
      {{"--destination", "d", "--payload", "1e131072"},
       "--payload: number 1e131072 is out of the range PostgreSQL can store (at most 131072 digits before the "
       "decimal point and 16383 after)"},
      {{"--destination", "d", "--payload", "1", "--headers", "[]"}, "--headers: must be a JSON object, got array"},
      {{"--destination", "", "--payload", "1"}, "--destination: must be 1 to 200 bytes long in UTF-8"},
      {{"--destination", std::string(201, 'd'), "--payload", "1"}, "--destination: must be 1 to 200 bytes long in UTF-8"},
      {{"--destination", "d\xff", "--payload", "1"}, "--destination: is not valid UTF-8"},
      {{"--destination", "d", "--payload", "1", "--idempotency-key", ""},
       "--idempotency-key: must be 1 to 255 bytes long in UTF-8"},
      {{"--destination", "d", "--payload", "1", "--ordering-key", std::string(256, 'k')},
       "--ordering-key: must be 1 to 255 bytes long in UTF-8"},
      {{"--destination", "d", "--payload", "1", "--available-at", std::string(65, '2')},
       "--available-at: must be 1 to 64 bytes long in UTF-8"},
      {{"--destination", "d"}, "enqueue needs --destination NAME and --payload JSON"},
  };
  for (const auto &[flags, want] : cases) EXPECT_EQ(refusal(flags), want) << flags[3];
}

TEST(EnqueueFlags, AFlagCannotSetAnotherField) {
  // Spliced into the body text only after it parsed as exactly one value on its own.
  EXPECT_EQ(refusal({"--destination", "d", "--payload", R"(1, "priority": 40000)"}), "--payload: not valid JSON");
  EXPECT_EQ(refusal({"--destination", "d", "--payload", "1", "--priority", R"(1, "max_attempts": 0)"}),
            "--priority: must be an integer from -32768 to 32767, got string");
  const EnqueueRequest r = enqueue_request(parse_args({"enqueue", "--destination", R"(d", "priority": "5)",
                                                       "--payload", "1"}));
  EXPECT_EQ(r.destination, R"(d", "priority": "5)");
  EXPECT_EQ(r.priority, 0);
}

TEST(EnqueueFlags, NameFlagMapsFieldsToFlags) {
  EXPECT_EQ(name_flag("max_attempts: must be"), "--max-attempts: must be");
  EXPECT_EQ(name_flag("available_at: invalid input syntax"), "--available-at: invalid input syntax");
  EXPECT_EQ(name_flag("payload.to[1]: 'bob' is not an address"), "--payload: to[1]: 'bob' is not an address");
  EXPECT_EQ(name_flag("headers.webhook-url: host x"), "--headers: webhook-url: host x");
  EXPECT_EQ(name_flag("url: refused"), "url: refused");
  EXPECT_EQ(name_flag("no field here"), "no field here");
}

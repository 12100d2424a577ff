// One pass over a request body's JSON text, without recursion and without converting anything:
// it checks what PostgreSQL's jsonb and the daemon can take, and finds the raw text of each message
// field so a payload is stored exactly as sent (numbers are never re-serialised through double).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outboxd::api {

// How deep arrays and objects may nest inside one message field (a payload, headers, a mail
// body's field), counting the field's own outermost container as 1. Far below what would exhaust a
// thread's stack here or in a plugin, and PostgreSQL's own limit (thousands of levels).
constexpr int kMaxJsonDepth = 64;

// PostgreSQL's numeric type (which jsonb stores numbers in) holds up to 131072 digits before the
// decimal point and 16383 after it.
constexpr int kMaxNumberPower = 131071;  // the highest power of ten a digit may stand for
constexpr int kMaxNumberScale = 16383;   // digits after the decimal point, as written

// PostgreSQL writes a stored number out with every digit and no exponent: 1e400 as a 1 and 400
// zeros. Every claim, GET and plugin call writes it out again, so 9 bytes sent (1e131071) would
// cost 131,072 bytes each time, and a body of such numbers more than PostgreSQL can write out at
// all (1 GB), which once stopped every claim. So what a number may grow by is bounded:
constexpr long long kMaxNumberGrowth = 1000;             // characters one number may gain
constexpr long long kMaxRequestNumberGrowth = 1 << 20;   // all numbers of one request (or field) together

// One member of a message object: its key (decoded) and its value's text as sent.
struct JsonField {
  std::string name;
  std::string_view text;
  long long written = 0;  // bytes of its value as PostgreSQL's jsonb writes it out (an upper bound)
};

// A value at the level above the fields: the body itself, or one item of a batch array.
struct JsonItem {
  std::string_view text;          // the value as sent, without surrounding whitespace
  long long written = 0;          // as in JsonField
  std::vector<JsonField> fields;  // its members, in order, when it is an object
};

struct JsonScanned {
  std::string_view root;        // the whole value, without surrounding whitespace (or a BOM)
  std::vector<JsonItem> items;  // field_level 1: the root; 2: the root array's elements; 0: none
};

// What a refusal names and says; `syntax` marks text that is not JSON at all.
struct JsonProblem {
  bool syntax = false;
  std::string where;  // "payload", "[3].headers", "body"
  std::string what;   // "nested more than 64 levels deep (the limit)"
};

// Checks that `text` is exactly one JSON value (RFC 8259, UTF-8; a leading BOM is skipped) that
// PostgreSQL's jsonb can store: no \u0000 anywhere, every number within numeric's range and growing
// by at most kMaxNumberGrowth when written out (kMaxRequestNumberGrowth for all of `text`), no
// field nesting deeper than kMaxJsonDepth, and no key given twice in a message object (jsonb would
// keep only the last; deeper objects follow jsonb's rule and are left alone).
// `field_level` says where the fields are: 1 when the root object is a message (its members are
// fields), 2 when the root is an array of messages, 0 when `text` is itself one field's value,
// named `root_name`. Problems name the field ("[3].payload"); the root itself is `root_name`.
// Returns the problem, or nullopt with `out` filled.
std::optional<JsonProblem> scan_json(std::string_view text, int field_level, const std::string &root_name,
                                     JsonScanned &out);

// The JSON type of a value's text that scan_json accepted: "object", "array", "string", "number",
// "boolean" or "null" (the names nlohmann::json::type_name uses).
const char *json_type_of(std::string_view value_text);

}  // namespace outboxd::api

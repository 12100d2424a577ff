// libFuzzer target for the HTTP API's pure request code (api/json_scan, api/message_request,
// api/auth): random bytes go to every parsing/validation entry point as a body, a query string, a
// path id and an Authorization header, and the body scanner is checked against nlohmann's parser. No database, no Pistache. A crash, sanitizer report, uncaught exception or a
// broken invariant (abort) is a finding. Built with clang by tests/CMakeLists.txt; see
// docs/http-api.md#fuzzing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/json_scan.hpp"
#include "api/message_request.hpp"

using namespace outboxd;
using namespace outboxd::api;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Every error is a 400 with a code and a detail.
void check_error(const ApiError &e) {
  require(e.status == 400);
  require(!e.error.empty());
  require(!e.detail.empty());
  // As api/http_server.cpp sends it: details may quote client bytes that are not UTF-8 (a query
  // parameter's name), so the server dumps with error_handler_t::replace; a plain dump() would throw.
  (void)e.body().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON value that passed the scanner: one value within the limits on its own.
void require_clean_json(const std::string &text) {
  JsonScanned scanned;
  require(!scan_json(text, 0, "value", scanned));
}

// A validated message has a destination and payload/headers that are the body's own text, each a
// clean JSON value (headers an object).
void check_request(const EnqueueRequest &r, const std::string &body, bool check_destination = true) {
  if (check_destination) require(!r.destination.empty() && r.destination.size() <= kMaxNameLength);
  require_clean_json(r.payload_json);
  require_clean_json(r.headers_json);
  require(body.find(r.payload_json) != std::string::npos);  // as sent, never re-serialised
  require(r.headers_json == "{}" || body.find(r.headers_json) != std::string::npos);
  require(std::string(json_type_of(r.headers_json)) == "object");
  require(r.priority >= -32768 && r.priority <= 32767);
  if (r.max_attempts) require(*r.max_attempts >= 1 && *r.max_attempts <= 1000);
  if (r.delay_ms) require(*r.delay_ms >= 0 && *r.delay_ms <= kMaxDelayMs);
  require(!(r.delay_ms && r.available_at));
}

// nlohmann's verdict on the same text, through its (iterative) SAX parser: the deepest nesting and,
// if it refused the text, why (its exception id; 406 is a number beyond a double's range, which
// JSON and PostgreSQL allow and the scanner accepts).
struct Verdict : nlohmann::json_sax<nlohmann::json> {
  int depth = 0, max_depth = 0, error_id = 0;
  bool open() {
    max_depth = std::max(max_depth, ++depth);
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t &) override { return true; }
  bool string(string_t &) override { return true; }
  bool binary(binary_t &) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t &) override { return true; }
  bool end_object() override { return --depth, true; }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return --depth, true; }
  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &ex) override {
    error_id = ex.id;
    return false;
  }
};

// The scanner and nlohmann agree on what is JSON: whatever the scanner calls malformed nlohmann
// refuses too, and whatever nlohmann refuses (but for a number beyond a double) the scanner
// refuses as well; what the scanner accepts nests no deeper than its limit. (A NUL byte is where
// nlohmann stops reading, taking "1\0junk" for 1; the scanner refuses it.)
void check_scanner(const std::string &body) {
  for (int level : {0, 1, 2}) {
    JsonScanned scanned;
    const auto problem = scan_json(body, level, "body", scanned);
    if (body.find('\0') != std::string::npos) {  // nlohmann stops reading at a NUL byte; JSON has none
      require(problem.has_value());
      continue;
    }
    Verdict v;
    const bool nlohmann_ok = nlohmann::json::sax_parse(body, &v);
    if (problem && problem->syntax) require(!nlohmann_ok);
    if (!nlohmann_ok && v.error_id != 406) require(problem.has_value());
    if (!problem && nlohmann_ok) require(v.max_depth <= kMaxJsonDepth + level);
    if (!problem) require(body.find(scanned.root) != std::string::npos && !scanned.root.empty());
  }
}

template <typename T, typename F>
void check(const Parsed<T> &p, F &&on_value) {
  if (const auto *e = std::get_if<ApiError>(&p))
    check_error(*e);
  else
    on_value(std::get<T>(p));
}

// "a=1&b=2" into a query map, the way a router hands parameters over (no percent-decoding needed:
// the fuzzer supplies any bytes directly).
std::map<std::string, std::string> split_query(const std::string &text) {
  std::map<std::string, std::string> q;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t amp = text.find('&', start);
    if (amp == std::string::npos) amp = text.size();
    const std::string pair = text.substr(start, amp - start);
    const std::size_t eq = pair.find('=');
    if (eq == std::string::npos)
      q[pair] = "";
    else
      q[pair.substr(0, eq)] = pair.substr(eq + 1);
    start = amp + 1;
  }
  return q;
}

const std::vector<ApiToken> &tokens() {
  static const std::vector<ApiToken> t = {
      {"producer", "producer-token-0123456789", {"enqueue"}},
      {"reader", "reader-token-0123456789", {"read"}},
      {"ops", "ops-token-0123456789abcdef", {"admin"}},
  };
  return t;
}

void check_auth(const std::optional<std::string> &header, const std::string &scope) {
  const AuthDecision open = authorize({}, header, scope);
  require(std::holds_alternative<AuthAllow>(open) && std::get<AuthAllow>(open).name.empty());

  const AuthDecision d = authorize(tokens(), header, scope);
  if (const auto *allow = std::get_if<AuthAllow>(&d)) {
    bool known = false;  // a configured token that has the scope
    for (const auto &t : tokens())
      if (t.name == allow->name && scopes_grant(t.scopes, scope)) known = true;
    require(known);
  } else {
    const std::string &detail = std::holds_alternative<AuthUnauthorized>(d) ? std::get<AuthUnauthorized>(d).detail
                                                                            : std::get<AuthForbidden>(d).detail;
    require(!detail.empty());
    for (const auto &t : tokens()) require(detail.find(t.token) == std::string::npos);  // never echoes a secret
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string body(reinterpret_cast<const char *>(data), size);

  check_scanner(body);
  check(parse_message_body(body), [&](const EnqueueRequest &r) { check_request(r, body); });
  check(parse_batch_body(body), [&](const std::vector<EnqueueRequest> &rs) {
    require(!rs.empty() && rs.size() <= kMaxBatchItems);
    for (const auto &r : rs) check_request(r, body);
  });
  check(parse_mail_body(body, "mail"), [&](const EnqueueRequest &r) {
    require(r.destination == "mail");
    require(std::string(json_type_of(r.payload_json)) == "object");
    check_request(r, body, false);
  });
  if (const auto e = check_field_json(body, "payload")) check_error(*e);

  check(parse_list_query(split_query(body)), [](const MessageFilter &f) {
    require(f.limit >= 1 && f.limit <= kMaxListLimit);
    if (f.state) require(is_message_state(*f.state));
  });

  if (is_uuid(body)) require(body.size() == 36);  // path id validation
  (void)is_json_content_type(body);
  (void)is_message_state(body);

  for (const char *scope : {"enqueue", "read", "admin"}) {
    check_auth(body, scope);
    check_auth("Bearer " + body, scope);
  }
  check_auth(std::nullopt, "read");
  return 0;
}

// Connection strings read by libpq's own parser. libpq's error text for a string it cannot parse
// quotes the string (`invalid percent-encoded token: "S3%ZZcret"`), so it is only ever used here to
// choose a hint, never shown.
#include "core/conninfo_options.hpp"

#include <cctype>

#include <libpq-fe.h>

namespace outboxd {
namespace {

struct ParseResult {
  std::optional<std::map<std::string, std::string>> options;
  std::string libpq_error;  // why it failed, for choosing a hint only: it quotes the text
};

ParseResult parse(const std::string &conninfo) {
  ParseResult result;
  char *error = nullptr;
  PQconninfoOption *parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (error) {
    result.libpq_error = error;
    PQfreemem(error);
  }
  if (!parsed) return result;
  std::map<std::string, std::string> options;
  for (const PQconninfoOption *o = parsed; o->keyword; ++o)
    if (o->val) options[o->keyword] = o->val;
  PQconninfoFree(parsed);
  result.options = std::move(options);
  return result;
}

bool contains(const std::string &text, const char *needle) { return text.find(needle) != std::string::npos; }

bool is_uri(const std::string &conninfo) {
  std::string head = conninfo.substr(0, 13);
  for (char &c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head.rfind("postgresql://", 0) == 0 || head.rfind("postgres://", 0) == 0;
}

// libpq's English messages (fe-connect.c) mapped to advice. A translated libpq (LANG) gets the
// general advice; the message itself is never repeated.
std::string hint_for(const std::string &libpq_error, bool uri) {
  if (contains(libpq_error, "missing \"=\" after"))
    return "a word without '=' after it: a value with spaces must be in single quotes ('my value')";
  if (contains(libpq_error, "unterminated quoted string"))
    return "a quoted value whose closing ' is missing; write \\' for a quote inside a value";
  if (contains(libpq_error, "invalid connection option"))
    return "a key libpq does not know, or a value with spaces that is not in single quotes; keys are "
           "such as host, port, dbname, user, password, sslmode, connect_timeout, application_name";
  if (contains(libpq_error, "percent-encoded"))
    return "a '%' that does not start a %XX escape of two hex digits, or a %00: write a '%' in the user "
           "name, password or database name as %25";
  if (contains(libpq_error, "matching \"]\"") || contains(libpq_error, "IPv6 host address may not be empty"))
    return "an IPv6 host must be written in brackets, [::1], with the ']' before any :port";
  if (contains(libpq_error, "unexpected character"))
    return "after the host may come only :port, /dbname or ?key=value; percent-encode '@', ':' and '/' "
           "in the user name and password (%40, %3A, %2F)";
  if (contains(libpq_error, "URI query parameter"))
    return "the options after '?' must be key=value pairs separated by '&'";
  if (uri)
    return "postgresql://user:password@host:port/dbname?key=value, with '@', ':', '/' and '%' in the "
           "user name and password percent-encoded (%40, %3A, %2F, %25)";
  return "key=value pairs separated by spaces, such as host=127.0.0.1 dbname=app user=outboxd; "
         "quote values with spaces in single quotes";
}

// Where libpq's parse is more lenient than its connect: checks that keep a password written
// with an unencoded '@' or ':' from being read as a host or port (and then quoted in an error).
std::optional<std::string> lenient_parse_problem(const std::string &conninfo, bool uri,
                                                 const std::map<std::string, std::string> &options) {
  if (uri) {
    const std::size_t start = conninfo.find("://") + 3;
    const std::size_t end = conninfo.find_first_of("/?", start);
    const std::string authority = conninfo.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::size_t first_at = authority.find('@');
    if (first_at != std::string::npos && authority.find('@', first_at + 1) != std::string::npos)
      return "more than one '@' before the host: write an '@' in the user name or password as %40";
  }
  if (auto port = options.find("port"); port != options.end()) {
    for (const char c : port->second)
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',')
        return std::string("the port is not a number") +
               (uri ? "; write a ':' in the password as %3A" : "");
  }
  return std::nullopt;
}

bool needs_quotes(const std::string &value) {
  if (value.empty()) return true;
  for (const char c : value)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '\\') return true;
  return false;
}

}  // namespace

std::optional<std::map<std::string, std::string>> conninfo_options(const std::string &conninfo) {
  return parse(conninfo).options;
}

std::optional<std::string> conninfo_problem(const std::string &conninfo) {
  const ParseResult result = parse(conninfo);
  const bool uri = is_uri(conninfo);
  std::optional<std::string> hint;
  if (!result.options) hint = hint_for(result.libpq_error, uri);
  else hint = lenient_parse_problem(conninfo, uri, *result.options);
  if (!hint) return std::nullopt;
  return "not a valid libpq connection string or postgresql:// URL (" + *hint + ")";
}

std::string conninfo_from_options(const std::map<std::string, std::string> &options) {
  std::string out;
  for (const auto &[key, value] : options) {
    if (!out.empty()) out += ' ';
    out += key + '=';
    if (!needs_quotes(value)) {
      out += value;
      continue;
    }
    out += '\'';
    for (const char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace outboxd

// Follows libpq's own parsers (conninfo_parse and conninfo_uri_parse in fe-connect.c) closely enough
// to find where each value starts and ends, so that escapes and quotes cannot hide part of a password.
#include "core/conninfo_redaction.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/conninfo_options.hpp"

namespace outboxd {
namespace {

const std::string kMask = "***";

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// password, sslpassword (the client key's passphrase): the keywords whose values are secrets.
bool is_password_keyword(const std::string &name) {
  const std::string k = lower(name);
  return k == "password" || k == "sslpassword";
}

std::size_t uri_prefix_length(const std::string &s) {
  for (const std::string prefix : {"postgresql://", "postgres://"})
    if (lower(s.substr(0, prefix.size())) == prefix) return prefix.size();
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// libpq percent-decodes query keywords too, so "%70assword" is "password".
std::string percent_decoded(const std::string &s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Each redact_* function appends the text it masks to `hidden` (as written, escapes and all).
std::string redact_uri(const std::string &uri, std::size_t prefix, std::vector<std::string> &hidden) {
  const std::size_t query = uri.find('?', prefix);
  const std::size_t authority_end = query == std::string::npos ? uri.size() : query;
  std::string out = uri.substr(0, authority_end);
  // user:password@host. The last '@' before the query, not the first: an unencoded '@' in the
  // password must not leave the rest of it visible (over-hiding a path is harmless).
  const std::size_t at = out.rfind('@');
  if (at != std::string::npos && at >= prefix) {
    const std::size_t colon = out.find(':', prefix);
    if (colon != std::string::npos && colon < at) {
      hidden.push_back(out.substr(colon + 1, at - colon - 1));
      out = out.substr(0, colon + 1) + kMask + out.substr(at);
    }
  }
  if (query == std::string::npos) return out;
  out += '?';
  std::size_t start = query + 1;
  for (;;) {
    const std::size_t amp = uri.find('&', start);
    const std::string param = uri.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    const std::size_t eq = param.find('=');
    if (eq != std::string::npos && is_password_keyword(percent_decoded(param.substr(0, eq)))) {
      hidden.push_back(param.substr(eq + 1));
      out += param.substr(0, eq + 1) + kMask;
    } else
      out += param;
    if (amp == std::string::npos) break;
    out += '&';
    start = amp + 1;
  }
  return out;
}

std::string redact_key_values(const std::string &s, std::vector<std::string> &hidden) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      out += s[i++];
      continue;
    }
    const std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && !is_space(s[i])) ++i;
    const std::string name = s.substr(name_start, i - name_start);
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size() || s[i] != '=') {  // libpq: missing "=" after a keyword
      hidden.push_back(s.substr(name_start));
      return out + kMask;
    }
    ++i;
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t value_start = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      for (;;) {
        if (i >= s.size()) {  // unterminated
          hidden.push_back(s.substr(value_start));
          return out + s.substr(name_start, value_start - name_start) + kMask;
        }
        if (s[i] == '\\') {
          i += 2;
          continue;
        }
        if (s[i++] == '\'') break;
      }
    } else {
      // Unquoted: up to whitespace, where a backslash makes the next character (a space too) part of it.
      while (i < s.size() && !is_space(s[i])) i += s[i] == '\\' ? 2 : 1;
      if (i > s.size()) i = s.size();
    }
    out += s.substr(name_start, value_start - name_start);
    if (is_password_keyword(name)) {
      hidden.push_back(s.substr(value_start, i - value_start));
      out += kMask;
    } else {
      out += s.substr(value_start, i - value_start);
    }
  }
  return out;
}

std::string redact(const std::string &conninfo, std::vector<std::string> &hidden) {
  if (const std::size_t prefix = uri_prefix_length(conninfo)) return redact_uri(conninfo, prefix, hidden);
  return redact_key_values(conninfo, hidden);
}

void replace_all(std::string &text, const std::string &secret) {
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMask.size()))
    text.replace(at, secret.size(), kMask);
}

}  // namespace

std::string redact_conninfo(const std::string &conninfo) {
  std::vector<std::string> hidden;
  return redact(conninfo, hidden);
}

std::string hide_conninfo_secrets(std::string text, const std::string &conninfo) {
  std::vector<std::string> secrets;
  redact(conninfo, secrets);  // as written: quoted, escaped or percent-encoded
  for (const std::string &written : std::vector<std::string>(secrets)) secrets.push_back(percent_decoded(written));
  if (auto options = conninfo_options(conninfo)) {  // as libpq reads them, which is what it may quote
    for (const char *key : {"password", "sslpassword"})
      if (auto it = options->find(key); it != options->end()) secrets.push_back(it->second);
  }
  // Longest first, so that a secret containing another is hidden whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
  for (const std::string &secret : secrets)
    if (!secret.empty()) replace_all(text, secret);
  return text;
}

}  // namespace outboxd

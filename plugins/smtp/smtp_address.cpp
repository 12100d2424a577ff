// Email addresses as the payload and config give them: "a@b", "Name <a@b>", "\"Doe, J\" <a@b>".
#include "smtp_address.hpp"

#include "smtp_encoding.hpp"

namespace outboxd::smtp {

namespace {

std::string smtp_trim(const std::string &s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A deliberately plain addr-spec check: what SMTP servers accept in practice, not all of RFC 5321
// (no quoted local parts, no address literals). Refusing early gives a clear permanent error
// instead of a 501 from the server after a connection.
bool smtp_valid_addr_spec(const std::string &a, std::string &reason) {
  const auto at = a.rfind('@');
  if (at == std::string::npos) {
    reason = "'" + a + "' is not an address (no @)";
    return false;
  }
  const std::string local = a.substr(0, at), domain = a.substr(at + 1);
  if (local.empty() || domain.empty()) {
    reason = "'" + a + "' is not an address (empty " + (local.empty() ? "local part" : "domain") + ")";
    return false;
  }
  if (a.size() > 254) {
    reason = "'" + a.substr(0, 40) + "...' is longer than 254 characters";
    return false;
  }
  for (char ch : a) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c > 0x7e) {
      reason = "'" + a + "' has non-ASCII characters (SMTPUTF8 mailboxes are not supported)";
      return false;
    }
    if (c <= 0x20 || ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == ',' || ch == ';' ||
        ch == ':' || ch == '\\' || ch == '"' || ch == '[' || ch == ']') {
      reason = "'" + a + "' contains a character not allowed in an address";
      return false;
    }
  }
  if (local.find('@') != std::string::npos) {
    reason = "'" + a + "' has more than one @";
    return false;
  }
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string::npos ||
      local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos) {
    reason = "'" + a + "' has a misplaced dot";
    return false;
  }
  return true;
}

}  // namespace

std::optional<SmtpAddress> smtp_parse_address(const std::string &raw, std::string &reason) {
  if (raw.find_first_of("\r\n") != std::string::npos) {
    reason = "contains CR or LF";
    return std::nullopt;
  }
  if (!smtp_is_utf8(raw)) {
    reason = "is not valid UTF-8";
    return std::nullopt;
  }
  const std::string text = smtp_trim(raw);
  if (text.empty()) {
    reason = "is empty";
    return std::nullopt;
  }
  SmtpAddress out;
  if (text.back() == '>') {
    const auto open = text.rfind('<');
    if (open == std::string::npos) {
      reason = "'" + text + "' has '>' without '<'";
      return std::nullopt;
    }
    out.address = text.substr(open + 1, text.size() - open - 2);
    std::string name = smtp_trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      std::string unquoted;
      for (std::size_t i = 1; i + 1 < name.size(); ++i) {
        if (name[i] == '\\' && i + 2 < name.size()) ++i;
        unquoted += name[i];
      }
      name = unquoted;
    }
    out.name = name;
  } else {
    out.address = text;
  }
  if (!smtp_valid_addr_spec(out.address, reason)) return std::nullopt;
  return out;
}

std::string smtp_format_address(const SmtpAddress &address) {
  if (address.name.empty()) return address.address;
  return smtp_encode_display_name(address.name) + " <" + address.address + ">";
}

}  // namespace outboxd::smtp

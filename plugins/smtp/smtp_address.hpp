// Email addresses as the payload and config give them: "a@b", "Name <a@b>", "\"Doe, J\" <a@b>".
#pragma once

#include <optional>
#include <string>

namespace outboxd::smtp {

struct SmtpAddress {
  std::string name;     // display name, UTF-8, may be empty
  std::string address;  // addr-spec, ASCII: local@domain

  std::string domain() const { return address.substr(address.rfind('@') + 1); }
};

// Parses one address. On failure returns nullopt and sets `reason` (without the field name), e.g.
// "'bob' is not an address (no @)". Only ASCII addr-specs are accepted: non-ASCII mailboxes need
// SMTPUTF8, which the plugin does not negotiate. Display names may be any UTF-8 without CR/LF.
std::optional<SmtpAddress> smtp_parse_address(const std::string &text, std::string &reason);

// "Name <a@b>" with the name encoded for a header (quoted or RFC 2047), or "a@b" without a name.
std::string smtp_format_address(const SmtpAddress &address);

}  // namespace outboxd::smtp

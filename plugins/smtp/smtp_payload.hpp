// Turns a message's JSON payload into an Email, refusing what could never be sent, by field.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smtp_address.hpp"

namespace outboxd::smtp {

struct SmtpAttachment {
  std::string filename;
  std::string content_type;  // "type/subtype", defaults to application/octet-stream
  std::string content;       // the decoded bytes
};

struct Email {
  SmtpAddress from;
  std::vector<SmtpAddress> to, cc, bcc, reply_to;
  std::string subject;
  std::optional<std::string> text, html;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in payload order
  std::vector<SmtpAttachment> attachments;

  // Envelope recipients: to, cc and bcc, each address once, in that order.
  std::vector<std::string> recipients() const;
};

// Parses the payload. `default_from` (may be empty) is used when the payload names no `from`.
// Accepted fields: from, to, cc, bcc, reply_to (a string or a list of strings), subject, text,
// html, headers (object of strings), attachments (list of {filename, content_type, content});
// `content` (the {from, to, subject, content} body of earlier demos) is taken as `text`. On
// failure returns nullopt and sets `error` to "field: reason", e.g.
// "to[1]: 'bob' is not an address (no @)". Never throws.
std::optional<Email> smtp_parse_payload(const char *payload, std::size_t len,
                                        const std::string &default_from, std::string &error) noexcept;

// smtp_parse_payload's error as a field of the whole message, the line both send() and validate()
// report: "to[1]: ..." becomes "payload.to[1]: ...", "payload: ..." stays.
std::string smtp_payload_refusal(const std::string &error);

}  // namespace outboxd::smtp

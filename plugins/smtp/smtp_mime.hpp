// Builds the RFC 5322 / MIME text of an Email: headers, multipart structure, encoded bodies, CRLF.
#pragma once

#include <ctime>
#include <string>

#include "smtp_payload.hpp"

namespace outboxd::smtp {

// "<id@domain>" from the outbox message id: the same on every retry, so receivers can drop
// duplicates. Characters of `id` outside a dot-atom are replaced by '-'.
std::string smtp_message_id(const std::string &id, const std::string &domain);

// "Fri, 27 Nov 2026 03:18:07 +0000" (RFC 5322 §3.3, UTC).
std::string smtp_rfc5322_date(std::time_t when);

// The whole message, CRLF line endings, every line at most 78 characters except where a single
// unbreakable word is longer (still far below 998). Bcc is never written. Boundaries are derived
// from the message id (bodies are quoted-printable or base64, which cannot contain "=_"), so the
// same payload gives the same bytes on every retry apart from Date.
std::string smtp_build_message(const Email &email, const std::string &message_id, std::time_t date);

}  // namespace outboxd::smtp

// Byte-level encodings an email needs: base64, quoted-printable, RFC 2047 words, RFC 2231 params.
#pragma once

#include <optional>
#include <string>

namespace outboxd::smtp {

// Standard base64 of `data`, in lines of at most 76 characters joined by CRLF (no trailing CRLF).
std::string smtp_base64_lines(const std::string &data);

// Decodes standard base64; whitespace (CR, LF, space, tab) is skipped, padding is required when
// the length calls for it. nullopt when anything else is wrong.
std::optional<std::string> smtp_base64_decode(const std::string &text);

// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks are already CRLF: every output
// line is at most 76 characters, soft breaks end in "=", trailing spaces and tabs are encoded,
// and so is a leading "." or "From " (so dot-stuffing and mbox never touch the body).
std::string smtp_quoted_printable(const std::string &crlf_text);

// Any of CRLF, lone CR or lone LF become CRLF.
std::string smtp_normalize_newlines(const std::string &text);

bool smtp_is_ascii(const std::string &text);
// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates).
bool smtp_is_utf8(const std::string &text);

// An unstructured header value (Subject, custom headers): kept as is when it is printable ASCII,
// otherwise RFC 2047 "=?UTF-8?B?...?=" words of at most 75 characters each, split only between
// whole UTF-8 characters, separated by CRLF SP (folding). `used` is how many characters the header
// line already holds before the value ("Subject: " = 9), so the first line stays within 78.
std::string smtp_encode_unstructured(const std::string &value, std::size_t used);

// A display name for an address header: a bare atom phrase, a quoted-string, or encoded words.
std::string smtp_encode_display_name(const std::string &name);

// A MIME parameter (e.g. filename): `name="value"` for printable ASCII, otherwise the RFC 2231
// form `name*=utf-8''percent-encoded`.
std::string smtp_mime_parameter(const std::string &name, const std::string &value);

}  // namespace outboxd::smtp

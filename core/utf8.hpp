// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), for text that
// comes from clients and must reach PostgreSQL or a log intact.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace outboxd {

// Length of the well-formed sequence that starts at text[i], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

bool is_valid_utf8(std::string_view text);

// `text` for a log line: at most `max_bytes` of it (then "..."), with control characters and bytes
// that are not UTF-8 written as \xNN, so a client cannot end a log line or forge the next one.
std::string log_safe(std::string_view text, std::size_t max_bytes = 200);

}  // namespace outboxd

// Byte-level encodings an email needs: base64, quoted-printable, RFC 2047 words, RFC 2231 params.
#include "smtp_encoding.hpp"

#include <algorithm>
#include <cstdint>

#include "common/base64.hpp"

namespace outboxd::smtp {

namespace {

constexpr char smtp_hex[] = "0123456789ABCDEF";

// Length of the UTF-8 sequence starting with lead byte `c` (1 for ASCII and for stray bytes).
std::size_t smtp_utf8_len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// RFC 5322 atext: what may appear in a display name without quotes.
bool smtp_is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (const char *p = "!#$%&'*+-/=?^_`{|}~"; *p != '\0'; ++p)
    if (*p == c) return true;
  return false;
}

bool smtp_is_printable_ascii(const std::string &text) {
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Encoded words for `value`, each "=?UTF-8?B?...?=" at most 75 characters; returns them in order.
std::string smtp_encoded_words(const std::string &value, std::size_t used) {
  // 75 - len("=?UTF-8?B?") - len("?=") = 63 base64 characters = 45 bytes of text per word at most
  // (a multiple of 3, so no padding inside a word).
  // The first word shares its line with the header name, so it gets what is left of 76.
  const std::size_t room = used + 12 < 76 ? (76 - used - 12) / 4 * 3 : 3;
  std::size_t max_bytes = room < 45 ? (room < 3 ? 3 : room) : 45;
  std::string out;
  std::size_t i = 0;
  bool first = true;
  while (i < value.size()) {
    std::size_t end = i;
    while (end < value.size()) {
      const std::size_t n = smtp_utf8_len(static_cast<unsigned char>(value[end]));
      if (end + n - i > max_bytes) break;
      end += n;
    }
    if (end == i) end = i + smtp_utf8_len(static_cast<unsigned char>(value[i]));  // budget < 1 char
    if (end > value.size()) end = value.size();
    if (!first) out += "\r\n ";
    out += "=?UTF-8?B?" + plugin_common::base64_encode(std::string_view(value).substr(i, end - i)) + "?=";
    first = false;
    max_bytes = 45;
    i = end;
  }
  return out;
}

}  // namespace

std::string smtp_base64_lines(const std::string &data) {
  const std::string flat = plugin_common::base64_encode(data);
  std::string out;
  out.reserve(flat.size() + flat.size() / 76 * 2);
  for (std::size_t i = 0; i < flat.size(); i += 76) {
    if (i > 0) out += "\r\n";
    out.append(flat, i, 76);
  }
  return out;
}

std::optional<std::string> smtp_base64_decode(const std::string &text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') compact += c;
  return plugin_common::base64_decode(compact, plugin_common::Base64Padding::required);
}

std::string smtp_quoted_printable(const std::string &text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t line_len = 0;
  const auto emit = [&](const std::string &piece) {
    // A soft break keeps every line at most 76 characters including the trailing "=".
    if (line_len + piece.size() > 75) {
      out += "=\r\n";
      line_len = 0;
    }
    out += piece;
    line_len += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      line_len = 0;
      ++i;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\r';
    const bool at_line_start = line_len == 0;
    bool encode = c == '=' || c < 0x20 || c > 0x7e;
    if ((c == ' ' || c == '\t') && at_line_end) encode = true;
    if (c == '\t' && !at_line_end) encode = false;
    if (at_line_start && c == '.') encode = true;
    if (at_line_start && c == 'F' && text.compare(i, 5, "From ") == 0) encode = true;
    if (encode) {
      emit(std::string{'=', smtp_hex[c >> 4], smtp_hex[c & 15]});
    } else {
      emit(std::string(1, static_cast<char>(c)));
    }
  }
  return out;
}

std::string smtp_normalize_newlines(const std::string &text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

bool smtp_is_ascii(const std::string &text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) > 0x7f) return false;
  return true;
}

bool smtp_is_utf8(const std::string &text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n;
  }
  return true;
}

namespace {

// The longest run without a space: folding can only break at spaces.
std::size_t smtp_longest_word(const std::string &value) {
  std::size_t longest = 0, run = 0;
  for (char c : value) {
    run = c == ' ' ? 0 : run + 1;
    longest = std::max(longest, run);
  }
  return longest;
}

}  // namespace

std::string smtp_encode_unstructured(const std::string &value, std::size_t used) {
  // A run too long to fit a line (998 octets at most) goes out as encoded words, which split anywhere.
  if (smtp_is_printable_ascii(value) && value.find("=?") == std::string::npos &&
      smtp_longest_word(value) + used < 900) {
    // Fold long ASCII values at spaces so lines stay near 78 (and far below the 998 limit).
    std::string out;
    std::size_t line = used, start = 0;
    while (start < value.size()) {
      std::size_t next = value.find(' ', start + 1);
      if (next == std::string::npos) next = value.size();
      const std::string word = value.substr(start, next - start);  // begins with ' ' unless first
      if (line + word.size() > 78 && start > 0 && line > 1) {
        out += "\r\n";
        line = 0;
      }
      out += word;
      line += word.size();
      start = next;
    }
    return out;
  }
  return smtp_encoded_words(value, used);
}

std::string smtp_encode_display_name(const std::string &name) {
  // Encoded words also for very long names: a quoted-string cannot be folded inside.
  if (!smtp_is_printable_ascii(name) || name.size() > 200) return smtp_encoded_words(name, 0);
  bool atoms = !name.empty() && name.front() != ' ' && name.back() != ' ';
  for (char c : name)
    if (!smtp_is_atext(c) && c != ' ') atoms = false;
  if (atoms && name.find("  ") == std::string::npos) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string smtp_mime_parameter(const std::string &name, const std::string &value) {
  if (smtp_is_printable_ascii(value)) {
    std::string out = name + "=\"";
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  std::string out = name + "*=utf-8''";
  for (char ch : value) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += smtp_hex[c >> 4];
      out += smtp_hex[c & 15];
    }
  }
  return out;
}

}  // namespace outboxd::smtp

// The proto3 encoder for asynq's TaskMessage: varints and length-delimited fields, nothing more.
#include "task_message.hpp"

namespace outboxd::asynq {

namespace {

enum WireType : uint32_t { kVarint = 0, kLen = 2 };

void append_tag(std::string &out, uint32_t field, WireType type) { append_varint(out, (field << 3) | type); }

void append_bytes(std::string &out, uint32_t field, const std::string &value) {
  if (value.empty()) return;  // proto3: an empty string or bytes field is not written
  append_tag(out, field, kLen);
  append_varint(out, value.size());
  out += value;
}

void append_int(std::string &out, uint32_t field, int64_t value) {
  if (value == 0) return;
  append_tag(out, field, kVarint);
  // int32 and int64 both sign-extend to 64 bits on the wire.
  append_varint(out, static_cast<uint64_t>(value));
}

}  // namespace

void append_varint(std::string &out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

std::string encode_task_message(const TaskMessage &m) {
  std::string out;
  out.reserve(64 + m.type.size() + m.payload.size() + m.id.size() + m.queue.size());
  append_bytes(out, 1, m.type);
  append_bytes(out, 2, m.payload);
  append_bytes(out, 3, m.id);
  append_bytes(out, 4, m.queue);
  append_int(out, 5, m.retry);
  append_int(out, 6, m.retried);
  append_bytes(out, 7, m.error_msg);
  append_int(out, 8, m.timeout);
  append_int(out, 9, m.deadline);
  append_bytes(out, 10, m.unique_key);
  append_int(out, 11, m.last_failed_at);
  append_int(out, 12, m.retention);
  append_int(out, 13, m.completed_at);
  append_bytes(out, 14, m.group_key);
  for (const auto &[key, value] : m.headers) {
    // A map entry is a nested message {1: key, 2: value}; proto3 map entries are always written,
    // even with an empty key or value (the nested fields themselves follow the empty rule).
    std::string entry;
    append_bytes(entry, 1, key);
    append_bytes(entry, 2, value);
    append_tag(out, 15, kLen);
    append_varint(out, entry.size());
    out += entry;
  }
  return out;
}

bool is_valid_utf8(const std::string &s) {
  const auto *p = reinterpret_cast<const unsigned char *>(s.data());
  const auto *end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++p;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    p += n + 1;
  }
  return true;
}

}  // namespace outboxd::asynq

// A minimal proto3 reader for the tests, written separately from the encoder under test, so a
// stored task can be decoded field by field and compared with what asynq's worker would read.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace outboxd::test {

struct ProtoFields {
  std::map<int, uint64_t> ints;                    // varint fields
  std::map<int, std::vector<std::string>> bytes;   // length-delimited fields (repeated: map entries)
  std::string text(int field) const {
    auto it = bytes.find(field);
    return it == bytes.end() || it->second.empty() ? "" : it->second.front();
  }
  uint64_t number(int field) const {
    auto it = ints.find(field);
    return it == ints.end() ? 0 : it->second;
  }
};

inline uint64_t read_varint(const std::string &s, size_t &i) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (i >= s.size()) throw std::runtime_error("truncated varint");
    const auto b = static_cast<unsigned char>(s[i++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  throw std::runtime_error("varint too long");
}

// Throws on anything but wire types 0 and 2, and on fields out of ascending order.
inline ProtoFields read_proto(const std::string &s) {
  ProtoFields out;
  size_t i = 0;
  int last = 0;
  while (i < s.size()) {
    const uint64_t tag = read_varint(s, i);
    const int field = static_cast<int>(tag >> 3);
    if (field < last) throw std::runtime_error("fields out of order");
    last = field;
    if ((tag & 7) == 0) {
      out.ints[field] = read_varint(s, i);
    } else if ((tag & 7) == 2) {
      const uint64_t n = read_varint(s, i);
      if (i + n > s.size()) throw std::runtime_error("truncated field");
      out.bytes[field].push_back(s.substr(i, n));
      i += n;
    } else {
      throw std::runtime_error("unexpected wire type");
    }
  }
  return out;
}

inline std::string from_hex(const std::string &hex) {
  std::string out;
  std::string digits;
  for (char c : hex)
    if (c != ' ' && c != '\n') digits += c;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) out += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
  return out;
}

}  // namespace outboxd::test

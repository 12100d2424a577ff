// An iterative JSON scanner: a state machine and an explicit stack, so no input can exhaust the
// thread's stack, and spans into the original text, so nothing is converted on the way.
#include "api/json_scan.hpp"

#include <algorithm>
#include <set>

#include "api/hex_digit.hpp"

namespace outboxd::api {
namespace {

constexpr long long kExponentCap = 1LL << 40;  // an exponent beyond this is out of range anyway
// PostgreSQL refuses exponents whose magnitude reaches INT_MAX / 2 before looking at the digits.
constexpr long long kMaxExponent = 1073741823;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string &out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0 if it is not
// one (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  const unsigned b0 = byte(i), b1 = byte(i + 1);
  const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    return b1 >= lo && b1 <= hi && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return b1 >= lo && b1 <= hi && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// The parts of a number as written: digits before and after the point, and the exponent.
struct NumberParts {
  bool negative = false;
  std::string_view int_digits, frac_digits;
  long long exponent = 0;

  // The power of ten of the first non-zero digit; nullopt for a zero.
  std::optional<long long> first_power() const {
    for (std::size_t k = 0; k < int_digits.size(); ++k)
      if (int_digits[k] != '0') return static_cast<long long>(int_digits.size() - 1 - k) + exponent;
    for (std::size_t k = 0; k < frac_digits.size(); ++k)
      if (frac_digits[k] != '0') return -static_cast<long long>(k + 1) + exponent;
    return std::nullopt;
  }
  // numeric_in's display scale: the digits after the point as written, less the exponent.
  long long scale() const { return std::max(0LL, static_cast<long long>(frac_digits.size()) - exponent); }

  // Whether PostgreSQL's numeric_in takes it: the same limits, checked the same way.
  bool fits_numeric() const {
    if (exponent >= kMaxExponent || exponent <= -kMaxExponent) return false;
    if (scale() > kMaxNumberScale) return false;
    const auto power = first_power();
    return !power || *power <= kMaxNumberPower;
  }

  // The length of what numeric_out writes for it (every digit, no exponent): a '-' unless it is
  // zero, the integer digits (at least "0"), and the point and `scale` digits when scale > 0.
  // Only for numbers that fit.
  long long written_length() const {
    const auto power = first_power();
    const long long integer = power && *power >= 0 ? *power + 1 : 1;
    const long long s = scale();
    return (negative && power ? 1 : 0) + integer + (s > 0 ? s + 1 : 0);
  }
};

// The bytes jsonb writes for one character of a string's value: itself, or its escape (jsonb
// escapes '"', '\\' and the control characters, nothing else).
int escaped_size(unsigned cp) {
  if (cp == '"' || cp == '\\' || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t') return 2;
  if (cp < 0x20) return 6;  // \u001f
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

class Scanner {
 public:
  Scanner(std::string_view text, int field_level, const std::string &root_name, JsonScanned &out)
      : s_(text), level_(field_level < 0 ? 0 : field_level), root_name_(root_name), out_(out),
        path_(static_cast<std::size_t>(level_)) {}

  std::optional<JsonProblem> run();

 private:
  struct Frame {
    bool object = false;
    bool message = false;  // an object whose members are fields
    std::size_t start = 0;
    long long written_start = 0;  // written_ when it opened
    std::size_t index = 0;        // arrays: the element being read
  };
  enum class Next { Value, Key, AfterValue };

  std::string_view s_;
  std::size_t i_ = 0;
  int level_;
  const std::string &root_name_;
  JsonScanned &out_;
  std::vector<Frame> stack_;
  std::vector<std::string> path_;  // the current key or "[i]" of each container at depth 1..level_
  std::set<std::string> keys_;     // the keys of the message object being read
  std::string field_;              // the key whose value is being read in a message object
  std::size_t root_end_ = 0;
  long long written_ = 0;  // bytes jsonb writes for everything read so far (whitespace as jsonb's)
  long long growth_ = 0;   // what the numbers read so far gain when written out

  JsonProblem syntax() const { return JsonProblem{true, root_name_, "not valid JSON"}; }
  JsonProblem problem(std::string what) const { return JsonProblem{false, where(), std::move(what)}; }
  std::string where() const;
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool at_item() const {  // the value starting here is the body or one of the batch array's items
    return level_ >= 1 && stack_.size() == static_cast<std::size_t>(level_ - 1) &&
           (stack_.empty() || !stack_.back().object);
  }
  std::optional<JsonProblem> open(bool object);
  void close();
  void value_done(std::size_t start, std::size_t end, long long written_start);
  std::optional<JsonProblem> scan_string(std::string *decoded);
  std::optional<JsonProblem> number();
  bool literal();
};

std::string Scanner::where() const {
  std::string out;
  const std::size_t n = std::min(stack_.size(), path_.size());
  for (std::size_t d = 0; d < n; ++d) {
    const std::string &seg = path_[d];
    if (seg.empty()) continue;
    out += (out.empty() || seg[0] == '[' ? "" : ".") + seg;
  }
  return out.empty() ? root_name_ : out;
}

std::optional<JsonProblem> Scanner::open(bool object) {
  const std::size_t depth = stack_.size() + 1;
  if (static_cast<long long>(depth) - level_ > kMaxJsonDepth)
    return problem("nested more than " + std::to_string(kMaxJsonDepth) + " levels deep (the limit)");
  Frame f;
  f.object = object;
  f.message = object && at_item();
  f.start = i_;
  f.written_start = written_++;
  if (f.message) keys_.clear();
  stack_.push_back(f);
  if (!object && depth <= path_.size()) path_[depth - 1] = "[0]";
  ++i_;
  return std::nullopt;
}

void Scanner::close() {
  const Frame f = stack_.back();
  stack_.pop_back();
  ++written_;
  value_done(f.start, ++i_, f.written_start);
}

void Scanner::value_done(std::size_t start, std::size_t end, long long written_start) {
  const std::string_view text = s_.substr(start, end - start);
  const long long written = written_ - written_start;
  if (at_item()) {
    out_.items.back().text = text;
    out_.items.back().written = written;
  } else if (!stack_.empty() && stack_.back().message) {
    out_.items.back().fields.push_back(JsonField{field_, text, written});
  }
  if (stack_.empty()) root_end_ = end;
}

std::optional<JsonProblem> Scanner::scan_string(std::string *decoded) {
  ++i_;  // the opening quote
  written_ += 2;  // the quotes
  while (i_ < s_.size()) {
    const auto c = static_cast<unsigned char>(s_[i_]);
    if (c == '"') {
      ++i_;
      return std::nullopt;
    }
    if (c < 0x20) return syntax();
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s_, i_);
      if (n == 0) return syntax();
      if (decoded) decoded->append(s_.substr(i_, n));
      i_ += n;
      written_ += static_cast<long long>(n);
      continue;
    }
    if (c != '\\') {
      if (decoded) *decoded += static_cast<char>(c);
      ++i_;
      ++written_;
      continue;
    }
    if (++i_ >= s_.size()) return syntax();
    const char e = s_[i_++];
    if (e != 'u') {
      const std::size_t k = std::string_view("\"\\/bfnrt").find(e);
      if (k == std::string_view::npos) return syntax();
      const char plain = "\"\\/\b\f\n\r\t"[k];
      if (decoded) *decoded += plain;
      written_ += escaped_size(static_cast<unsigned char>(plain));
      continue;
    }
    const auto hex4 = [&](unsigned &cp) {
      if (i_ + 4 > s_.size()) return false;
      cp = 0;
      for (int k = 0; k < 4; ++k) {
        const int h = hex_value(s_[i_ + k]);
        if (h < 0) return false;
        cp = cp * 16 + static_cast<unsigned>(h);
      }
      i_ += 4;
      return true;
    };
    unsigned cp = 0;
    if (!hex4(cp)) return syntax();
    if (cp >= 0xDC00 && cp <= 0xDFFF) return syntax();  // a low surrogate on its own
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low = 0;
      if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return syntax();
      i_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return syntax();
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) return problem("must not contain \\u0000 (PostgreSQL jsonb cannot store it)");
    if (decoded) append_utf8(*decoded, cp);
    written_ += escaped_size(cp);
  }
  return syntax();  // unterminated
}

std::optional<JsonProblem> Scanner::number() {
  const std::size_t start = i_;
  NumberParts n;
  if (s_[i_] == '-') n.negative = s_[i_++] == '-';
  const std::size_t int_start = i_;
  if (i_ < s_.size() && s_[i_] == '0') {
    ++i_;
  } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
  } else {
    return syntax();
  }
  n.int_digits = s_.substr(int_start, i_ - int_start);
  if (i_ < s_.size() && s_[i_] == '.') {
    const std::size_t frac_start = ++i_;
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    if (i_ == frac_start) return syntax();
    n.frac_digits = s_.substr(frac_start, i_ - frac_start);
  }
  if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
    ++i_;
    bool negative = false;
    if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) negative = s_[i_++] == '-';
    const std::size_t exp_start = i_;
    for (; i_ < s_.size() && is_digit(s_[i_]); ++i_)
      if (n.exponent < kExponentCap) n.exponent = n.exponent * 10 + (s_[i_] - '0');
    if (i_ == exp_start) return syntax();
    if (negative) n.exponent = -n.exponent;
  }
  const std::size_t sent = i_ - start;
  std::string shown(s_.substr(start, sent));
  if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
  if (!n.fits_numeric())
    return problem("number " + shown + " is out of the range PostgreSQL can store (at most " +
                   std::to_string(kMaxNumberPower + 1) + " digits before the decimal point and " +
                   std::to_string(kMaxNumberScale) + " after)");
  const long long written = n.written_length();
  written_ += written;
  const long long growth = written - static_cast<long long>(sent);
  if (growth > kMaxNumberGrowth)
    return problem("number " + shown + " would be written out by PostgreSQL with every digit, " +
                   std::to_string(written) + " characters; a number may grow by at most " +
                   std::to_string(kMaxNumberGrowth) + " that way (send it as a string)");
  growth_ += std::max(0LL, growth);
  if (growth_ > kMaxRequestNumberGrowth)
    return problem("numbers written out by PostgreSQL with every digit would grow the request by more than " +
                   std::to_string(kMaxRequestNumberGrowth) + " bytes in all (the limit; send such numbers as strings)");
  return std::nullopt;
}

bool Scanner::literal() {
  for (const std::string_view word : {"true", "false", "null"})
    if (s_.substr(i_, word.size()) == word) {
      i_ += word.size();
      written_ += static_cast<long long>(word.size());
      return true;
    }
  return false;
}

std::optional<JsonProblem> Scanner::run() {
  if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // a UTF-8 byte order mark, which JSON readers may skip
  skip_space();
  if (i_ == s_.size()) return JsonProblem{true, root_name_, "empty, expected JSON"};
  const std::size_t root_start = i_;
  Next next = Next::Value;
  for (;;) {
    if (next == Next::Value) {
      if (i_ >= s_.size()) return syntax();
      const std::size_t start = i_;
      const long long written_start = written_;
      if (at_item()) out_.items.emplace_back();
      const char c = s_[i_];
      if (c == '{' || c == '[') {
        if (auto p = open(c == '{')) return p;
        skip_space();
        if (i_ < s_.size() && s_[i_] == (c == '{' ? '}' : ']')) {
          close();
          next = Next::AfterValue;
        } else {
          next = c == '{' ? Next::Key : Next::Value;
        }
        continue;
      }
      if (c == '"') {
        if (auto p = scan_string(nullptr)) return p;
      } else if (c == '-' || is_digit(c)) {
        if (auto p = number()) return p;
      } else if (!literal()) {
        return syntax();
      }
      value_done(start, i_, written_start);
      next = Next::AfterValue;
    } else if (next == Next::Key) {
      if (i_ >= s_.size() || s_[i_] != '"') return syntax();
      const std::size_t depth = stack_.size();
      const bool named = depth <= path_.size();  // the key is part of the field's name
      std::string key;
      if (named) path_[depth - 1].clear();
      if (auto p = scan_string(named ? &key : nullptr)) return p;
      if (stack_.back().message) {
        if (!keys_.insert(key).second) {
          path_[depth - 1] = key;
          return problem("given more than once (each field may appear once)");
        }
        field_ = key;
      }
      if (named) path_[depth - 1] = std::move(key);
      skip_space();
      if (i_ >= s_.size() || s_[i_] != ':') return syntax();
      ++i_;
      written_ += 2;  // jsonb writes ": "
      skip_space();
      next = Next::Value;
    } else {
      skip_space();
      if (stack_.empty()) {
        if (i_ != s_.size()) return syntax();
        break;
      }
      if (i_ >= s_.size()) return syntax();
      Frame &f = stack_.back();
      const char c = s_[i_];
      if (c == ',') {
        ++i_;
        written_ += 2;  // jsonb writes ", "
        skip_space();
        if (f.object) {
          next = Next::Key;
        } else {
          ++f.index;
          if (stack_.size() <= path_.size()) path_[stack_.size() - 1] = "[" + std::to_string(f.index) + "]";
          next = Next::Value;
        }
      } else if (c == (f.object ? '}' : ']')) {
        close();
      } else {
        return syntax();
      }
    }
  }
  out_.root = s_.substr(root_start, root_end_ - root_start);
  return std::nullopt;
}

}  // namespace

std::optional<JsonProblem> scan_json(std::string_view text, int field_level, const std::string &root_name,
                                     JsonScanned &out) {
  out = JsonScanned{};
  return Scanner(text, field_level, root_name, out).run();
}

const char *json_type_of(std::string_view t) {
  if (t.empty()) return "nothing";
  switch (t[0]) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't':
    case 'f': return "boolean";
    case 'n': return "null";
    default: return "number";
  }
}

}  // namespace outboxd::api

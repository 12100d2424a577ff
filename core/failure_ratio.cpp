// Reading breaker_failure_ratio: see failure_ratio.hpp.
#include "core/failure_ratio.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace outboxd {

bool parse_failure_ratio(std::string_view text, double &ratio, std::string &error) {
  const auto bad = [&] {
    error = "must be 0 (off) or a share of the sends in (0, 1], written 0.5 or 50%, not \"" + std::string(text) + "\"";
    return false;
  };
  std::string_view number = text;
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.remove_suffix(1);
  // Plain decimals only: no sign, exponent, hex, inf or nan, and short enough to be a number.
  if (number.empty() || number.size() > 16 || number.find_first_not_of("0123456789.") != std::string_view::npos ||
      number.find('.') != number.rfind('.') || number.front() == '.' || number.back() == '.')
    return bad();
  const std::string copy(number);
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(value)) return bad();
  if (percent) value /= 100;
  if (value < 0 || value > 1 || (value == 0 && percent)) return bad();
  ratio = value;
  return true;
}

}  // namespace outboxd

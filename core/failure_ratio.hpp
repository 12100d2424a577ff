// The circuit breaker's failure ratio as the config writes it (breaker_failure_ratio). A file of its
// own, free of logging and formatting libraries, because the config loader's fuzzer compiles it too.
#pragma once

#include <string>
#include <string_view>

namespace outboxd {

// Reads a failure ratio as the config writes it: a fraction ("0.5") or a percentage ("50%"), in
// (0, 1], or "0" for none. False with `error` naming the problem otherwise.
bool parse_failure_ratio(std::string_view text, double &ratio, std::string &error);

}  // namespace outboxd

// A destination's circuit-breaker keys in the config: the failure ratio, its window and its minimum
// of sends, read into the lane's BreakerSettings, and the errors that name a bad value.
#include <gtest/gtest.h>

#include <string>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"

namespace outboxd {
namespace {

using namespace config_test;

std::string with_breaker(const std::string &keys) {
  return "database:\n  url: \"dbname=app\"\ndestinations:\n  hooks:\n    plugin: log\n" + keys;
}

TEST(ConfigBreakerKeys, DefaultsLeaveTheRatioOff) {
  const BreakerSettings s = parse(with_breaker("")).destinations.at("hooks").breaker_settings();
  EXPECT_EQ(s.failure_ratio, 0);
  EXPECT_EQ(s.window, std::chrono::seconds(30));
  EXPECT_EQ(s.min_sends, 20);
  EXPECT_FALSE(s.enabled());
}

TEST(ConfigBreakerKeys, TheRatioWindowAndMinimumReachTheBreaker) {
  const DestinationConfig d = parse(with_breaker("    breaker_failure_ratio: 50%\n    breaker_window: 10s\n"
                                                 "    breaker_min_sends: 8\n"))
                                  .destinations.at("hooks");
  const BreakerSettings s = d.breaker_settings();
  EXPECT_DOUBLE_EQ(s.failure_ratio, 0.5);
  EXPECT_EQ(s.window, std::chrono::seconds(10));
  EXPECT_EQ(s.min_sends, 8);
  EXPECT_EQ(s.failures, 0);
  EXPECT_TRUE(s.enabled()) << "the ratio alone is a breaker";
  EXPECT_EQ(destination_value_text(d, "breaker_failure_ratio"), "50%");
  EXPECT_EQ(destination_value_text(d, "breaker_window"), "10s");
  EXPECT_EQ(destination_value_text(d, "breaker_min_sends"), "8");
  EXPECT_DOUBLE_EQ(parse(with_breaker("    breaker_failure_ratio: 0.25\n"))
                       .destinations.at("hooks").breaker_settings().failure_ratio,
                   0.25);
}

TEST(ConfigBreakerKeys, BadValuesAreRefusedNamingTheKey) {
  for (const char *ratio : {"1.5", "0%", "-0.1", "half", "120%"}) {
    const std::string error = error_of(with_breaker(std::string("    breaker_failure_ratio: \"") + ratio + "\"\n"));
    EXPECT_NE(error.find("destinations.hooks.breaker_failure_ratio"), std::string::npos) << ratio << ": " << error;
    EXPECT_NE(error.find("(0, 1]"), std::string::npos) << ratio << ": " << error;
  }
  for (const char *window : {"0", "50ms", "2h", "soon"}) {
    const std::string error = error_of(with_breaker(std::string("    breaker_window: ") + window + "\n"));
    EXPECT_NE(error.find("destinations.hooks.breaker_window"), std::string::npos) << window << ": " << error;
  }
  for (const char *sends : {"0", "-3", "1000001"}) {
    const std::string error = error_of(with_breaker(std::string("    breaker_min_sends: ") + sends + "\n"));
    EXPECT_NE(error.find("destinations.hooks.breaker_min_sends"), std::string::npos) << sends << ": " << error;
  }
}

}  // namespace
}  // namespace outboxd

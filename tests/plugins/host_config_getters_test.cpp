// outboxd_host's typed config getters, seen from a C plugin (tests/fixtures/plugins/host_config.c)
// that reads port (int), name (string) and verbose (bool) only through them: found, missing (the
// plugin's default or "required"), wrong type, out of range and unknown keys, each error naming the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/plugin_call.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;

// What the fixture read, as its send() reports it: "port=.. name=.. verbose=..".
std::string read_back(const std::string &config) {
  PluginInstance instance(LoadedPlugin::open(test::fixture_path("host_config")), "getters", config);
  return instance.send(test::TestMessage{}.view()).error;
}

std::string getter_init_error(const std::string &config) {
  try {
    PluginInstance instance(LoadedPlugin::open(test::fixture_path("host_config")), "getters", config);
  } catch (const PluginLoadError &e) {
    return e.what();
  }
  return "";
}

TEST(HostConfigGetters, ReadIntStringAndBool) {
  EXPECT_EQ(read_back(R"({"port": 2525, "name": "relay", "verbose": true})"), "port=2525 name=relay verbose=1");
}

TEST(HostConfigGetters, MissingKeysLeaveThePluginsDefaults) {
  EXPECT_EQ(read_back(R"({"port": 1})"), "port=1 name=anon verbose=0");
}

TEST(HostConfigGetters, MissingRequiredKeyIsThePluginsToName) {
  EXPECT_THAT(getter_init_error("{}"), HasSubstr("refused its config: port: required"));
}

TEST(HostConfigGetters, IntegerOfTheWrongTypeNamesKeyAndType) {
  EXPECT_THAT(getter_init_error(R"({"port": "25"})"), HasSubstr("port: must be an integer, got string"));
  EXPECT_THAT(getter_init_error(R"({"port": 25.5})"), HasSubstr("port: must be an integer, got a fraction"));
}

TEST(HostConfigGetters, IntegerOutOfRangeNamesKeyRangeAndValue) {
  EXPECT_THAT(getter_init_error(R"({"port": 70000})"), HasSubstr("port: must be between 1 and 65535, got 70000"));
  EXPECT_THAT(getter_init_error(R"({"port": 18446744073709551615})"),
              HasSubstr("port: must be between 1 and 65535, got 18446744073709551615"));
}

TEST(HostConfigGetters, StringAndBoolOfTheWrongTypeNameTheKey) {
  EXPECT_THAT(getter_init_error(R"({"port": 1, "name": 7})"), HasSubstr("name: must be a string, got number"));
  EXPECT_THAT(getter_init_error(R"({"port": 1, "verbose": "yes"})"), HasSubstr("verbose: must be true or false, got string"));
}

TEST(HostConfigGetters, StringWithANulIsRefusedRatherThanCut) {
  EXPECT_THAT(getter_init_error(R"({"port": 1, "name": "a\u0000b"})"), HasSubstr("name: must not contain a NUL character"));
}

TEST(HostConfigGetters, UnknownKeyIsNamedWithTheKnownOnes) {
  EXPECT_THAT(getter_init_error(R"({"port": 1, "prot": 2})"), HasSubstr("unknown key 'prot' (known: port, name, verbose)"));
}

TEST(HostConfigGetters, ConfigThatIsNotAnObjectIsSaidSo) {
  EXPECT_THAT(getter_init_error("[1]"), HasSubstr("config must be a JSON object, got array"));
  EXPECT_THAT(getter_init_error("{not json"), HasSubstr("config is not valid JSON: "));
}

}  // namespace
}  // namespace outboxd

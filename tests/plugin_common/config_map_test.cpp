// The declarative config map: each kind of row reads its value into the config, leaves an absent
// key's default alone, and every refusal is one line naming the key and the problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/config_map.hpp"

namespace outboxd::plugin_common {
namespace {

enum class Colour { Red, Blue };

struct Sample {
  std::string host = "localhost";
  int port = 25;
  bool verbose = false;
  Colour colour = Colour::Red;
  std::string note;
  std::string tags;
};

const ConfigMap<Sample> sample_map = {
    required(string_key("host", &Sample::host, {"a host name", "the server's name", true},
                        [](const std::string &h) { return h.find('/') == std::string::npos ? "" : "'" + h + "' has a path"; }),
             "the server to talk to"),
    int_key("port", &Sample::port, 1, 65535),
    bool_key("verbose", &Sample::verbose),
    choice_key<Sample, Colour>("colour", &Sample::colour, {{"red", Colour::Red}, {"blue", Colour::Blue}}),
    string_key("note", &Sample::note),
    custom_key<Sample>("tags", [](const nlohmann::json &v, Sample &s) {
      for (std::size_t i = 0; i < v.size(); ++i) s.tags += config_string("tags[" + std::to_string(i) + "]", v.at(i));
    }),
};

// The error reading `json` gives, or "" when it is accepted.
std::string error_of(const std::string &json) {
  Sample sample;
  std::string error;
  parse_json_config(json.c_str(), error, [&](const nlohmann::json &root) { sample_map.read(root, sample); });
  return error;
}

TEST(ConfigMap, ReadsEveryKindOfRowIntoItsMember) {
  Sample s;
  sample_map.read(nlohmann::json::parse(R"({"host": "mx", "port": 2525, "verbose": true, "colour": "blue",
                                            "note": "", "tags": ["a", "b"]})"),
                  s);
  EXPECT_EQ(s.host, "mx");
  EXPECT_EQ(s.port, 2525);
  EXPECT_TRUE(s.verbose);
  EXPECT_TRUE(s.colour == Colour::Blue);
  EXPECT_EQ(s.tags, "ab");
}

TEST(ConfigMap, AnAbsentKeyKeepsTheMembersDefault) {
  Sample s;
  sample_map.read(nlohmann::json::parse(R"({"host": "mx"})"), s);
  EXPECT_EQ(s.port, 25);
  EXPECT_FALSE(s.verbose);
  EXPECT_TRUE(s.colour == Colour::Red);
}

TEST(ConfigMap, EachErrorNamesTheKeyAndTheProblem) {
  EXPECT_EQ(error_of(R"({})"), "host: is required (the server to talk to)");
  EXPECT_EQ(error_of(R"({"host": 5})"), "host: must be a string (a host name), got number");
  EXPECT_EQ(error_of(R"({"host": ""})"), "host: must not be empty (the server's name)");
  EXPECT_EQ(error_of(R"({"host": "a\nb"})"), "host: must not contain CR or LF");
  EXPECT_EQ(error_of(R"({"host": "a/b"})"), "host: 'a/b' has a path");
  EXPECT_EQ(error_of(R"({"host": "h", "port": "25"})"), "port: must be an integer, got string");
  EXPECT_EQ(error_of(R"({"host": "h", "port": 2.5})"), "port: must be an integer, got a fraction");
  EXPECT_EQ(error_of(R"({"host": "h", "port": 0})"), "port: must be between 1 and 65535, got 0");
  EXPECT_EQ(error_of(R"({"host": "h", "port": 18446744073709551615})"),
            "port: must be between 1 and 65535, got 18446744073709551615");
  EXPECT_EQ(error_of(R"({"host": "h", "verbose": "yes"})"), "verbose: must be true or false, got string");
  EXPECT_EQ(error_of(R"({"host": "h", "colour": "green"})"), "colour: must be one of red, blue, got 'green'");
  EXPECT_EQ(error_of(R"({"host": "h", "note": null})"), "note: must be a string, got null");
  EXPECT_EQ(error_of(R"({"host": "h", "tags": ["a", 1]})"), "tags[1]: must be a string, got number");
}

TEST(ConfigMap, UnknownKeysAreNamedWithTheKnownOnesInTableOrder) {
  EXPECT_EQ(error_of(R"({"host": "h", "prot": 1})"),
            "unknown key 'prot' (known: host, port, verbose, colour, note, tags)");
  const ConfigMap<Sample> empty_map{};
  Sample s;
  std::string error;
  parse_json_config(R"({"x": 1})", error, [&](const nlohmann::json &root) { empty_map.read(root, s); });
  EXPECT_EQ(error, "unknown key 'x' (known: none)");
}

TEST(ConfigMap, AConfigThatIsNotAnObjectIsSaidSo) {
  EXPECT_EQ(error_of("[1]"), "config must be a JSON object, got array");
}

}  // namespace
}  // namespace outboxd::plugin_common

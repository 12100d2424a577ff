// Unit tests for YAML tags in the config: !env and !file where secrets are allowed, YAML's !!str,
// !!map and !!seq, and an error naming file:line, key and tag for anything else, wherever it is.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"
#include "tests/support/text.hpp"

namespace outboxd {
namespace {

using nlohmann::json;
using namespace config_test;

const std::string kTagsUrl = "database:\n  url: \"dbname=app\"\n";
const std::string kDestination = "destinations:\n  d:\n    plugin: log\n    config:\n";


json tags_plugin_config(const std::string &config_yaml) {
  return json::parse(parse(kTagsUrl + kDestination + config_yaml).destinations.at("d").config_json);
}

TEST(ConfigTags, AMistypedEnvTagOnATokenIsAnErrorNotTheVariablesName) {
  // Before: the token became the text "OUTBOXD_TOKEN_ORDERS", and that was accepted as a bearer token.
  const std::string yaml = kTagsUrl + "api:\n  tokens:\n    - name: orders\n      token: !Env OUTBOXD_TOKEN_ORDERS\n"
                                  "      scopes: [admin]\n";
  EXPECT_EQ(error_of(yaml, fake_env({{"OUTBOXD_TOKEN_ORDERS", "0123456789abcdef0123"}})),
            "outboxd.yaml:6: api.tokens[0].token: unknown tag !Env (known: !env, !file; did you mean !env?)");
}

TEST(ConfigTags, UnknownTagsAreErrorsEverywhereInTheFile) {
  EXPECT_TRUE(contains(error_of(kTagsUrl + "workers: !int 4\n"), "outboxd.yaml:3: workers: unknown tag !int (known: "
                                                             "!env, !file; YAML's !!str, !!map and !!seq"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + "wakeup: !defaults\n"), "outboxd.yaml:3: wakeup: unknown tag !defaults"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + "!key workers: 4\n"), "outboxd.yaml:3: workers: unknown tag !key"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      path: !File /etc/x\n"),
                       "outboxd.yaml:7: destinations.d.config.path: unknown tag !File (known: !env, !file; "
                       "did you mean !file?)"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      list: [1, !custom {a: 1}]\n"),
                       "outboxd.yaml:7: destinations.d.config.list[1]: unknown tag !custom"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + "destinations:\n  d: !dest\n    plugin: log\n"),
                       "outboxd.yaml:4: destinations.d: unknown tag !dest"));
}

TEST(ConfigTags, CoreSchemaTagsOtherThanStrMapAndSeqAreRefused) {
  // These would have to change a value's type; a plain value already gets its type from how it reads.
  for (const std::string tag : {"!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp"})
    EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      v: " + tag + " 1\n"),
                         "outboxd.yaml:7: destinations.d.config.v: unknown tag " + tag))
        << tag;
}

TEST(ConfigTags, StrMapAndSeqAreAcceptedOnTheirOwnKindOnly) {
  const json j = tags_plugin_config("      s: !!str 25\n      v: !<tag:yaml.org,2002:str> true\n"
                               "      m: !!map {a: 1}\n      l: !!seq [1]\n");
  EXPECT_EQ(j.at("s"), "25");
  EXPECT_EQ(j.at("v"), "true");
  EXPECT_EQ(j.at("m"), json::parse(R"({"a": 1})"));
  EXPECT_EQ(j.at("l"), json::parse("[1]"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      m: !!str {a: 1}\n"),
                       "outboxd.yaml:7: destinations.d.config.m: !!str cannot tag a mapping"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      l: !!map [1]\n"), "!!map cannot tag a list"));
}

TEST(ConfigTags, ABareBangTagIsAnErrorButQuotesAreNot) {
  // Before: `! NAME` (a typo for !env) made the variable's name the admin token.
  EXPECT_EQ(error_of(kTagsUrl + "api:\n  tokens:\n    - name: orders\n      token: ! OUTBOXD_TOKEN_ORDERS\n"
                            "      scopes: [admin]\n"),
            "outboxd.yaml:6: api.tokens[0].token: a bare '!' tag (a typo for !env or !file?): write !env NAME "
            "or !file /path for a secret, or quotes to make a value a string");
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      q: ! 7\n"), "outboxd.yaml:7: destinations.d.config.q: a bare '!'"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      q: &a ! 7\n"), "outboxd.yaml:7: destinations.d.config.q: a bare '!'"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      m: ! {a: 1}\n"), "destinations.d.config.m: a bare '!'"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      ! k: v\n"), "destinations.d.config.k: a bare '!'"));
  // yaml-cpp tags quoted and block scalars "!" too: those are plain strings.
  const json j = tags_plugin_config("      a: \"7\"\n      b: '8'\n      c: &x \"9\"\n      d: |\n        text\n"
                               "      e: >\n        folded\n");
  EXPECT_EQ(j.at("a"), "7");
  EXPECT_EQ(j.at("b"), "8");
  EXPECT_EQ(j.at("c"), "9");
  EXPECT_EQ(j.at("d"), "text\n");
  EXPECT_EQ(j.at("e"), "folded\n");
}

TEST(ConfigTags, MergeKeysAreRefusedNamingTheirLine) {
  // yaml-cpp would pass `<<` on as a key, so the plugin got {"<<": {...}} instead of the keys.
  EXPECT_EQ(error_of(kTagsUrl + kDestination + "      base: &b {a: 1}\n      h:\n        <<: *b\n"),
            "outboxd.yaml:9: destinations.d.config.h.<<: YAML merge keys (<<) are not supported: write the keys out "
            "in each mapping, or share a whole value with an alias (config: *shared)");
  EXPECT_TRUE(contains(error_of(kTagsUrl + "<<: {workers: 2}\n"), "outboxd.yaml:3: <<: YAML merge keys"));
  EXPECT_EQ(tags_plugin_config("      \"<<\": quoted\n").at("<<"), "quoted");  // an ordinary key
}

TEST(ConfigTags, SecretTagsOnAMappingOrAKeyAreErrors) {
  // Before: `!env {a: 1}` inside config: was passed to the plugin as the object {a: 1}.
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      auth: !env {name: X}\n"),
                       "outboxd.yaml:7: destinations.d.config.auth: !env takes a variable name, got a mapping"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + kDestination + "      !file key: v\n"),
                       "outboxd.yaml:7: destinations.d.config.key: a key cannot be a !file reference"));
}

TEST(ConfigTags, SecretTagsWhereOnlyPlainValuesBelongAreErrors) {
  // Before: plugin_dir became the text "PLUGIN_DIR".
  EXPECT_EQ(error_of(kTagsUrl + "plugin_dir: !env PLUGIN_DIR\n", fake_env({{"PLUGIN_DIR", "/opt"}})),
            "outboxd.yaml:3: plugin_dir: !env is not allowed here: only database.url, api.tokens[].token and "
            "the strings inside a destination's config: may be !env or !file references");
  EXPECT_TRUE(contains(error_of(kTagsUrl + "destinations:\n  d:\n    plugin: !file /etc/plugin\n"),
                       "outboxd.yaml:5: destinations.d.plugin: !file is not allowed here"));
  EXPECT_TRUE(contains(error_of(kTagsUrl + "api:\n  tokens:\n    - name: !env NAME\n      token: 0123456789abcdef01\n"
                                       "      scopes: [read]\n"),
                       "outboxd.yaml:5: api.tokens[0].name: !env is not allowed here"));
}

TEST(ConfigTags, ATagFromATagDirectiveIsNamedInFull) {
  EXPECT_TRUE(contains(error_of("%TAG !e! tag:example.com,2000:\n---\n" + kTagsUrl + "workers: !e!n 2\n"),
                       "outboxd.yaml:5: workers: unknown tag !<tag:example.com,2000:n>"));
}

}  // namespace
}  // namespace outboxd

// What every built plugin must do, parameterised over the plugins that need no outside service
// (docs/plugins.md): refuse bad config by name, survive shutdown after a failed init, accept a
// message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/plugin_loader.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct PluginUnderTest {
  std::string name;
  std::string path;
  std::string good_config;  // the smallest config init() accepts
};

void PrintTo(const PluginUnderTest &p, std::ostream *os) { *os << p.name; }

class PluginConformance : public ::testing::TestWithParam<PluginUnderTest> {
 protected:
  std::shared_ptr<LoadedPlugin> open() { return LoadedPlugin::open(GetParam().path); }

  std::string init_error(const std::string &config) {
    try {
      PluginInstance instance(open(), "conformance", config);
    } catch (const PluginLoadError &e) {
      return e.what();
    }
    return "";
  }
};

TEST_P(PluginConformance, ExportsAWellFormedTable) {
  auto plugin = open();
  EXPECT_EQ(plugin->name(), GetParam().name);
  EXPECT_FALSE(plugin->version().empty());
}

TEST_P(PluginConformance, AcceptsItsSmallestConfigAndDeliversAPlainMessage) {
  PluginInstance instance(open(), "conformance", GetParam().good_config);
  test::TestMessage msg;
  msg.payload = R"({"hello":"world"})";
  const auto result = instance.send(msg.view());
  EXPECT_EQ(result.status, OUTBOXD_OK) << result.error;
}

// validate() may refuse only what send() can never deliver: the plain message above passes.
TEST_P(PluginConformance, ValidatePassesAMessageSendDelivers) {
  PluginInstance instance(open(), "conformance", GetParam().good_config);
  EXPECT_EQ(instance.validate(R"({"hello": "world"})", "{}"), std::nullopt);
  EXPECT_EQ(instance.validate(R"( { "hello" :
      "world" } )", R"({"x-any": 1})"), std::nullopt) << "spacing is not a reason";
}

TEST_P(PluginConformance, RejectsUnknownConfigKey) {
  const std::string prefix =
      "destination conformance: plugin " + GetParam().name + " refused its config: ";
  EXPECT_THAT(init_error(R"({"no_such_key": 1})"),
              AllOf(StartsWith(prefix), HasSubstr("unknown key 'no_such_key'")));
}

TEST_P(PluginConformance, RejectsConfigThatIsNotAnObject) {
  EXPECT_THAT(init_error("[1, 2]"), HasSubstr("must be a JSON object"));
}

TEST_P(PluginConformance, RejectsConfigThatIsNotJson) {
  EXPECT_THAT(init_error("{not json"), HasSubstr("not valid JSON"));
}

// A failed init() is followed by shutdown() with whatever state it left; repeating it many times
// would crash or trip the sanitizers if a plugin mishandled that.
TEST_P(PluginConformance, ShutdownAfterFailedInitIsSafe) {
  for (int i = 0; i < 20; ++i) EXPECT_NE(init_error(R"({"no_such_key": 1})"), "");
}

// The template plugin shows validate(): one rule, refused before enqueueing and by send() alike.
TEST(ExamplePlugin, RefusesANullPayloadInValidateAndInSend) {
  PluginInstance instance(LoadedPlugin::open(test::plugin_path("example")), "audit", R"({"path":"/dev/null"})");
  const std::string line = "payload: is null; this plugin writes only payloads with content";
  EXPECT_EQ(instance.validate(" null ", "{}"), line);
  const SendResult r = instance.send(test::message_with_payload("null").view());
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(r.error, line);
}

INSTANTIATE_TEST_SUITE_P(
    Builtin, PluginConformance,
    ::testing::Values(PluginUnderTest{"log", test::plugin_path("log"), R"({"path":"/dev/null"})"},
                      PluginUnderTest{"null", test::plugin_path("null"), "{}"},
                      PluginUnderTest{"example", test::plugin_path("example"), R"({"path":"/dev/null"})"},
                      PluginUnderTest{"scripted", test::fixture_path("scripted"), "{}"}),
    [](const ::testing::TestParamInfo<PluginUnderTest> &param_info) { return param_info.param.name; });

}  // namespace
}  // namespace outboxd

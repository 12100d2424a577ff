// Unit tests for the loader's checks across keys and of values read by another parser:
// api.mail_destination must name a destination, and database.url must be a conninfo libpq reads,
// refused without quoting it (libpq's own message would repeat the password).
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"
#include "tests/support/text.hpp"

namespace outboxd {
namespace {

using namespace config_test;

const std::string kDestinations = "destinations:\n  mail:\n    plugin: smtp\n  hooks:\n    plugin: webhook\n";


std::string cross_check_yaml(const std::string &url) { return "database:\n  url: '" + url + "'\n" + kDestinations; }

TEST(ConfigCrossChecks, AMailDestinationThatIsNoDestinationIsRefused) {
  // Before: accepted, and every POST /api/mail/send was refused long after the start.
  EXPECT_EQ(error_of(cross_check_yaml("dbname=app") + "api:\n  mail_destination: mial\n"),
            "outboxd.yaml:9: api.mail_destination: \"mial\" is not a configured destination (configured: "
            "hooks, mail); name one of them, or leave it empty to turn POST /api/mail/send off");
  EXPECT_TRUE(contains(error_of("database:\n  url: dbname=app\napi:\n  mail_destination: mail\n"),
                       "api.mail_destination: \"mail\" is not a configured destination (it configures none)"));
  EXPECT_EQ(parse(cross_check_yaml("dbname=app") + "api:\n  mail_destination: mail\n").api_mail_destination, "mail");
  EXPECT_EQ(parse(cross_check_yaml("dbname=app")).api_mail_destination, "");
}

// A shared rate limit takes its tokens on a second connection while the claim holds the first:
// behind a transaction pooler that could wait on a full pool, so the file is refused, naming why.
TEST(ConfigCrossChecks, ASharedRateLimitBehindATransactionPoolerIsRefused) {
  const std::string pooled = "database:\n  url: dbname=app\n  pooler: transaction\nwakeup:\n  mode: poll\n";
  const std::string shared = "destinations:\n  hooks:\n    plugin: webhook\n    rate_limit: 20/s\n"
                             "    rate_limit_shared: true\n";
  const std::string error = error_of(pooled + shared);
  EXPECT_TRUE(contains(error, "destinations.hooks.rate_limit_shared: true needs database.pooler: none")) << error;
  EXPECT_TRUE(parse(pooled + "destinations:\n  hooks:\n    plugin: webhook\n    rate_limit: 20/s\n")
                  .destinations.count("hooks"))
      << "a per-daemon limit is fine behind a pooler";
  EXPECT_EQ(parse("database:\n  url: dbname=app\n" + shared).destinations.at("hooks").rate_limit_shared, true);
}

// A rate limit's text is checked at load, naming what is wrong with it.
TEST(ConfigCrossChecks, ARateLimitThatIsNotNPerUnitIsRefused) {
  const std::string error =
      error_of("database:\n  url: dbname=app\ndestinations:\n  hooks:\n    plugin: webhook\n    rate_limit: 20 per s\n");
  EXPECT_TRUE(contains(error, "destinations.hooks.rate_limit:")) << error;
  EXPECT_TRUE(contains(error, "is not N/s, N/min or N/h")) << error;
}

TEST(ConfigCrossChecks, ADatabaseUrlLibpqCannotParseIsRefusedWithoutQuotingIt) {
  const std::string e = error_of(cross_check_yaml("postgresql://app:S3%ZZcret@db/app"));
  EXPECT_TRUE(contains(e, "outboxd.yaml:2: database.url: not a valid libpq connection string or postgresql:// URL ("))
      << e;
  EXPECT_TRUE(contains(e, "%XX")) << e;  // the hint says what is wrong
  EXPECT_FALSE(contains(e, "S3")) << e;
  const std::string kv = error_of(cross_check_yaml("host=db password=S3cret junk"));
  EXPECT_TRUE(contains(kv, "outboxd.yaml:2: database.url: not a valid")) << kv;
  EXPECT_FALSE(contains(kv, "S3cret")) << kv;
  EXPECT_FALSE(contains(kv, "junk")) << kv;
}

TEST(ConfigCrossChecks, TheUrlFromTheEnvironmentIsCheckedAndNamed) {
  try {
    parse(cross_check_yaml("dbname=app"), fake_env({{"OUTBOXD_DATABASE_URL", "postgresql://app:S3cret@db:S3cret/app"}}));
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError &e) {
    EXPECT_TRUE(contains(e.what(), "OUTBOXD_DATABASE_URL (overrides database.url): not a valid")) << e.what();
    EXPECT_FALSE(contains(e.what(), "S3cret")) << e.what();
  }
}

TEST(ConfigCrossChecks, AClientEncodingOtherThanUtf8IsRefused) {
  EXPECT_TRUE(contains(error_of(cross_check_yaml("dbname=app client_encoding=LATIN1")),
                       "outboxd.yaml:2: database.url: client_encoding must be UTF8"));
  EXPECT_TRUE(contains(error_of(cross_check_yaml("postgresql://db/app?client_encoding=sql_ascii")),
                       "database.url: client_encoding must be UTF8"));
  EXPECT_NO_THROW(parse(cross_check_yaml("dbname=app client_encoding=utf-8")));
  EXPECT_NO_THROW(parse(cross_check_yaml("postgresql://db/app?client_encoding=UTF8")));
}

}  // namespace
}  // namespace outboxd

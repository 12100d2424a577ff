// Unit tests for reading a conninfo with libpq's own parser (core/conninfo_options.hpp), the
// defaults added through it (conninfo_with_default) and the password scrubbing of libpq's messages.
#include <gtest/gtest.h>

#include "core/conninfo_options.hpp"
#include "core/conninfo_redaction.hpp"
#include "core/db.hpp"
#include "tests/support/text.hpp"

namespace outboxd {
namespace {


TEST(ConninfoOptions, ReadsKeyValuesAndUrlsAsLibpqDoes) {
  const auto kv = conninfo_options(R"(host=db password='a b\'c' dbname=app)");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->at("host"), "db");
  EXPECT_EQ(kv->at("password"), "a b'c");
  EXPECT_EQ(kv->count("port"), 0u);  // only what the text sets, no defaults
  const auto url = conninfo_options("postgresql://app:p%40ss@db:6543/orders?sslmode=require");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->at("password"), "p@ss");
  EXPECT_EQ(url->at("port"), "6543");
  EXPECT_EQ(url->at("sslmode"), "require");
  EXPECT_FALSE(conninfo_options("host=db password"));
}

TEST(ConninfoOptions, AProblemNeverQuotesThePassword) {
  // libpq's own messages for these quote the text: `invalid percent-encoded token: "S3%ZZcret"`.
  for (const std::string bad : {"postgresql://app:S3%ZZcret@db/app", "host=db password=S3cret junk",
                                "host=db password='S3cret", "postgresql://app:S3cret@db:S3cret/app",
                                "postgresql://app:S3@cret@db/app", "host=db pasword=S3cret"}) {
    const auto problem = conninfo_problem(bad);
    ASSERT_TRUE(problem) << bad;
    EXPECT_TRUE(contains(*problem, "not a valid libpq connection string or postgresql:// URL (")) << *problem;
    EXPECT_FALSE(contains(*problem, "S3")) << bad << " -> " << *problem;
  }
  EXPECT_FALSE(conninfo_problem("host=db password=S3cret dbname=app"));
  EXPECT_FALSE(conninfo_problem("postgresql://app:S3cret@db1:5432,db2:5433/app"));
}

TEST(ConninfoWithDefault, AKeyOnlyCountsWhereLibpqReadsIt) {
  // Before: a substring test, so "connect_timeout" inside the password meant no timeout was added.
  const std::string with = conninfo_with_default("host=db password=connect_timeout", "connect_timeout", "5");
  EXPECT_EQ(conninfo_options(with)->at("connect_timeout"), "5");
  EXPECT_EQ(conninfo_options(with)->at("password"), "connect_timeout");
  const std::string own = conninfo_with_default("host=db connect_timeout=30", "connect_timeout", "5");
  EXPECT_EQ(conninfo_options(own)->at("connect_timeout"), "30");
}

TEST(ConninfoWithDefault, AUrlKeepsEveryOptionItSet) {
  const std::string with =
      conninfo_with_default("postgresql://app:it's%20me@db1:5432,db2:5433/orders?sslmode=require",
                            "client_encoding", "UTF8");
  const auto o = conninfo_options(with);
  ASSERT_TRUE(o) << with;
  EXPECT_EQ(o->at("password"), "it's me");
  EXPECT_EQ(o->at("host"), "db1,db2");
  EXPECT_EQ(o->at("port"), "5432,5433");
  EXPECT_EQ(o->at("dbname"), "orders");
  EXPECT_EQ(o->at("sslmode"), "require");
  EXPECT_EQ(o->at("client_encoding"), "UTF8");
}

TEST(ConninfoSecrets, LibpqMessagesLoseEveryFormOfThePassword) {
  EXPECT_EQ(hide_conninfo_secrets(R"(could not translate host name "p@ss" to address)",
                                  "postgresql://app:p%40ss@db/app"),
            R"(could not translate host name "***" to address)");
  EXPECT_EQ(hide_conninfo_secrets("FATAL: role \"a b\" said a b", R"(host=db password='a b')"),
            "FATAL: role \"***\" said ***");
  EXPECT_EQ(hide_conninfo_secrets("nothing to hide", "host=db"), "nothing to hide");
}

}  // namespace
}  // namespace outboxd

// Unit tests for redact_conninfo: every way libpq lets a password be written stays hidden.
#include <gtest/gtest.h>

#include "core/conninfo_redaction.hpp"

namespace outboxd {
namespace {

TEST(ConninfoRedaction, KeyValuePasswords) {
  EXPECT_EQ(redact_conninfo("host=db password=S3cret dbname=app"), "host=db password=*** dbname=app");
  EXPECT_EQ(redact_conninfo("password = S3cret user=u"), "password = *** user=u");
  EXPECT_EQ(redact_conninfo("PASSWORD=S3cret"), "PASSWORD=***");
  EXPECT_EQ(redact_conninfo("sslpassword=keypass host=db"), "sslpassword=*** host=db");
}

TEST(ConninfoRedaction, ABackslashEscapedSpaceIsPartOfThePassword) {
  // Before: "password=*** Esc dbname=app".
  EXPECT_EQ(redact_conninfo(R"(password=S3cret\ Esc dbname=app)"), "password=*** dbname=app");
  EXPECT_EQ(redact_conninfo(R"(password=a\\ host=db)"), "password=*** host=db");
}

TEST(ConninfoRedaction, SingleQuotedPasswords) {
  EXPECT_EQ(redact_conninfo("password='a b' user=u"), "password=*** user=u");
  EXPECT_EQ(redact_conninfo(R"(password='it\'s' user=u)"), "password=*** user=u");
  EXPECT_EQ(redact_conninfo(R"(host=db password='ends in \\' port=5432)"), "host=db password=*** port=5432");
  EXPECT_EQ(redact_conninfo("password=''"), "password=***");
}

TEST(ConninfoRedaction, TextLibpqCannotParseIsHiddenFromWhereTheParseFails) {
  EXPECT_EQ(redact_conninfo("host=db password"), "host=db ***");
  EXPECT_EQ(redact_conninfo("host=db password S3cret"), "host=db ***");
  EXPECT_EQ(redact_conninfo("password='unterminated S3cret"), "password=***");
  EXPECT_EQ(redact_conninfo("dbname='unterminated password=S3cret"), "dbname=***");
}

TEST(ConninfoRedaction, UrlPasswords) {
  EXPECT_EQ(redact_conninfo("postgresql://app:S3cret@db:5432/app"), "postgresql://app:***@db:5432/app");
  EXPECT_EQ(redact_conninfo("postgres://app:p%40ss@db/app"), "postgres://app:***@db/app");
  EXPECT_EQ(redact_conninfo("postgresql://app:p@ss@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(redact_conninfo("postgresql://app:S3cret@db1,db2/app?sslmode=require"),
            "postgresql://app:***@db1,db2/app?sslmode=require");
}

TEST(ConninfoRedaction, UrlQueryPasswords) {
  EXPECT_EQ(redact_conninfo("postgresql://db/app?password=S3cret&sslmode=require"),
            "postgresql://db/app?password=***&sslmode=require");
  EXPECT_EQ(redact_conninfo("postgresql://db/app?sslmode=require&%70assword=S3cret"),
            "postgresql://db/app?sslmode=require&%70assword=***");
  EXPECT_EQ(redact_conninfo("postgresql://u:a@db/app?user=me@corp&password=b"),
            "postgresql://u:***@db/app?user=me@corp&password=***");
}

TEST(ConninfoRedaction, NothingToHideLeavesTheTextAlone) {
  for (const std::string s : {"host=127.0.0.1 port=5432 user=outbox dbname=app", "dbname='my app' user=u",
                              "postgresql://outbox@db/app?application_name=outboxd", "postgresql://db",
                              "", "   "})
    EXPECT_EQ(redact_conninfo(s), s);
}

}  // namespace
}  // namespace outboxd

// Every connection the daemon opens (core/db.hpp) speaks UTF-8, whatever the environment says:
// payloads and answers are UTF-8 JSON, and a session in another encoding would turn them into
// mojibake in a database whose encoding differs.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <pqxx/pqxx>

#include "core/db.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

std::string client_encoding(pqxx::connection &conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec1("SHOW client_encoding")[0].as<std::string>();
}

// libpq takes PGCLIENTENCODING as the default for every connection of the process.
struct ClientEncodingVariable {
  explicit ClientEncodingVariable(const char *value) { setenv("PGCLIENTENCODING", value, 1); }
  ~ClientEncodingVariable() { unsetenv("PGCLIENTENCODING"); }
};

TEST(ConnectionEncoding, EveryConnectionIsUtf8EvenWhenTheEnvironmentSaysOtherwise) {
  TestDatabase db;
  ClientEncodingVariable latin1("LATIN1");
  EXPECT_EQ(client_encoding(*outboxd::open_connection(db.conninfo())), "UTF8");
  EXPECT_EQ(client_encoding(*outboxd::open_plain_connection(db.conninfo())), "UTF8");
  pqxx::connection plain(db.conninfo());  // what a connection without the setting gets
  EXPECT_EQ(client_encoding(plain), "LATIN1");
}

TEST(ConnectionEncoding, AConninfoLibpqCannotParseIsAConfigErrorWithoutThePassword) {
  try {
    outboxd::open_connection("postgresql://outbox:S3%ZZcret@127.0.0.1/outbox");
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const outboxd::ConfigError &e) {
    EXPECT_NE(std::string(e.what()).find("database.url: not a valid"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("S3"), std::string::npos) << e.what();
  }
}

}  // namespace

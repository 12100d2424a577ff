// How the HTTP API answers database errors (api/database_errors.hpp): by SQLSTATE, a value the
// client sent is a 400, the database's state a 503 in general words, a bug (nothing it knows) a
// 500; the pool's own error keeps libpq's text, which names host, user and database, for the log.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "api/database_errors.hpp"
#include "api/db_pool.hpp"

using namespace outboxd::api;

namespace {

std::optional<ApiError> answer(const std::exception &e) {
  std::string log_detail;
  return database_error_answer(e, log_detail);
}

std::optional<ApiError> answer_to(const char *sqlstate, const std::string &text = "ERROR:  something\n") {
  return answer(pqxx::sql_error(text, "SELECT 1", sqlstate));
}

}  // namespace

TEST(ApiDatabaseErrors, ADataExceptionIsA400SayingWhatPostgresRefused) {
  for (const char *code : {"22P05", "22003", "22023"}) {
    const auto a = answer_to(code, "ERROR:  value out of range\nDETAIL:  row (1, secret)\n");
    ASSERT_TRUE(a) << code;
    EXPECT_EQ(a->status, 400) << code;
    EXPECT_EQ(a->error, "invalid_data");
    EXPECT_EQ(a->detail, "PostgreSQL refused the request's data: value out of range") << "no DETAIL quoting a row";
  }
}

TEST(ApiDatabaseErrors, TheDatabasesStateIsA503InGeneralWords) {
  const std::string secret = "ERROR:  connection to server at \"db.internal\" (10.0.0.7), port 5432 failed: "
                             "FATAL:  password authentication failed for user \"orders_admin\"\n";
  const std::vector<std::pair<const char *, std::string>> cases = {
      {"57014", "database_timeout"},    {"53200", "database_busy"},        {"53100", "database_busy"},
      {"54000", "database_busy"},       {"40001", "database_busy"},        {"57P03", "database_unavailable"},
      {"57P01", "database_unavailable"}, {"53300", "database_unavailable"}, {"08006", "database_unavailable"},
      {"25006", "database_unavailable"}};
  for (const auto &[code, error] : cases) {
    std::string log_detail;
    const auto a = database_error_answer(pqxx::sql_error(secret, "SELECT 1", code), log_detail);
    ASSERT_TRUE(a) << code;
    EXPECT_EQ(a->status, 503) << code;
    EXPECT_EQ(a->error, error) << code;
    for (const char *leak : {"db.internal", "10.0.0.7", "orders_admin", "5432"})
      EXPECT_EQ(a->body().dump().find(leak), std::string::npos) << code << ": " << a->body().dump();
    EXPECT_NE(log_detail.find("orders_admin"), std::string::npos) << "the log keeps the details";
  }
  EXPECT_EQ(answer_to("57014")->detail, "the database did not answer in time (statement timeout); retry");
}

TEST(ApiDatabaseErrors, ThePoolsErrorTellsTheClientNothingOfTheConnection) {
  const PoolUnavailable e("the database cannot be reached; retry",
                          "connection to server at \"db.internal\", port 5432 failed: user \"orders_admin\"");
  std::string log_detail;
  const auto a = database_error_answer(e, log_detail);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(a->body().dump(), R"({"detail":"the database cannot be reached; retry","error":"database_unavailable"})");
  EXPECT_NE(log_detail.find("orders_admin"), std::string::npos);
  const auto lost = answer(pqxx::broken_connection("server closed the connection: host db.internal"));
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->status, 503);
  EXPECT_EQ(lost->body().dump().find("db.internal"), std::string::npos);
}

TEST(ApiDatabaseErrors, WhatItDoesNotKnowIsLeftToTheCallersLogged500) {
  EXPECT_FALSE(answer_to("42601"));  // a syntax error: a bug of ours
  EXPECT_FALSE(answer(std::runtime_error("boom")));
}

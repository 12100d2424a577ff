// Unit tests for the daemon's connection and session settings (core/connection_settings.hpp) and
// for judging a database error by its SQLSTATE (core/sql_errors.hpp).
#include <gtest/gtest.h>

#include <map>

#include "core/conninfo_options.hpp"
#include "core/connection_settings.hpp"
#include "core/db.hpp"
#include "core/errors.hpp"
#include "core/sql_errors.hpp"

namespace outboxd {
namespace {

Config with_url(const std::string &url) {
  Config c;
  c.database_url = url;
  return c;
}

TEST(ConnectionSettings, TheDefaultNoticesADeadPeerWithinFifteenSeconds) {
  const auto o = conninfo_options(daemon_conninfo(with_url("postgresql://app@db/orders")));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->at("host"), "db");
  EXPECT_EQ(o->at("dbname"), "orders");
  EXPECT_EQ(o->at("tcp_user_timeout"), "15000");
  EXPECT_EQ(o->at("keepalives"), "1");
  EXPECT_EQ(o->at("connect_timeout"), "5");
  // First probe after 5 s, then probes every 2 s: 5 + 5 x 2 = 15 s at most.
  EXPECT_EQ(o->at("keepalives_idle"), "5");
  EXPECT_EQ(o->at("keepalives_interval"), "2");
  EXPECT_EQ(o->at("keepalives_count"), "5");
  const long long total = std::stoll(o->at("keepalives_idle")) +
                          std::stoll(o->at("keepalives_interval")) * std::stoll(o->at("keepalives_count"));
  EXPECT_LE(total, 15);
}

TEST(ConnectionSettings, WhatTheUrlSetsIsKept) {
  const auto o = conninfo_options(
      daemon_conninfo(with_url("host=db keepalives=0 tcp_user_timeout=60000 connect_timeout=30")));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->at("keepalives"), "0");
  EXPECT_EQ(o->at("tcp_user_timeout"), "60000");
  EXPECT_EQ(o->at("connect_timeout"), "30");
}

TEST(ConnectionSettings, FollowTheConfiguredTimeouts) {
  Config c = with_url("host=db");
  c.dead_connection_timeout = std::chrono::seconds(60);
  c.statement_timeout = std::chrono::milliseconds(2500);
  const auto o = conninfo_options(daemon_conninfo(c));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->at("tcp_user_timeout"), "60000");
  EXPECT_EQ(o->at("connect_timeout"), "10");  // a third, at most 10 s
  set_engine_limits(c);
  std::map<std::string, std::string> settings;
  for (const auto &s : session_settings(SessionRole::Worker)) settings[s.name] = s.value;
  EXPECT_EQ(settings["statement_timeout"], "2500");
  EXPECT_EQ(settings["tcp_user_timeout"], "60000");
  EXPECT_EQ(settings["tcp_keepalives_idle"], "20");
  EXPECT_EQ(settings["enable_sort"], "off");  // the worker's own setting stays
  EXPECT_EQ(settings["jit"], "off");  // see session_settings(): priced-out sorts made every outcome write JIT-compiled
  set_engine_limits(Config{});
  c.dead_connection_timeout = std::chrono::seconds(2);  // the smallest the config allows
  const auto small = conninfo_options(daemon_conninfo(c));
  EXPECT_EQ(small->at("connect_timeout"), "2");  // libpq's own minimum
  EXPECT_GE(std::stoll(small->at("keepalives_idle")), 1);
}

TEST(SqlErrors, SessionsANewOneMayCureAreTold) {
  for (const char *state : {"25006", "57P01", "57P02", "57P03", "08006", "08003", "57P04"})
    EXPECT_TRUE(needs_new_session(std::string(state))) << state;
  for (const char *state : {"53100", "23514", "42P01", "57014", "40001"})
    EXPECT_FALSE(needs_new_session(std::string(state))) << state;
  EXPECT_TRUE(needs_new_session(pqxx::broken_connection("gone")));
  EXPECT_TRUE(needs_new_session(DbConnectionLost("cannot connect")));
  EXPECT_FALSE(needs_new_session(std::runtime_error("a plugin bug")));
}

TEST(SqlErrors, FaultsOfTheDatabasePassFaultsOfTheStatementDoNot) {
  // Disk full, out of memory, I/O error, statement timeout, deadlock: try again as it is.
  for (const char *state : {"53100", "53200", "58030", "57014", "40P01", "40001", "55P03", "25006"})
    EXPECT_TRUE(is_passing_fault(std::string(state))) << state;
  // A CHECK, an undefined table in an on_outcome statement, a syntax error: the statement's own.
  for (const char *state : {"23514", "42P01", "42601", "22P02"})
    EXPECT_FALSE(is_passing_fault(std::string(state))) << state;
  EXPECT_TRUE(is_passing_fault(pqxx::in_doubt_error("commit in doubt")));
}

TEST(SqlErrors, EveryLoopGetsOneAnswerForAnyException) {
  // No session open (it could not be opened, or was dropped): open one, whatever the error was.
  EXPECT_EQ(classify_fault(std::runtime_error("anything"), nullptr), FaultAction::Reconnect);
  EXPECT_EQ(classify_fault(pqxx::broken_connection("gone"), nullptr), FaultAction::Reconnect);
  EXPECT_EQ(classify_fault(DbConnectionLost("cannot connect"), nullptr), FaultAction::Reconnect);
  EXPECT_STREQ(fault_action_name(FaultAction::Reconnect), "reconnect");
  EXPECT_STREQ(fault_action_name(FaultAction::RetryLater), "retry later");
  EXPECT_STREQ(fault_action_name(FaultAction::StatementFault), "statement fault");
}

}  // namespace
}  // namespace outboxd

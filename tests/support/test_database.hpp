// A fresh, migrated PostgreSQL database per test, on the throwaway cluster ctest started.
#pragma once

#include <memory>
#include <string>

#include <pqxx/pqxx>

namespace outboxd::test {

class TestDatabase {
 public:
  // Creates database t_<pid>_<n> and applies the embedded migrations (unless migrate is false).
  // Fails the test with a clear message when OUTBOX_TEST_DSN is not set (run through ctest).
  // `encoding`: the database's, when not the cluster's UTF8 ("LATIN1": text it cannot hold).
  explicit TestDatabase(bool migrate = true, const std::string &encoding = "");
  ~TestDatabase();  // drops the database, forcing out leftover connections
  TestDatabase(const TestDatabase &) = delete;
  TestDatabase &operator=(const TestDatabase &) = delete;

  const std::string &conninfo() const { return conninfo_; }
  const std::string &name() const { return name_; }
  // A new connection with every embedded query prepared.
  std::unique_ptr<pqxx::connection> connect() const;
  // Runs one statement in its own transaction and returns the first column of the first row.
  std::string scalar(const std::string &sql) const;
  long long count(const std::string &where_clause = "true") const;  // rows in outbox.messages
  void exec(const std::string &sql) const;

 private:
  std::string admin_conninfo_, conninfo_, name_;
};

// The admin conninfo from OUTBOX_TEST_DSN; aborts the test run with a message when it is unset.
std::string admin_conninfo();

}  // namespace outboxd::test

// Per-test databases: CREATE DATABASE on the shared test cluster, migrate, DROP ... WITH (FORCE).
#include "tests/support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>

#include "core/db.hpp"
#include "core/migrations.hpp"

namespace outboxd::test {

std::string admin_conninfo() {
  const char *dsn = std::getenv("OUTBOX_TEST_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    std::fprintf(stderr, "OUTBOX_TEST_DSN is not set: run the database tests through ctest, which starts "
                         "a throwaway PostgreSQL (or set it to a conninfo whose user may CREATE DATABASE)\n");
    std::abort();
  }
  return dsn;
}

TestDatabase::TestDatabase(bool migrate, const std::string &encoding) : admin_conninfo_(admin_conninfo()) {
  static std::atomic<int> counter{0};
  name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection admin(admin_conninfo_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + name_ +
            (encoding.empty() ? "" : " ENCODING '" + encoding + "' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"));
  }
  // libpq takes the last value of a repeated keyword, so this overrides the admin dbname.
  conninfo_ = admin_conninfo_ + " dbname=" + name_;
  if (migrate) {
    pqxx::connection c(conninfo_);
    apply_migrations(c);
  }
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_conninfo_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "could not drop test database %s: %s\n", name_.c_str(), e.what());
  }
}

std::unique_ptr<pqxx::connection> TestDatabase::connect() const { return open_connection(conninfo_); }

std::string TestDatabase::scalar(const std::string &sql) const {
  pqxx::connection c(conninfo_);
  pqxx::work tx(c);
  auto r = tx.exec(sql);
  tx.commit();
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

long long TestDatabase::count(const std::string &where_clause) const {
  return std::stoll(scalar("SELECT count(*) FROM outbox.messages WHERE " + where_clause));
}

void TestDatabase::exec(const std::string &sql) const {
  pqxx::connection c(conninfo_);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

}  // namespace outboxd::test

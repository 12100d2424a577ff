// A test's own PostgreSQL cluster (tests/support/private_cluster.hpp).
#include "tests/support/private_cluster.hpp"

#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>

#include <gtest/gtest.h>

#include "tests/support/wait.hpp"

namespace outboxd::test {
namespace {
const std::string kFixture = OUTBOXD_TEST_SOURCE_DIR "/tests/fixtures/pg_fixture.sh";
}  // namespace

PrivateCluster::PrivateCluster(int salt)
    : dir_("/tmp/outboxd-private-" + std::to_string(getpid()) + "-" + std::to_string(salt)),
      port_(61000 + (getpid() * 7 + salt) % 4000) {
  const std::string cmd = kFixture + " start " + dir_ + " " + std::to_string(port_) + " >/dev/null";
  started_ = std::system(cmd.c_str()) == 0;
  if (!started_) ADD_FAILURE() << "could not start a private PostgreSQL cluster: " << cmd;
}

PrivateCluster::~PrivateCluster() {
  const std::string cmd = kFixture + " stop " + dir_ + " " + std::to_string(port_) + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    // Nothing more to do: the next start of this directory stops what is left.
  }
}

std::string PrivateCluster::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=outbox dbname=postgres";
}

void PrivateCluster::restart() { run_fixture("restart"); }

void PrivateCluster::down() { run_fixture("down"); }

void PrivateCluster::up() { run_fixture("up"); }

void PrivateCluster::run_fixture(const std::string &command) {
  const std::string cmd = kFixture + " " + command + " " + dir_ + " " + std::to_string(port_);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

void PrivateCluster::exec(const std::string &sql) const {
  std::string last_error;
  const bool done = wait_until(
      [&] {
        try {
          pqxx::connection c(conninfo() + " connect_timeout=2");
          pqxx::nontransaction tx(c);  // autocommit: CREATE TABLESPACE refuses a transaction block
          tx.exec(sql);
          return true;
        } catch (const std::exception &e) {
          last_error = e.what();
          return false;
        }
      },
      std::chrono::seconds(30));
  ASSERT_TRUE(done) << sql << ": " << last_error;
}

std::string PrivateCluster::scalar(const std::string &sql) const {
  try {
    pqxx::connection c(conninfo() + " connect_timeout=2");
    pqxx::work tx(c);
    const auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  } catch (const std::exception &) {
    return "";
  }
}

long long PrivateCluster::count(const std::string &where) const {
  const std::string n = scalar("SELECT count(*) FROM outbox.messages WHERE " + where);
  return n.empty() ? -1 : std::stoll(n);
}

}  // namespace outboxd::test

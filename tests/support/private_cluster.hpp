// A PostgreSQL cluster of one test's own (tests/fixtures/pg_fixture.sh), for faults that must not
// reach the tests running in parallel on the shared cluster: a restart, dropped packets.
#pragma once

#include <string>

namespace outboxd::test {

class PrivateCluster {
 public:
  // Starts a cluster under /tmp on a port above Linux's ephemeral range (32768-60999: a port in it
  // may be the local end of any client connection, and then PostgreSQL cannot bind it). `salt`
  // keeps two clusters of one test process apart.
  explicit PrivateCluster(int salt = 0);
  ~PrivateCluster();  // stops it and removes its files
  PrivateCluster(const PrivateCluster &) = delete;
  PrivateCluster &operator=(const PrivateCluster &) = delete;

  int port() const { return port_; }
  // Database `postgres` as the superuser `outbox`, over TCP on 127.0.0.1.
  std::string conninfo() const;
  void restart();  // fast shutdown and start: every connection is dropped
  void down();     // fast shutdown, keeping the data: the database is down until up()
  void up();
  // Runs `sql` on a new connection in autocommit mode, trying again for up to 30 s while the server
  // refuses (right after a restart, or while packets are dropped); fails the test after that.
  void exec(const std::string &sql) const;
  // count(*) of outbox.messages WHERE `where`, or -1 when the server cannot be asked now.
  long long count(const std::string &where) const;
  // The first column of the first row of `sql`, or "" when the server cannot be asked now.
  std::string scalar(const std::string &sql) const;

 private:
  void run_fixture(const std::string &command);

  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace outboxd::test

// A real PgBouncer (Debian's pgbouncer package) in front of the test cluster, in transaction
// pooling, started for one test and stopped with it.
#pragma once

#include <sys/types.h>

#include <string>

#include "tests/support/daemon_process.hpp"

namespace outboxd::test {

class PgBouncerProcess {
 public:
  // Listens on 127.0.0.1 (a free port) and pools every database of the cluster OUTBOX_TEST_DSN names
  // with pool_mode = transaction and `pool_size` server connections per database and user, trust
  // auth (users from a generated userlist). As root it runs as the postgres user, since PgBouncer
  // refuses to run as root. Fails the test when pgbouncer is missing or does not come up.
  explicit PgBouncerProcess(int pool_size);
  ~PgBouncerProcess();  // SIGKILLs it: nothing of it needs a clean stop
  PgBouncerProcess(const PgBouncerProcess &) = delete;
  PgBouncerProcess &operator=(const PgBouncerProcess &) = delete;

  int port() const { return port_; }
  // A conninfo for `dbname` through the pooler, as the test cluster's user.
  std::string conninfo(const std::string &dbname) const;
  std::string log() const;
  // The pgbouncer.ini it runs with, for messages.
  const std::string &ini() const { return ini_; }

 private:
  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string ini_;
  std::string user_;
};

}  // namespace outboxd::test

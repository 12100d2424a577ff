// Shared set-up for end-to-end tests: a fresh database, a config using the scripted plugin that
// records every call, and the real outboxd binary running against them.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/daemon_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

struct Call {  // one line of the scripted plugin's record file
  std::string id, destination, outcome;
  int attempt = 0;
  nlohmann::json payload;
  int batch = 1;  // messages in the plugin call that carried this one
};

inline std::vector<Call> read_calls(const std::string &path) {
  std::vector<Call> out;
  for (const auto &line : read_lines(path)) {
    auto j = nlohmann::json::parse(line);
    out.push_back(Call{j["id"], j["destination"], j["outcome"], j["attempt"], j["payload"], j.value("batch", 1)});
  }
  return out;
}

class E2E : public ::testing::Test {
 protected:
  TestDatabase db;
  TempDir dir;

  std::string record_path() const { return dir.file("calls.jsonl"); }

  // A destination `name` on the scripted plugin, recording into `record` (default record_path()).
  std::string scripted_destination(const std::string &name, const std::string &extra = "",
                                   std::string record = "") const {
    if (record.empty()) record = record_path();
    std::string backoff = extra.find("max_backoff:") == std::string::npos ? "    max_backoff: 1s\n" : "";
    return "  " + name + ":\n    plugin: scripted\n    max_attempts: 5\n" + backoff + extra +
           "    config:\n      record: \"" + record + "\"\n";
  }

  // Writes the config and returns its path.
  std::string write_config(const std::string &destinations, const std::string &extra_top = "",
                           const std::string &file = "outboxd.yaml", std::string conninfo = "") const {
    if (conninfo.empty()) conninfo = db.conninfo();
    // Fast defaults for sections the test does not write itself.
    std::string top;
    if (extra_top.find("workers:") == std::string::npos) top += "workers: 2\n";
    if (extra_top.find("batch_size:") == std::string::npos) top += "batch_size: 10\n";
    if (extra_top.find("wakeup:") == std::string::npos) top += "wakeup:\n  linger: 50ms\n  safety_poll: 1s\n";
    if (extra_top.find("retention:") == std::string::npos) top += "retention:\n  prune_interval: 1s\n";
    // Any free port, so tests running in parallel never collide on the default 3080.
    if (extra_top.find("api:") == std::string::npos) top += "api:\n  listen: 127.0.0.1:0\n";
    std::string path = dir.file(file);
    write_file(path, daemon_config(conninfo, destinations, top + extra_top));
    return path;
  }

  std::unique_ptr<DaemonProcess> start(const std::string &config_path, const std::string &log_name = "daemon.log") {
    auto d = std::make_unique<DaemonProcess>(std::vector<std::string>{"run", "--config", config_path},
                                             dir.file(log_name));
    // Stop waiting as soon as the daemon exits: a config error should fail the test at once.
    wait_until([&] { return d->log().find("running:") != std::string::npos || !d->running(); });
    if (!d->running()) ADD_FAILURE() << "outboxd exited at start:\n" << d->log();
    return d;
  }

  // Payloads of every call with outcome "ok", and how often each id was called with "ok".
  static std::map<std::string, int> ok_calls_by_id(const std::vector<Call> &calls) {
    std::map<std::string, int> out;
    for (const auto &c : calls)
      if (c.outcome == "ok") out[c.id]++;
    return out;
  }

  void enqueue(const std::string &destination, const std::string &payload_json, const std::string &extra = "") {
    db.exec("SELECT outbox.enqueue('" + destination + "', '" + payload_json + "'::jsonb" + extra + ")");
  }

  bool wait_count(const std::string &where, long long n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return wait_until([&] { return db.count(where) == n; }, timeout);
  }

  // The sessions holding a claim open while its plugin sends: idle in a transaction that holds
  // outbox.messages in ROW SHARE mode (what SELECT ... FOR UPDATE takes). "Idle in transaction"
  // alone also matches the daemon's other sessions between two statements, e.g. at start-up.
  static std::string open_claims_sql(const std::string &select) {
    return "SELECT " + select + " FROM pg_stat_activity a WHERE a.datname = current_database() "
           "AND a.state = 'idle in transaction' AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid "
           "AND l.relation = 'outbox.messages'::regclass AND l.mode = 'RowShareLock' AND l.granted)";
  }
  bool wait_open_claims(long long n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return wait_until([&] { return db.scalar(open_claims_sql("count(*)")) == std::to_string(n); }, timeout);
  }
};

}  // namespace outboxd::test

// The HTTP transport against hostile and careless clients, on the real daemon: chunked bodies in
// tiny pieces, pipelining, broken Content-Length, protocol edges, idle and half-sent connections,
// the connection cap, descriptor exhaustion, health checks while the database is stuck, and
// shutdown with connections open.
#include <csignal>
#include <future>
#include <thread>

#include "tests/e2e/api_harness.hpp"
#include "tests/support/proc_stats.hpp"
#include "tests/support/raw_http.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kMessage = R"({"destination":"orders","payload":{"behavior":"ok","n":1}})";

std::string post_request(const std::string &body, const std::string &extra_headers = "") {
  return "POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// `body` as a chunked request body in chunks of `size` bytes.
std::string chunked(const std::string &body, std::size_t size) {
  std::string out;
  char hex[32];
  for (std::size_t i = 0; i < body.size(); i += size) {
    const std::string piece = body.substr(i, size);
    std::snprintf(hex, sizeof hex, "%zx\r\n", piece.size());
    out += hex + piece + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// True once the API threads of `pid` use under 10 % of a core over a 500 ms window; a spinning
// thread never gets there before the deadline.
bool api_threads_settle(pid_t pid) {
  long before = cpu_ticks(pid, "outboxd-api");
  auto since = std::chrono::steady_clock::now();
  return wait_until(
      [&] {
        if (std::chrono::steady_clock::now() - since < std::chrono::milliseconds(500)) return false;
        const long now = cpu_ticks(pid, "outboxd-api");
        const bool quiet = (now - before) * 10 < ticks_per_second() / 2;  // < 10 % of 500 ms
        before = now;
        since = std::chrono::steady_clock::now();
        return quiet;
      },
      std::chrono::seconds(15));
}

}  // namespace

class HttpTransport : public ApiE2E {
 protected:
  void SetUp() override { start_api(scripted_destination("orders"), api_keys()); }
  virtual std::string api_keys() const { return ""; }
  std::string address() const { return base.substr(std::string("http://").size()); }
};

TEST_F(HttpTransport, ChunkedBodiesInTinyChunksAreDecodedAndNothingSpins) {
  // The body padded to 1360 bytes goes in 1360 one-byte chunks; a 20 KB one in 100-byte chunks.
  const std::string small = R"({"destination":"orders","payload":{"behavior":"ok","pad":")" +
                            std::string(1360 - 62, 'x') + "\"}}";
  const std::string large = R"({"destination":"orders","payload":{"behavior":"ok","pad":")" +
                            std::string(20000, 'y') + "\"}}";
  for (const auto &[body, size] : {std::pair{small, std::size_t{1}}, std::pair{large, std::size_t{100}}}) {
    RawConnection c(address());
    ASSERT_TRUE(c.send("POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n" + chunked(body, size)));
    auto responses = c.read_responses(1);
    ASSERT_EQ(responses.size(), 1u) << c.received();
    EXPECT_EQ(responses[0].status, 201) << responses[0].body;
  }
  EXPECT_EQ(db.count(), 2);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_TRUE(api_threads_settle(daemon->pid())) << "an API thread keeps using CPU after the requests";
}

TEST_F(HttpTransport, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection c(address());
  ASSERT_TRUE(c.send(post_request(kMessage) + post_request(kMessage) +
                     "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto responses = c.read_responses(3);
  ASSERT_EQ(responses.size(), 3u) << c.received();
  EXPECT_EQ(responses[0].status, 201);
  EXPECT_EQ(responses[1].status, 201);
  EXPECT_NE(json::parse(responses[0].body)["id"], json::parse(responses[1].body)["id"]);
  EXPECT_EQ(responses[2].status, 200);
  EXPECT_EQ(db.count(), 2);
}

TEST_F(HttpTransport, ContentLengthIsOneDecimalNumberWithinTheLimit) {
  const long rss_before = rss_kib(daemon->pid());
  struct Case {
    std::string headers;
    int status;
  };
  const std::vector<Case> cases = {
      {"Content-Length: -1\r\n", 400},
      {"Content-Length: 43junk\r\n", 400},
      {"Content-Length: 18446744073709551615\r\n", 413},
      {"Content-Length: 18446744073709551616\r\n", 400},
      {"Content-Length: 1073741824\r\n", 413},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", 400},
      {"Content-Length: 5\r\nContent-Length: 5\r\n", 400},
      {"Content-Length: 5, 5\r\n", 400},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400},
      {"Transfer-Encoding: gzip\r\n", 400},
      {"Transfer-Encoding: gzip, chunked\r\n", 400},
      {"Transfer-Encoding: chunked;q=1\r\n", 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400},
      // Obsolete line folding in a framing header: a proxy might read it differently (smuggling).
      {"Content-Length:\r\n 34\r\n", 400},
      {"Transfer-Encoding:\r\n chunked\r\n", 400},
      {"Host: u\r\nContent-Length: 2\r\n", 400},  // a second Host
  };
  for (const auto &c : cases) {
    RawConnection conn(address());
    conn.send("POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + c.headers + "\r\n");
    auto responses = conn.read_responses(1);
    ASSERT_EQ(responses.size(), 1u) << c.headers << conn.received();
    EXPECT_EQ(responses[0].status, c.status) << c.headers << responses[0].body;
    EXPECT_TRUE(json::parse(responses[0].body, nullptr, false).contains("error")) << responses[0].body;
    EXPECT_EQ(responses[0].headers["connection"], "close") << c.headers;
    EXPECT_TRUE(conn.wait_closed(std::chrono::seconds(10))) << c.headers;
  }
  EXPECT_EQ(db.count(), 0);
  // A 1 GiB Content-Length reserves nothing: memory stays within a few MiB of where it was.
  EXPECT_LT(rss_kib(daemon->pid()) - rss_before, 20 * 1024);
}

TEST_F(HttpTransport, ProtocolEdgesGetJsonAnswers) {
  auto once = [&](const std::string &request) { return raw_exchange(address(), request); };

  RawResponse unknown = once("FROB /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(unknown.status, 405);
  EXPECT_EQ(unknown.headers["allow"], "GET, HEAD, OPTIONS");
  EXPECT_EQ(json::parse(unknown.body)["error"], "method_not_allowed");

  for (const std::string version : {"HTTP/2.0", "HTTP/1.x", "HTTX/1.1"}) {
    RawResponse bad = once("GET /healthz " + version + "\r\nHost: t\r\n\r\n");
    EXPECT_EQ(bad.status, 400) << version;
    EXPECT_EQ(json::parse(bad.body, nullptr, false).value("error", ""), "bad_request") << version << bad.body;
  }

  // A Content-Type nobody can parse does not matter to a route that reads no body.
  EXPECT_EQ(once("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: ;;;==//\r\n\r\n").status, 200);

  RawConnection head(address());
  head.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  auto heads = head.read_responses(1, true);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].status, 200);
  EXPECT_EQ(heads[0].headers["content-length"], "16");  // what GET's {"status":"ok"}\n would be
  EXPECT_TRUE(heads[0].body.empty());

  RawResponse options = once("OPTIONS /v1/messages HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.headers["allow"], "GET, HEAD, POST, OPTIONS");

  RawResponse batch = once("GET /v1/messages/batch HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(batch.status, 405) << batch.body;
  EXPECT_EQ(batch.headers["allow"], "POST, OPTIONS");

  RawResponse garbage = once(std::string("\x01\x02 garbage\r\n\r\n"));
  EXPECT_EQ(garbage.status, 400);

  EXPECT_EQ(once("GET /healthz HTTP/1.1\r\n\r\n").status, 400);  // HTTP/1.1 without Host
  EXPECT_EQ(once("GET /healthz HTTP/1.1\nHost: t\n\n").status, 400);  // bare LF, refused at once

  // Trailer fields are not taken for headers: a Content-Type sent only as a trailer is refused.
  RawResponse trailer = once("POST /v1/messages HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                             chunked(kMessage, 16).substr(0, chunked(kMessage, 16).size() - 2) +
                             "Content-Type: application/json\r\n\r\n");
  EXPECT_EQ(trailer.status, 415) << trailer.body;  // no Content-Type header: refused before the body
  RawResponse trailed = once("POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n" +
                             chunked(kMessage, 16).substr(0, chunked(kMessage, 16).size() - 2) + "X-Late: 1\r\n\r\n");
  EXPECT_EQ(trailed.status, 400) << trailed.body;
  EXPECT_EQ(db.count(), 0);
}

TEST_F(HttpTransport, PathsAndQueriesMustBeUtf8) {
  EXPECT_EQ(raw_exchange(address(), "GET /v1/messages?destination=%FF HTTP/1.1\r\nHost: t\r\n\r\n").status, 400);
  EXPECT_EQ(raw_exchange(address(), "GET /v1/%C0%AF HTTP/1.1\r\nHost: t\r\n\r\n").status, 400);
}

class HttpWithTokens : public HttpTransport {
 protected:
  std::string api_keys() const override {
    return "  tokens:\n    - name: reader\n      token: reader-token-0123456789\n      scopes: [read]\n";
  }
};

TEST_F(HttpWithTokens, ClientTextNeverWritesALineOfItsOwnIntoTheLog) {
  // The 401 is logged with the path; a decoded line break must not start a forged line.
  RawResponse r = raw_exchange(address(), "GET /v1/messages/x%0A2026-01-01%2000:00:00.000%20error%20FORGED"
                                          "%1B[31m HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 401);
  ASSERT_TRUE(daemon->wait_for_log("401"));
  const std::string log = daemon->log();
  EXPECT_EQ(log.find("\n2026-01-01 00:00:00.000 error FORGED"), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
  EXPECT_NE(log.find("x\\x0A2026-01-01"), std::string::npos) << log;
}

TEST_F(HttpTransport, ExpectContinueIsRefusedAt415BeforeTheBody) {
  RawResponse r = raw_exchange(address(), "POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
                                          "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n");
  EXPECT_EQ(r.status, 415) << r.body;
}

TEST_F(HttpTransport, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  RawConnection c(address());
  c.send("POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
         "Content-Length: " + std::to_string(kMessage.size()) + "\r\n\r\n");
  c.read_until([](const std::string &b) { return b.find("\r\n\r\n") != std::string::npos; });
  ASSERT_EQ(c.received().rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << c.received();
  c.send(kMessage);
  c.read_until([](const std::string &b) { return parse_responses(b).size() >= 2; });
  auto responses = parse_responses(c.received());
  ASSERT_EQ(responses.size(), 2u) << c.received();
  EXPECT_EQ(responses[1].status, 201);

  // A request refused on its headers gets its answer at once, without a 100 and without the body.
  RawResponse refused = raw_exchange(address(), "POST /v1/nowhere HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                                                "Content-Length: 100\r\n\r\n");
  EXPECT_EQ(refused.status, 404);
}

TEST_F(HttpTransport, QueryValuesArePercentDecoded) {
  const std::string id = create(json::parse(kMessage));
  HttpReply r = get("/v1/messages?destination=or%64ers&state=pen%64ing+&limit=5");
  EXPECT_EQ(r.status, 400) << r.body;  // "pending " (the + is a space) is no state
  EXPECT_NE(r.json().value("detail", "").find("\"pending \""), std::string::npos) << r.body;
  HttpReply ok = get("/v1/messages?destination=or%64ers&limit=5");
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_EQ(ok.json()["messages"].size(), 1u) << ok.body;
  EXPECT_EQ(ok.json()["messages"][0]["id"], id);
  EXPECT_EQ(get("/v1/messages?limit=5&limit=6").status, 400);
  EXPECT_EQ(get("/v1/messages?limit=%zz").status, 400);
}

TEST_F(HttpTransport, ConnectionCloseAndHttp10EndTheConnectionAfterTheAnswer) {
  for (const std::string request : {"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                                    "GET /healthz HTTP/1.0\r\n\r\n"}) {
    RawConnection c(address());
    c.send(request);
    EXPECT_TRUE(c.wait_closed(std::chrono::seconds(5))) << request;
    auto responses = parse_responses(c.received());
    ASSERT_EQ(responses.size(), 1u) << c.received();
    EXPECT_EQ(responses[0].status, 200);
  }
  // HTTP/1.0 with keep-alive asked for keeps the connection.
  RawConnection keep(address());
  keep.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(keep.read_responses(1).size(), 1u);
  keep.send("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(keep.read_responses(2).size(), 2u) << keep.received();
}

class HttpIdle : public HttpTransport {
 protected:
  std::string api_keys() const override { return "  idle_timeout: 1s\n"; }
};

TEST_F(HttpIdle, IdleKeepAliveConnectionsAreClosed) {
  RawConnection silent(address());
  RawConnection used(address());
  used.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(used.read_responses(1).size(), 1u);
  EXPECT_TRUE(silent.wait_closed(std::chrono::seconds(10)));
  EXPECT_TRUE(used.wait_closed(std::chrono::seconds(10)));
}

class HttpCapped : public HttpTransport {
 protected:
  std::string api_keys() const override { return "  max_connections: 8\n"; }
};

TEST_F(HttpCapped, IdleAndSlowConnectionsMakeRoom) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(std::make_unique<RawConnection>(address()));
  // Every slot holds an idle connection: one of them is closed for the health check.
  EXPECT_EQ(raw_exchange(address(), "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status, 200);
  idle.clear();

  // Every slot holds a connection that dribbles its headers (slowloris): the slowest makes room.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawConnection>(address()));
    slow.back()->send("GET /healthz HTTP/1.1\r\nHost: t\r\n");
  }
  EXPECT_TRUE(wait_until([&] {
    return raw_exchange(address(), "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status == 200;
  }, std::chrono::seconds(5)));
}

// The daemon gets a 64-descriptor limit (soft and hard, so it cannot raise it) and far more clients
// than that: it serves fewer connections than api.max_connections asks, and says so, rather than run
// out of descriptors.
class HttpFewDescriptors : public HttpTransport {
 protected:
  void SetUp() override {
    daemon = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"run", "--config", write_config(scripted_destination("orders"))},
        dir.file("daemon.log"), std::vector<std::string>{"prlimit", "--nofile=64:64"});
    ASSERT_TRUE(daemon->wait_for_log("running:")) << daemon->log();
    std::smatch m;
    const std::string log = daemon->log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(api: listening on (127\.0\.0\.1:\d+))"))) << log;
    base = "http://" + m[1].str();
  }
};

TEST_F(HttpFewDescriptors, ConnectionsAreFittedUnderTheLimitAndDeliveryGoesOn) {
  ASSERT_NE(daemon->log().find("serving at most 32 connections"), std::string::npos) << daemon->log();
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 150; ++i) flood.push_back(std::make_unique<RawConnection>(address()));
  EXPECT_EQ(get("/healthz").status, 200);  // during the flood
  for (int i = 0; i < 5; ++i) enqueue("orders", R"({"behavior":"ok"})");
  EXPECT_TRUE(wait_count("state = 'delivered'", 5)) << daemon->log();
  EXPECT_TRUE(api_threads_settle(daemon->pid())) << "the API keeps using CPU under the flood";
  EXPECT_EQ(daemon->log().find("Too many open files"), std::string::npos) << daemon->log();
  flood.clear();
  EXPECT_EQ(get("/healthz").status, 200);
}

// Requests that need the database wait behind a lock the test holds; health checks must not.
class HttpStuckDatabase : public HttpTransport {
 protected:
  std::string api_keys() const override { return "  threads: 1\n"; }

  // Holds an ACCESS EXCLUSIVE lock on outbox.messages until release() (or the end of the test).
  void lock_messages() {
    lock_conn = db.connect();
    lock_tx = std::make_unique<pqxx::work>(*lock_conn);
    lock_tx->exec("LOCK TABLE outbox.messages IN ACCESS EXCLUSIVE MODE");
  }
  void release() {
    lock_tx.reset();
    lock_conn.reset();
  }
  void TearDown() override { release(); }
  // A GET /v1/stats statement (message_stats.sql's opening comment) of this test's database waits
  // on a lock: not merely a worker's claim, and not a session of a test running beside this one.
  bool stats_waiting_on_lock() {
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock' AND query LIKE '-- Per destination and state%'") != "0";
  }

  std::unique_ptr<pqxx::connection> lock_conn;
  std::unique_ptr<pqxx::work> lock_tx;
};

TEST_F(HttpStuckDatabase, HealthChecksAnswerWhileEveryDatabaseWorkerWaits) {
  EXPECT_EQ(get("/readyz").status, 200);  // the readiness connection is open before the lock
  lock_messages();
  std::vector<std::future<HttpReply>> stuck;
  for (int i = 0; i < 4; ++i)
    stuck.push_back(std::async(std::launch::async, [&] { return get("/v1/stats"); }));
  ASSERT_TRUE(wait_until([&] { return stats_waiting_on_lock(); }, std::chrono::seconds(10)));
  EXPECT_EQ(get("/healthz").status, 200);
  HttpReply ready = get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  release();
  for (auto &f : stuck) EXPECT_EQ(f.get().status, 200);
}

TEST_F(HttpStuckDatabase, ReadyzAnswersNotReadyInTimeWhenTheDatabaseDoesNotAnswer) {
  ASSERT_EQ(get("/readyz").status, 200);
  // The readiness query reads outbox.schema_migration: behind this lock it gets no answer.
  lock_conn = db.connect();
  lock_tx = std::make_unique<pqxx::work>(*lock_conn);
  lock_tx->exec("LOCK TABLE outbox.schema_migration IN ACCESS EXCLUSIVE MODE");
  HttpReply r;
  ASSERT_TRUE(wait_until([&] { return (r = get("/readyz")).status == 503; }, std::chrono::seconds(10))) << r.body;
  EXPECT_EQ(r.json()["checks"]["database"], "not answering") << r.body << "\n" << daemon->log();
  // Many checks in a row neither pile up nor take the health check's place.
  std::vector<std::future<HttpReply>> checks;
  for (int i = 0; i < 20; ++i) checks.push_back(std::async(std::launch::async, [&] { return get("/readyz"); }));
  EXPECT_EQ(get("/healthz").status, 200);
  for (auto &f : checks) EXPECT_EQ(f.get().status, 503);
  release();
  EXPECT_TRUE(wait_until([&] { return get("/readyz").status == 200; }, std::chrono::seconds(10)));
}

TEST_F(HttpStuckDatabase, ASecondSigtermEndsTheDaemonWhileARequestIsStuck) {
  lock_messages();
  auto stuck = std::async(std::launch::async, [&] { return get("/v1/stats"); });
  ASSERT_TRUE(wait_until([&] { return stats_waiting_on_lock(); }, std::chrono::seconds(10)));
  daemon->signal(SIGTERM);
  ASSERT_TRUE(daemon->wait_for_log("received: claiming nothing new"));
  EXPECT_FALSE(daemon->wait_exit(std::chrono::milliseconds(500)).has_value()) << "the first SIGTERM waits";
  daemon->signal(SIGTERM);
  EXPECT_TRUE(daemon->wait_exit(std::chrono::seconds(5)).has_value()) << daemon->log();
  release();
  stuck.wait();
}

TEST_F(HttpTransport, SigtermWithIdleAndHalfSentConnectionsStopsCleanly) {
  RawConnection idle(address());
  RawConnection half(address());
  half.send("POST /v1/messages HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"destination\"");
  daemon->signal(SIGTERM);
  auto code = daemon->wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << daemon->log();
  EXPECT_EQ(*code, 0) << daemon->log();
  EXPECT_NE(daemon->log().find("stopped cleanly"), std::string::npos);
  EXPECT_TRUE(idle.wait_closed(std::chrono::seconds(5)));
  EXPECT_TRUE(half.wait_closed(std::chrono::seconds(5)));
}

TEST_F(HttpTransport, ReadyzSaysNotReadyInGeneralTermsAndLogsTheDetails) {
  ASSERT_EQ(get("/readyz").status, 200);
  // From the admin database: once the test database refuses connections, only that one works.
  pqxx::connection admin(admin_conninfo());
  auto admin_exec = [&](const std::string &sql) { pqxx::nontransaction(admin).exec(sql); };
  admin_exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
  admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'outboxd-readyz'");
  HttpReply r;
  ASSERT_TRUE(wait_until([&] { return (r = get("/readyz")).status == 503; }, std::chrono::seconds(10))) << r.body;
  EXPECT_EQ(r.json()["status"], "not_ready");
  EXPECT_EQ(r.json()["checks"]["database"], "unreachable");
  for (const std::string &secret : {db.name(), std::string("127.0.0.1"), std::string("port"), std::string("outbox\"")})
    EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " in " << r.body;
  EXPECT_TRUE(daemon->wait_for_log("readyz: not ready:"));
  admin_exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
  EXPECT_TRUE(wait_until([&] { return get("/readyz").status == 200; }, std::chrono::seconds(10)));
}

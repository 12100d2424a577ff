// The HTTP API's listener, I/O thread and shutdown (api/http_server.hpp). Why Beast and not
// Pistache: docs/architecture.md#http-transport.
#include "api/http_server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "api/http_connection.hpp"
#include "core/config.hpp"
#include "core/listen_address.hpp"

namespace outboxd::api {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long accept() pauses after failing (out of descriptors, say) before trying again: without a
// pause the loop would spin on the same error.
constexpr std::chrono::milliseconds kAcceptRetry{100};
// How long a request's head or body must have taken before its connection may be closed for a new one.
constexpr std::chrono::milliseconds kSlowHead{500};
constexpr std::chrono::seconds kSlowBody{2};
// Descriptors kept for everything but HTTP clients (database connections, plugins, logs) when
// api.max_connections is fitted under the process's limit.
constexpr long kDescriptorReserve = 128;
// Repeated warnings (accept failures, refused connections) are logged at most this often.
constexpr std::chrono::seconds kWarnEvery{10};

// At most one warning per kWarnEvery, and how many were left out in between. I/O thread only.
class WarnThrottle {
 public:
  // True when a warning may be logged now; `left_out` is how many were not since the last one.
  bool allow(long &left_out) {
    const auto now = std::chrono::steady_clock::now();
    if (logged_ && now - last_ < kWarnEvery) {
      ++left_out_;
      return false;
    }
    left_out = left_out_;
    logged_ = true;
    last_ = now;
    left_out_ = 0;
    return true;
  }

 private:
  bool logged_ = false;
  std::chrono::steady_clock::time_point last_{};
  long left_out_ = 0;
};

// Over api.max_connections: a short 503 written without waiting, then the connection is closed.
void refuse_connection(tcp::socket &socket, int max_connections) {
  ApiResponse res = error_response(503, "too_many_connections",
                                   "the API already has api.max_connections (" + std::to_string(max_connections) +
                                       ") connections open; retry later");
  res.headers.emplace_back("Retry-After", "1");
  std::ostringstream text;
  text << to_http_response(res, 11, false, false);
  const std::string bytes = text.str();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(bytes), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// At api.max_connections, a connection that is not handling a request makes room for a new one,
// so that clients holding connections open cannot lock others (a health check, say) out of the
// API: first one at rest between requests, else the one that has spent longest on its request's
// head (a legitimate client sends it in one go), else the one slowest with its body. Busy ones are
// never closed. False when none qualifies: the new connection is then refused.
bool evict_one(ServerState &s) {
  using Phase = HttpConnection::Phase;
  const auto now = std::chrono::steady_clock::now();
  HttpConnection *victim = nullptr;
  int victim_rank = 3;
  for (HttpConnection *c : s.connections) {
    int rank = 3;
    if (c->phase() == Phase::Idle) rank = 0;
    else if (c->phase() == Phase::Head && now - c->phase_since() > kSlowHead) rank = 1;
    else if (c->phase() == Phase::Body && now - c->phase_since() > kSlowBody) rank = 2;
    if (rank < victim_rank || (rank == victim_rank && rank < 3 && c->phase_since() < victim->phase_since()))
      victim = c, victim_rank = rank;
  }
  if (!victim) return false;
  victim->evict();
  return true;
}

void accept_next(ServerState &s, const std::shared_ptr<WarnThrottle> &warnings) {
  s.acceptor->async_accept([&s, warnings](boost::system::error_code ec, tcp::socket socket) {
    if (s.stopping || !s.acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors: closing a connection that handles nothing frees one for the next try.
      if (ec == net::error::no_descriptors || ec.value() == ENFILE) evict_one(s);
      long left_out = 0;
      if (warnings->allow(left_out))
        spdlog::warn("api: accept failed: {}; retrying in {} ms (out of file descriptors? see LimitNOFILE and "
                     "api.max_connections); {} more since the last such warning",
                     ec.message(), kAcceptRetry.count(), left_out);
      s.accept_retry->expires_after(kAcceptRetry);
      s.accept_retry->async_wait([&s, warnings](boost::system::error_code wait_ec) {
        if (!wait_ec) accept_next(s, warnings);
      });
      return;
    }
    if (s.open_connections >= s.options.max_connections && !evict_one(s)) {
      long left_out = 0;
      if (warnings->allow(left_out))
        spdlog::warn("api: {} connections open, the most api.max_connections allows, none of them idle: "
                     "refusing new ones with 503; {} more refused since the last such warning",
                     s.open_connections.load(), left_out);
      refuse_connection(socket, s.options.max_connections);
    } else {
      std::make_shared<HttpConnection>(std::move(socket), s)->start();
    }
    accept_next(s, warnings);
  });
}

// api.max_connections under the process's descriptor limit: raises the soft limit towards the hard
// one when needed and allowed, else serves fewer connections and says so. Without this the daemon
// would find out at accept(), and its database reconnects would fail with it.
int connections_within_descriptor_limit(int wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  const rlim_t needed = static_cast<rlim_t>(wanted) + kDescriptorReserve;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed ? needed : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return wanted;
  const long available = static_cast<long>(limit.rlim_cur);
  const long fitted = std::max(1L, available - std::min(kDescriptorReserve, available / 2));
  spdlog::warn("api: api.max_connections is {}, but the process may open only {} file descriptors "
               "(LimitNOFILE): serving at most {} connections at once",
               wanted, available, fitted);
  return static_cast<int>(fitted);
}

std::string endpoint_text(const tcp::endpoint &e) {
  const std::string host = e.address().to_string();
  return (e.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(e.port());
}

}  // namespace

ServerState::ServerState(const HttpServerOptions &o, std::shared_ptr<ApiHandler> h)
    : options(o),
      limits{kMaxHeaderBytes, o.max_body_bytes},
      handler(std::move(h)),
      io(std::make_unique<net::io_context>(1)),
      db_workers(o.threads, "outboxd-api-db"),
      probe_workers(1, "outboxd-api-rdy"),
      metrics_workers(1, "outboxd-api-met"),
      dashboard_workers(1, "outboxd-api-dsh") {
  acceptor.emplace(*io);
  accept_retry.emplace(*io);
}

ServerState::~ServerState() {
  // Workers may still hold connections; they finish first, then the I/O objects go in dependency
  // order. Destroying the io_context destroys the handlers it still holds, and with them the last
  // references to their connections, whose destructors use `connections` (still alive here).
  db_workers.stop();
  probe_workers.stop();
  metrics_workers.stop();
  dashboard_workers.stop();
  acceptor.reset();
  accept_retry.reset();
  io.reset();
}

HttpServer::HttpServer(HttpServerOptions options, std::shared_ptr<ApiHandler> handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  std::string host, error;
  int port = 0;
  if (!parse_listen_address(options_.listen, host, port, error)) throw ApiBindError("api.listen: " + error);
  options_.max_connections = connections_within_descriptor_limit(options_.max_connections);
  state_ = std::make_shared<ServerState>(options_, handler_);
  ServerState &s = *state_;
  try {
    tcp::resolver resolver(*s.io);
    const auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive);
    const tcp::endpoint endpoint = results.begin()->endpoint();
    s.acceptor->open(endpoint.protocol());
    s.acceptor->set_option(net::socket_base::reuse_address(true));
    s.acceptor->bind(endpoint);
    s.acceptor->listen(net::socket_base::max_listen_connections);
    bound_ = endpoint_text(s.acceptor->local_endpoint());
  } catch (const std::exception &e) {
    state_.reset();
    throw ApiBindError("cannot listen on " + options_.listen + " (api.listen): " + e.what());
  }
  accept_next(s, std::make_shared<WarnThrottle>());
  io_thread_ = std::thread([state = state_] {
    for (;;) {
      try {
        state->io->run();
        return;
      } catch (const std::exception &e) {  // handlers do not throw; if one does, keep serving
        spdlog::error("api: I/O thread: {}", e.what());
      }
    }
  });
  pthread_setname_np(io_thread_.native_handle(), "outboxd-api-io");
}

void HttpServer::begin_stop() {
  if (!state_ || finished_) return;
  net::post(*state_->io, [s = state_] {
    s->stopping = true;
    boost::system::error_code ignored;
    s->acceptor->close(ignored);
    s->accept_retry->cancel();
    // Copy: a connection closing now may leave the set while we walk it.
    const std::vector<HttpConnection *> open(s->connections.begin(), s->connections.end());
    for (HttpConnection *c : open) c->stop_if_idle();
  });
}

bool HttpServer::wait_stopped(std::chrono::milliseconds timeout) {
  if (!state_ || finished_) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (state_->open_connections > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  finish();
  return true;
}

void HttpServer::stop() {
  if (!state_ || finished_) return;
  begin_stop();
  if (!wait_stopped(std::chrono::seconds(5))) {
    spdlog::warn("api: {} connection(s) still open after 5 s; closing them", state_->open_connections.load());
    finish();
  }
}

void HttpServer::finish() {
  if (finished_) return;
  finished_ = true;
  state_->io->stop();
  if (io_thread_.joinable()) io_thread_.join();
  state_.reset();
}

}  // namespace outboxd::api

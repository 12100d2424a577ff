// Pistache adapter for ApiHandler (STACK.md §4): typed headers only, JSON bodies, ReuseAddr.
#include "api/http_server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>

#include "core/config.hpp"

namespace outboxd::api {
namespace {

using namespace Pistache;

// Room for the request line and headers on top of the largest body, so that a body just over
// api.max_body_bytes still reaches ApiHandler and gets a JSON 413. Pistache itself answers a
// request larger than this with a plain-text 413.
constexpr std::size_t kHeaderAllowance = 16 * 1024;

// STACK.md §4: addRaw headers are dropped on output, so a typed header class.
class WwwAuthenticate : public Http::Header::Header {
 public:
  NAME("WWW-Authenticate")
  WwwAuthenticate() = default;
  explicit WwwAuthenticate(std::string v) : v_(std::move(v)) {}
  void parseRaw(const char *s, size_t n) override { v_.assign(s, n); }
  void write(std::ostream &os) const override { os << v_; }

 private:
  std::string v_;
};

// The Authorization header as sent: a typed header in Pistache 0.0.5, raw if it is not registered.
std::optional<std::string> authorization_of(const Http::Request &request) {
  if (auto typed = request.headers().tryGet<Http::Header::Authorization>()) return typed->value();
  if (auto raw = request.headers().tryGetRaw("Authorization")) return raw->value();
  return std::nullopt;
}

class PistacheAdapter : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheAdapter)
  explicit PistacheAdapter(std::shared_ptr<ApiHandler> handler) : handler_(std::move(handler)) {}

  void onRequest(const Http::Request &request, Http::ResponseWriter response) override {
    ApiRequest req;
    req.method = Http::methodString(request.method());
    req.path = request.resource();
    for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it)
      req.query[it->first] = it->second;
    if (auto ct = request.headers().tryGet<Http::Header::ContentType>()) req.content_type = ct->mime().toString();
    req.authorization = authorization_of(request);
    req.body = request.body();

    const ApiResponse res = handler_->handle(req);
    if (!res.allow.empty()) {
      std::vector<Http::Method> methods;
      for (const auto &m : res.allow) methods.push_back(m == "POST" ? Http::Method::Post : Http::Method::Get);
      response.headers().add<Http::Header::Allow>(methods);
    }
    if (res.www_authenticate) response.headers().add<WwwAuthenticate>("Bearer realm=\"outboxd\"");
    if (res.text) {
      response.send(static_cast<Http::Code>(res.status), *res.text,
                    Http::Mime::MediaType::fromString(res.text_content_type));
      return;
    }
    response.send(static_cast<Http::Code>(res.status),
                  res.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  MIME(Application, Json));
  }

 private:
  std::shared_ptr<ApiHandler> handler_;
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, std::shared_ptr<ApiHandler> handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  std::string host, error;
  int port = 0;
  if (!parse_listen_address(options_.listen, host, port, error)) throw ApiBindError("api.listen: " + error);
  try {
    Address addr(host.find(':') != std::string::npos ? "[" + host + "]" : host, Port(static_cast<uint16_t>(port)));
    endpoint_ = std::make_unique<Http::Endpoint>(addr);
    endpoint_->init(Http::Endpoint::options()
                        .threads(options_.threads)
                        .maxRequestSize(options_.max_body_bytes + kHeaderAllowance)
                        .flags(Tcp::Options::ReuseAddr)
                        .headerTimeout(std::chrono::seconds(10))
                        .bodyTimeout(std::chrono::seconds(30)));
    endpoint_->setHandler(Http::make_handler<PistacheAdapter>(handler_));
    endpoint_->serveThreaded();
  } catch (const std::exception &e) {
    endpoint_.reset();
    throw ApiBindError("cannot listen on " + options_.listen + " (api.listen): " + e.what());
  }
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bound_ = shown + ":" + std::to_string(static_cast<uint16_t>(endpoint_->getPort()));
}

void HttpServer::stop() {
  if (!endpoint_) return;
  endpoint_->shutdown();
  endpoint_.reset();
}

}  // namespace outboxd::api

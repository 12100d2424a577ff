// The conformance suite's peers: thin wrappers over the real servers in tests/support, so that what
// "delivered" means is asked of the receiver, never of the plugin.
#include "tests/plugins/conformance_peers.hpp"

#include "tests/support/daemon_process.hpp"
#include "tests/support/redis_peer.hpp"
#include "tests/support/smtp_peer.hpp"
#include "tests/support/webhook_peer.hpp"

namespace outboxd::test {
namespace {

class FilePeer : public ConformancePeer {
 public:
  explicit FilePeer(std::string key) : key_(std::move(key)) {}
  nlohmann::json config() const override { return {{key_, file_}}; }
  std::optional<std::size_t> delivered() const override { return read_lines(file_).size(); }

 private:
  std::string key_;
  TempDir dir_;
  std::string file_ = dir_.file("delivered.lines");
};

class NoPeer : public ConformancePeer {
 public:
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::optional<std::size_t> delivered() const override { return std::nullopt; }
};

class WebhookPeer : public ConformancePeer {
 public:
  // allow_private_networks: the receiver is on loopback, which the SSRF guard refuses by default.
  nlohmann::json config() const override { return {{"url", url_}, {"allow_private_networks", true}}; }
  std::optional<std::size_t> delivered() const override { return receiver_->requests().size(); }
  bool take_down() override {
    receiver_.reset();  // kills the receiver: its port refuses connections
    return true;
  }

 private:
  std::unique_ptr<WebhookReceiver> receiver_ = std::make_unique<WebhookReceiver>();
  std::string url_ = receiver_->url("/conformance");
};

class SmtpServerPeer : public ConformancePeer {
 public:
  nlohmann::json config() const override {
    return {{"host", "127.0.0.1"}, {"port", server_.port()}, {"tls", "none"}};
  }
  std::optional<std::size_t> delivered() const override { return server_.count(); }
  bool take_down() override {
    server_.stop();
    return true;
  }

 private:
  TempDir dir_;
  SmtpPeer server_{dir_.path()};
};

class RedisServerPeer : public ConformancePeer {
 public:
  nlohmann::json config() const override {
    return {{"address", redis_.address()}, {"task_type", "conformance"}};
  }
  // Every task the plugin enqueues lands in the default queue's pending list.
  std::optional<std::size_t> delivered() const override {
    RedisClient client(redis_.port());
    return static_cast<std::size_t>(client.integer({"LLEN", "asynq:{default}:pending"}));
  }
  bool take_down() override {
    redis_.stop();
    return true;
  }

 private:
  RedisPeer redis_;
};

}  // namespace

std::unique_ptr<ConformancePeer> start_file(const std::string &key) { return std::make_unique<FilePeer>(key); }
std::unique_ptr<ConformancePeer> start_nothing() { return std::make_unique<NoPeer>(); }
std::unique_ptr<ConformancePeer> start_webhook_receiver() { return std::make_unique<WebhookPeer>(); }
std::unique_ptr<ConformancePeer> start_smtp_server() { return std::make_unique<SmtpServerPeer>(); }
std::unique_ptr<ConformancePeer> start_redis_server() { return std::make_unique<RedisServerPeer>(); }

}  // namespace outboxd::test

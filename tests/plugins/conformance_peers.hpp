// The real peer each plugin delivers to, as the conformance suite sees it: a config aimed at it, a
// count of what really arrived, and a way to take it down. One factory per shipped plugin.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace outboxd::test {

class ConformancePeer {
 public:
  virtual ~ConformancePeer() = default;
  // The smallest config init() accepts, aimed at this peer.
  virtual nlohmann::json config() const = 0;
  // How many messages have reached the peer so far; nullopt for a plugin with nothing to ask (null
  // discards by design).
  virtual std::optional<std::size_t> delivered() const = 0;
  // Makes the peer unreachable; false when the plugin has no peer that can go away (a file).
  virtual bool take_down() { return false; }
};

// Each starts its peer (a process where there is one) and stops it when destroyed.
// A file in a temp directory, named by config key `key`, one line per message: log and example
// ("path"), the scripted fixture ("record").
std::unique_ptr<ConformancePeer> start_file(const std::string &key);
std::unique_ptr<ConformancePeer> start_nothing();           // null
std::unique_ptr<ConformancePeer> start_webhook_receiver();  // tests/support/webhook_peer.*
std::unique_ptr<ConformancePeer> start_smtp_server();       // tests/support/smtp_peer.* (aiosmtpd)
std::unique_ptr<ConformancePeer> start_redis_server();      // tests/support/redis_peer.* (asynq)

}  // namespace outboxd::test

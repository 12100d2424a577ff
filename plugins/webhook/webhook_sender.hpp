// Delivers webhook requests concurrently with the curl multi interface, reusing connections.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "outboxd/plugin.h"
#include "webhook_config.hpp"

namespace outboxd::webhook {

struct WebhookSession;  // one curl multi handle and its connection cache

// One destination's sender. Thread-safe: concurrent send_batch() calls (several workers) each take
// a session of their own from a pool, so a session is never used by two threads at once, and its
// connections stay open between calls. max_concurrent_requests bounds the requests in flight across
// all calls of this instance together.
class WebhookSender {
 public:
  using Log = std::function<void(int level, const std::string &message)>;
  WebhookSender(WebhookConfig config, Log log);
  ~WebhookSender();
  WebhookSender(const WebhookSender &) = delete;
  WebhookSender &operator=(const WebhookSender &) = delete;

  // Sends msgs[0..count) and fills results[i] for msgs[i]; returns within the largest
  // msgs[i].timeout_ms (a request still waiting for a free slot at its deadline is not started
  // and is reported as RETRY). Never throws.
  void send_batch(const outboxd_message *const *msgs, outboxd_result *const *results, std::size_t count) noexcept;

  const WebhookConfig &config() const { return config_; }

 private:
  std::unique_ptr<WebhookSession> take_session();
  void give_back(std::unique_ptr<WebhookSession> session);
  // Slots are handed out fairly: a call that found none queues, and a freed slot goes to the call
  // at the front of the queue (woken from its curl poll), so no worker starves another.
  bool try_take_slot(WebhookSession &caller);
  void give_back_slot();
  void leave_slot_queue(WebhookSession &caller);
  void wait_for_slot(WebhookSession &caller, int max_ms);
  void run(WebhookSession &session, const outboxd_message *const *msgs, outboxd_result *const *results,
           std::size_t count);

  const WebhookConfig config_;
  const Log log_;
  std::mutex sessions_mutex_;
  std::vector<std::unique_ptr<WebhookSession>> idle_sessions_;
  std::mutex slots_mutex_;
  std::condition_variable slot_freed_;
  int free_slots_;
  std::deque<WebhookSession *> slot_queue_;  // calls waiting for a slot, first come first served
};

}  // namespace outboxd::webhook

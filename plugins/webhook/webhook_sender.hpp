// Delivers webhook requests concurrently with the curl multi interface, reusing connections.
#pragma once

#include <curl/curl.h>
#include <sys/socket.h>

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
// The shortest budget a request may be started with: the larger of 1 s and a quarter of the
// request's whole budget (min(request_timeout_ms, timeout_ms)), but at most half of it. A
// request started with less would likely time out after the receiver got it, and its retry would
// be a duplicate; the message waits for the next batch instead.
long webhook_min_start_budget_ms(long full_budget_ms);

// Why the SSRF guard refuses an address, "" to allow it (webhook_blocked_reason in production).
using WebhookAddressGuard = std::function<std::string(const sockaddr *)>;

// What the tests may change about a sender. Production uses the defaults; a test changes only
// which addresses a name resolves to and which the guard refuses, never the code that applies them.
struct WebhookSenderHooks {
  WebhookAddressGuard guard;         // empty: webhook_blocked_reason
  std::vector<std::string> resolve;  // CURLOPT_RESOLVE entries ("host:port:addr,addr")
};

class WebhookSender {
 public:
  using Log = std::function<void(int level, const std::string &message)>;
  WebhookSender(WebhookConfig config, Log log, WebhookSenderHooks hooks = {});
  ~WebhookSender();
  WebhookSender(const WebhookSender &) = delete;
  WebhookSender &operator=(const WebhookSender &) = delete;

  // Sends msgs[0..count) and fills results[i] for msgs[i]; returns within the largest
  // msgs[i].timeout_ms. Each request is timestamped and signed when it gets its slot. A request
  // that would start with less than webhook_min_start_budget_ms of its budget left is not
  // started and is reported as RETRY (retry_after_ms 0: the receiver never saw it). Never throws.
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
  const WebhookSenderHooks hooks_;
  curl_slist *resolve_ = nullptr;  // hooks_.resolve for curl
  std::mutex sessions_mutex_;
  std::vector<std::unique_ptr<WebhookSession>> idle_sessions_;
  std::mutex slots_mutex_;
  std::condition_variable slot_freed_;
  int free_slots_;
  std::deque<WebhookSession *> slot_queue_;  // calls waiting for a slot, first come first served
};

}  // namespace outboxd::webhook

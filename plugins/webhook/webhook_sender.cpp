// The curl multi loop: starts requests up to the slot limit, collects answers, classifies them.
#include "webhook_sender.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <stdexcept>

#include "common/curl_features.hpp"
#include "common/error_text.hpp"
#include "webhook_outcome.hpp"
#include "webhook_request.hpp"
#include "webhook_ssrf.hpp"

namespace outboxd::webhook {

using Clock = std::chrono::steady_clock;

struct WebhookSession {
  CURLM *multi = nullptr;
  explicit WebhookSession(long max_connections) {
    multi = curl_multi_init();
    if (multi == nullptr) throw std::runtime_error("curl_multi_init failed");
    // Keep as many idle connections as requests may be in flight, so a batch after a batch
    // reuses them rather than reconnecting (curl's default cache is smaller for a single handle).
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max_connections);
  }
  ~WebhookSession() { curl_multi_cleanup(multi); }
  WebhookSession(const WebhookSession &) = delete;
  WebhookSession &operator=(const WebhookSession &) = delete;
};

namespace {

// One request in flight: everything its curl callbacks write into.
struct Transfer {
  std::size_t index = 0;
  CURL *easy = nullptr;
  curl_slist *headers = nullptr;
  const WebhookConfig *config = nullptr;
  const WebhookAddressGuard *guard = nullptr;  // nullptr: the guard is off (allowed or proxied)
  WebhookRequest request;
  HttpAnswer answer;
  GuardRecord guarded;  // what the SSRF guard refused and let through for this request
  long budget_ms = 0;
  char curl_error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

void set_result(outboxd_result &result, outboxd_status status, std::int64_t retry_after_ms, const std::string &error) {
  result.status = status;
  result.retry_after_ms = status == OUTBOXD_RETRY ? retry_after_ms : -1;
  plugin_common::write_result_error(result, error);
}

size_t webhook_on_body(char *data, size_t size, size_t nmemb, void *user) {
  auto *t = static_cast<Transfer *>(user);
  const size_t n = size * nmemb;
  // Only the start is kept (for the error history); the rest is read and dropped so the
  // connection stays reusable.
  const size_t keep = std::min(n, webhook_body_excerpt_bytes * 2 > t->answer.body_start.size()
                                      ? webhook_body_excerpt_bytes * 2 - t->answer.body_start.size()
                                      : size_t{0});
  t->answer.body_start.append(data, keep);
  return n;
}

size_t webhook_on_header(char *data, size_t size, size_t nmemb, void *user) {
  auto *t = static_cast<Transfer *>(user);
  const size_t n = size * nmemb;
  std::string_view line(data, n);
  // A new status line (after a 1xx, or a proxy's CONNECT answer) starts a new set of headers.
  if (line.rfind("HTTP/", 0) == 0) {
    t->answer.retry_after.clear();
    t->answer.location.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (auto &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  if (name == "retry-after") t->answer.retry_after.assign(value);
  else if (name == "location") t->answer.location.assign(value);
  return n;
}

// The SSRF guard: curl calls this instead of socket(2) with the address it is about to connect to,
// after DNS, for every address it tries. Refusing returns CURL_SOCKET_BAD before any packet is
// sent, and curl goes on to the name's next address, if any.
curl_socket_t webhook_open_socket(void *user, curlsocktype purpose, curl_sockaddr *address) {
  auto *t = static_cast<Transfer *>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && t->guard != nullptr) {
    const std::string reason = (*t->guard)(&address->addr);
    if (!reason.empty()) {
      if (!t->guarded.refused.empty()) t->guarded.refused += ", ";
      t->guarded.refused += webhook_address_text(&address->addr) + " (" + reason + ")";
      return CURL_SOCKET_BAD;
    }
    ++t->guarded.allowed_connects;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// After an exception: every message still marked "not sent" by run() is retried with the reason.
void fail_unsent(outboxd_result *const *results, std::size_t count, const std::string &why) noexcept {
  for (std::size_t i = 0; i < count; ++i)
    if (results[i]->error != nullptr && std::strcmp(results[i]->error, "not sent") == 0)
      set_result(*results[i], OUTBOXD_RETRY, -1, why);
}

// Sets up the easy handle for one request; false (with `error`) when curl refuses an option.
bool configure(Transfer &t, const outboxd_message &msg, long budget_ms, curl_slist *resolve, std::string &error) {
  const WebhookConfig &c = *t.config;
  t.easy = curl_easy_init();
  if (t.easy == nullptr) return error = "curl_easy_init failed", false;
  for (const auto &line : t.request.header_lines) {
    curl_slist *next = curl_slist_append(t.headers, line.c_str());
    if (next == nullptr) return error = "out of memory building headers", false;
    t.headers = next;
  }
  CURL *e = t.easy;
  t.budget_ms = budget_ms;
  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(plugin_common::restrict_curl_protocols(e, "http,https", CURLPROTO_HTTP | CURLPROTO_HTTPS));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));  // never: a redirect could lead anywhere
  // Size first: with COPYPOSTFIELDS/POSTFIELDS before it, curl waits for a body that never comes.
  set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(msg.payload_len)));
  set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, msg.payload));  // valid for the whole call
  if (c.method != "POST") set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c.method.c_str()));
  set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers));
  static const std::string user_agent = webhook_user_agent();
  set(curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str()));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, budget_ms));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min(budget_ms, c.connect_timeout_ms)));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &webhook_on_body));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &webhook_on_header));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &webhook_open_socket));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.curl_error));
  set(curl_easy_setopt(e, CURLOPT_PRIVATE, &t));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c.tls_verify ? 1L : 0L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c.tls_verify ? 2L : 0L));
  if (!c.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, c.ca_file.c_str()));
  if (!c.client_cert.empty()) {
    set(curl_easy_setopt(e, CURLOPT_SSLCERT, c.client_cert.c_str()));
    set(curl_easy_setopt(e, CURLOPT_SSLKEY, c.client_key.c_str()));
  }
  // "" rather than unset: curl would otherwise take a proxy from http_proxy/https_proxy in the
  // daemon's environment, and the SSRF guard must know whether a proxy is in the path.
  set(curl_easy_setopt(e, CURLOPT_PROXY, c.proxy.c_str()));
  if (resolve != nullptr) set(curl_easy_setopt(e, CURLOPT_RESOLVE, resolve));
  if (rc != CURLE_OK) return error = std::string("curl refused an option: ") + curl_easy_strerror(rc), false;
  return true;
}

// The outcome of a finished transfer: what the request that was actually made got.
Verdict finish(Transfer &t, CURLcode code) {
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    t.answer.status = status;
  }
  return webhook_classify_finished(code, t.answer, t.guarded, t.curl_error, t.budget_ms, std::time(nullptr));
}

}  // namespace

long webhook_min_start_budget_ms(long full_budget_ms) {
  // At most half the budget, so a short timeout_ms (300 ms) still starts its first requests.
  return std::min(full_budget_ms / 2, std::max(1000L, full_budget_ms / 4));
}

WebhookSender::WebhookSender(WebhookConfig config, Log log, WebhookSenderHooks hooks)
    : config_(std::move(config)), log_(std::move(log)), hooks_(std::move(hooks)), free_slots_(config_.max_concurrent_requests) {
  for (const auto &entry : hooks_.resolve) {
    curl_slist *next = curl_slist_append(resolve_, entry.c_str());
    if (next == nullptr) {
      curl_slist_free_all(resolve_);
      throw std::bad_alloc();
    }
    resolve_ = next;
  }
}

WebhookSender::~WebhookSender() {
  // Sessions first: their cached connections may still refer to the resolve list.
  idle_sessions_.clear();
  curl_slist_free_all(resolve_);
}

std::unique_ptr<WebhookSession> WebhookSender::take_session() {
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    if (!idle_sessions_.empty()) {
      auto s = std::move(idle_sessions_.back());
      idle_sessions_.pop_back();
      return s;
    }
  }
  return std::make_unique<WebhookSession>(config_.max_concurrent_requests);
}

void WebhookSender::give_back(std::unique_ptr<WebhookSession> session) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  idle_sessions_.push_back(std::move(session));
}

bool WebhookSender::try_take_slot(WebhookSession &caller) {
  std::lock_guard<std::mutex> lock(slots_mutex_);
  const bool queued = std::find(slot_queue_.begin(), slot_queue_.end(), &caller) != slot_queue_.end();
  if (free_slots_ == 0 || (!slot_queue_.empty() && slot_queue_.front() != &caller)) {
    if (!queued) slot_queue_.push_back(&caller);
    return false;
  }
  --free_slots_;
  if (queued) slot_queue_.erase(std::find(slot_queue_.begin(), slot_queue_.end(), &caller));
  return true;
}

void WebhookSender::give_back_slot() {
  {
    std::lock_guard<std::mutex> lock(slots_mutex_);
    ++free_slots_;
    // The call whose turn it is may be asleep in curl_multi_poll; curl_multi_wakeup is the one
    // multi function that may be called from another thread.
    if (!slot_queue_.empty()) curl_multi_wakeup(slot_queue_.front()->multi);
  }
  slot_freed_.notify_all();
}

void WebhookSender::leave_slot_queue(WebhookSession &caller) {
  {
    std::lock_guard<std::mutex> lock(slots_mutex_);
    const auto it = std::find(slot_queue_.begin(), slot_queue_.end(), &caller);
    if (it == slot_queue_.end()) return;
    slot_queue_.erase(it);
    if (!slot_queue_.empty() && free_slots_ > 0) curl_multi_wakeup(slot_queue_.front()->multi);
  }
  slot_freed_.notify_all();
}

void WebhookSender::wait_for_slot(WebhookSession &caller, int max_ms) {
  std::unique_lock<std::mutex> lock(slots_mutex_);
  slot_freed_.wait_for(lock, std::chrono::milliseconds(max_ms), [this, &caller] {
    return free_slots_ > 0 && (slot_queue_.empty() || slot_queue_.front() == &caller);
  });
}

void WebhookSender::send_batch(const outboxd_message *const *msgs, outboxd_result *const *results, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i)
    // Every result starts as "not sent"; only a finished transfer or a refusal overwrites it.
    set_result(*results[i], OUTBOXD_RETRY, -1, "not sent");
  std::unique_ptr<WebhookSession> session;
  try {
    session = take_session();
    run(*session, msgs, results, count);
    give_back(std::move(session));
  } catch (const std::exception &e) {
    fail_unsent(results, count, std::string("webhook: ") + e.what());
  } catch (...) {
    fail_unsent(results, count, "webhook: unknown exception");
  }
}

void WebhookSender::run(WebhookSession &session, const outboxd_message *const *msgs, outboxd_result *const *results,
                        std::size_t count) {
  const auto started = Clock::now();
  // The guard of this call: off with allow_private_networks, and through a proxy, where the
  // address curl connects to is the proxy's, which the operator chose (the URL's host was judged
  // by webhook_choose_url). This host's addresses are read once per call (and cached for a second).
  const auto own = webhook_host_addresses();
  const WebhookAddressGuard production = [&own](const sockaddr *a) { return webhook_blocked_reason(a, *own); };
  const WebhookAddressGuard *guard = config_.allow_private_networks || !config_.proxy.empty() ? nullptr
                                     : hooks_.guard                                            ? &hooks_.guard
                                                                                               : &production;
  std::deque<std::size_t> waiting;
  for (std::size_t i = 0; i < count; ++i) waiting.push_back(i);
  std::vector<std::unique_ptr<Transfer>> active(count);
  std::size_t in_flight = 0;
  // Whatever way this returns, no handle stays in the session's multi and every slot comes back.
  struct Cleanup {
    WebhookSender &self;
    WebhookSession &session;
    std::vector<std::unique_ptr<Transfer>> &active;
    ~Cleanup() {
      self.leave_slot_queue(session);
      for (auto &t : active)
        if (t) {
          curl_multi_remove_handle(session.multi, t->easy);
          t.reset();
          self.give_back_slot();
        }
    }
  } cleanup{*this, session, active};
  const auto budget_of = [&](std::size_t i) -> long { return msgs[i]->timeout_ms > 0 ? msgs[i]->timeout_ms : 10000; };

  while (!waiting.empty() || in_flight > 0) {
    // Start what the slots allow.
    while (!waiting.empty()) {
      const std::size_t i = waiting.front();
      const long left_ms = budget_of(i) - static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              Clock::now() - started).count());
      const long full_ms = config_.request_timeout_ms > 0 ? std::min(config_.request_timeout_ms, budget_of(i)) : budget_of(i);
      const long min_ms = webhook_min_start_budget_ms(full_ms);
      if (left_ms < min_ms) {
        // Not an attempt at the receiver: it never saw this message, so it may come back at once.
        set_result(*results[i], OUTBOXD_RETRY, 0,
                   "not sent: all " + std::to_string(config_.max_concurrent_requests) +
                       " request slots (max_concurrent_requests) stayed busy until " + std::to_string(std::max(0L, left_ms)) +
                       " ms of the " + std::to_string(budget_of(i)) + " ms budget (timeout_ms) were left, under the " +
                       std::to_string(min_ms) + " ms a request needs to start; the receiver never saw this attempt");
        waiting.pop_front();
        continue;
      }
      if (!try_take_slot(session)) break;
      waiting.pop_front();
      auto t = std::make_unique<Transfer>();
      t->index = i;
      t->config = &config_;
      t->guard = guard;
      std::string error;
      // Timestamped and signed now, as it starts: a request that waited for its slot must not
      // carry a time receivers already find stale (Standard Webhooks allow 5 minutes).
      const auto timestamp = static_cast<std::int64_t>(std::time(nullptr));
      if (!webhook_build_request(config_, *msgs[i], timestamp, t->request, error)) {
        set_result(*results[i], OUTBOXD_PERMANENT, -1, error);
        give_back_slot();
        continue;
      }
      const long budget = std::min(full_ms, left_ms);
      if (!configure(*t, *msgs[i], budget, resolve_, error) || curl_multi_add_handle(session.multi, t->easy) != CURLM_OK) {
        set_result(*results[i], OUTBOXD_RETRY, -1, error.empty() ? "curl_multi_add_handle failed" : error);
        give_back_slot();
        continue;
      }
      active[i] = std::move(t);
      ++in_flight;
    }

    // A call with nothing left to start must not hold the front of the queue.
    if (waiting.empty()) leave_slot_queue(session);
    if (in_flight == 0) {
      if (waiting.empty()) break;
      wait_for_slot(session, 50);  // other calls of this instance hold every slot, or go first
      continue;
    }

    int running = 0;
    curl_multi_perform(session.multi, &running);
    int queued = 0;
    bool freed_a_slot = false;
    while (CURLMsg *m = curl_multi_info_read(session.multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer *t = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
      const CURLcode code = m->data.result;
      const Verdict v = finish(*t, code);
      set_result(*results[t->index], v.status, v.retry_after_ms, v.error);
      curl_multi_remove_handle(session.multi, t->easy);
      active[t->index].reset();
      --in_flight;
      give_back_slot();
      freed_a_slot = true;
    }
    // A finished request makes room for a waiting one: start it now rather than after the poll.
    if (freed_a_slot && !waiting.empty()) continue;
    if (in_flight > 0 || !waiting.empty()) {
      // A slot freed by another call wakes this poll (give_back_slot); the timeout is a backstop.
      curl_multi_poll(session.multi, nullptr, 0, waiting.empty() ? 1000 : 50, nullptr);
    }
  }
}

}  // namespace outboxd::webhook

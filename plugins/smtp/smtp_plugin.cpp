// The smtp plugin's ABI glue: payload → email → SMTP, one kept-open connection per worker thread.
//
// Thread-safe (OUTBOXD_PLUGIN_THREAD_SAFE): every worker thread sends at once, each on a session
// taken from a pool and put back afterwards, so there are never more connections than threads
// sending at the same time, and each one is reused for the next message. Without the flag the host
// would serialise all workers through one instance, and so through one connection.
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/curl_features.hpp"
#include "common/curl_global.hpp"
#include "common/plugin_glue.hpp"
#include "outboxd/plugin.h"
#include "smtp_config.hpp"
#include "smtp_mime.hpp"
#include "smtp_outcome.hpp"
#include "smtp_payload.hpp"
#include "smtp_session.hpp"

namespace outboxd::smtp {

namespace {

// One configured destination.
struct SmtpState {
  const outboxd_host *host = nullptr;
  SmtpConfig config;
  std::string server;  // "host:port" for errors and logs
  std::mutex mutex;
  std::vector<std::unique_ptr<SmtpSession>> idle;  // sessions no thread is using

  std::unique_ptr<SmtpSession> take() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        auto s = std::move(idle.back());
        idle.pop_back();
        return s;
      }
    }
    return std::make_unique<SmtpSession>(config);
  }

  void give_back(std::unique_ptr<SmtpSession> session) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(std::move(session));
  }

  void log(int level, const std::string &line) const {
    if (host != nullptr && host->log != nullptr) host->log(host->ctx, level, line.c_str());
  }
};

using plugin_common::write_error;

int smtp_init(const outboxd_host *host, const char *config_json, void **state, char *error,
              std::size_t error_cap) noexcept {
  return plugin_common::guarded_init(state, error, error_cap, [&](std::string &message) {
    auto instance = std::make_unique<SmtpState>();
    instance->host = host;
    if (!smtp_parse_config(config_json, instance->config, message) || !plugin_common::curl_global_ready(message))
      return false;
    const auto &c = instance->config;
    // Refused here, where check-config shows it, rather than at every send.
    const char *scheme = c.tls == SmtpTls::Implicit ? "smtps" : "smtp";
    if (!plugin_common::curl_speaks(scheme)) {
      message = std::string("this system's libcurl (") + plugin_common::curl_runtime_version() + ") was built without " +
                scheme + "; install a full libcurl (on Fedora and RHEL, libcurl instead of libcurl-minimal: " +
                "dnf swap libcurl-minimal libcurl)";
      return false;
    }
    instance->server = c.host + ":" + std::to_string(c.port);
    instance->log(OUTBOXD_LOG_INFO,
                  "smtp " + instance->server + " tls " + smtp_tls_name(c.tls) +
                      (c.tls != SmtpTls::None && !c.tls_verify ? " (certificate NOT verified)" : "") +
                      (c.username.empty() ? ", no auth" : ", auth as " + c.username) +
                      (c.reuse_connection ? ", connections reused" : ", a new connection per message"));
    *state = instance.release();
    return true;
  });
}

// The send budget: the destination's timeout_ms, or the config's timeout_ms if that is smaller,
// less a small margin so the call returns in time.
long smtp_budget_ms(const SmtpConfig &c, const outboxd_message &msg) {
  long budget = msg.timeout_ms > 0 ? msg.timeout_ms : 10000;
  if (c.timeout_ms > 0 && c.timeout_ms < budget) budget = c.timeout_ms;
  const long margin = budget / 20 < 200 ? budget / 20 : 200;
  return budget - margin > 0 ? budget - margin : 1;
}

void smtp_send(void *state, const outboxd_message *msg, outboxd_result *result) noexcept {
  auto *s = static_cast<SmtpState *>(state);
  plugin_common::guarded_send("smtp", result, [&] {
    std::string error;
    const auto email = smtp_parse_payload(msg->payload, msg->payload_len, s->config.from, error);
    if (!email) {
      result->status = OUTBOXD_PERMANENT;
      write_error(result->error, result->error_cap, smtp_payload_refusal(error));
      return;
    }
    const std::string domain =
        s->config.message_id_domain.empty() ? email->from.domain() : s->config.message_id_domain;
    const std::string data =
        smtp_build_message(*email, smtp_message_id(msg->id, domain), std::time(nullptr));
    const long budget = smtp_budget_ms(s->config, *msg);
    const auto started = std::chrono::steady_clock::now();

    auto session = s->take();
    SmtpTransfer transfer = session->send(email->from.address, email->recipients(), data, budget, false);
    if (smtp_should_reconnect(transfer)) {
      const long spent = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count());
      if (budget - spent > 0) {
        s->log(OUTBOXD_LOG_DEBUG, "smtp " + s->server + ": kept connection was closed (" +
                                      transfer.curl_error + "), reconnecting");
        transfer = session->send(email->from.address, email->recipients(), data, budget - spent, true);
      }
    }
    s->give_back(std::move(session));

    const SmtpOutcome outcome = smtp_classify(transfer, s->server);
    result->status = outcome.status;
    write_error(result->error, result->error_cap, outcome.error);
    if (outcome.status == OUTBOXD_OK && !outcome.error.empty())
      s->log(OUTBOXD_LOG_WARN, std::string("message ") + msg->id + ": " + outcome.error);
  });
}

// validate(): the payload rules send() applies, with the destination's default from; no I/O.
int smtp_validate(void *state, const outboxd_message *msg, char *error, std::size_t error_cap) noexcept {
  return plugin_common::guarded_validate(error, error_cap, [&] {
    const auto *s = static_cast<const SmtpState *>(state);
    std::string why;
    return smtp_parse_payload(msg->payload, msg->payload_len, s->config.from, why) ? std::string()
                                                                                   : smtp_payload_refusal(why);
  });
}

void smtp_shutdown(void *state) noexcept { plugin_common::guarded_delete<SmtpState>(state); }

constexpr outboxd_plugin smtp_table = {
    OUTBOXD_PLUGIN_ABI_VERSION,
    sizeof(outboxd_plugin),
    "smtp",
    "1.0.0",
    OUTBOXD_PLUGIN_THREAD_SAFE,
    &smtp_init,
    &smtp_send,
    &smtp_shutdown,
    nullptr,  // send_batch: each worker already streams its batch over its own kept connection
    &smtp_validate,
};

}  // namespace

}  // namespace outboxd::smtp

extern "C" OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) {
  return &outboxd::smtp::smtp_table;
}

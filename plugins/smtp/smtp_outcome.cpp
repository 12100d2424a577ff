// Classifies one SMTP transfer (curl code, server replies) as delivered, retry or dead, with a line.
#include "smtp_outcome.hpp"

#include <curl/curl.h>

namespace outboxd::smtp {

namespace {

// Keeps errors within the host's one-line buffer even with many rejected recipients.
constexpr std::size_t smtp_max_error = 900;

std::string smtp_rcpt_list(const std::vector<const SmtpRcptReply *> &list) {
  std::string out;
  for (const auto *r : list) {
    std::string item = r->address + " (" + (r->line.empty() ? "no reply" : r->line) + ")";
    if (out.size() + item.size() + 2 > smtp_max_error - 80) {
      out += "; and " + std::to_string(list.size()) + " in all";
      break;
    }
    if (!out.empty()) out += "; ";
    out += item;
  }
  return out;
}

std::string smtp_after(const SmtpTransfer &t) {
  if (t.command.empty()) return "";
  if (t.command == "DATA") return " (after the message data)";
  if (t.command == "RCPT") return " (after RCPT TO)";
  if (t.command == "MAIL") return " (after MAIL FROM)";
  return " (after " + t.command + ")";
}

bool smtp_is_tls_verify_error(int code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR ||
         code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

SmtpOutcome smtp_make(outboxd_status status, std::string error) {
  if (error.size() > smtp_max_error) error = error.substr(0, smtp_max_error) + "...";
  return SmtpOutcome{status, std::move(error)};
}

}  // namespace

SmtpOutcome smtp_classify(const SmtpTransfer &t, const std::string &server) {
  const std::string prefix = "smtp " + server + ": ";
  std::vector<const SmtpRcptReply *> rejected;
  for (const auto &r : t.rcpts)
    if (r.code < 200 || r.code >= 300) rejected.push_back(&r);
  const std::size_t accepted = t.rcpts.size() - rejected.size();

  if (t.curl_code == CURLE_OK) {
    if (rejected.empty()) return {};
    return smtp_make(OUTBOXD_OK, prefix + "delivered to " + std::to_string(accepted) + " of " +
                                     std::to_string(t.rcpts.size()) +
                                     " recipients; rejected: " + smtp_rcpt_list(rejected));
  }
  if (t.curl_code == CURLE_LOGIN_DENIED) {
    const auto status = t.reply_code >= 500 ? OUTBOXD_PERMANENT : OUTBOXD_RETRY;
    return smtp_make(status, prefix + "authentication failed: " +
                                 (t.reply_line.empty() ? t.curl_error : t.reply_line));
  }
  if (!t.rcpts.empty() && accepted == 0 && t.command == "RCPT") {
    bool any_temporary = false;
    for (const auto *r : rejected)
      if (r->code < 500) any_temporary = true;
    return smtp_make(any_temporary ? OUTBOXD_RETRY : OUTBOXD_PERMANENT,
                     prefix + "every recipient was rejected: " + smtp_rcpt_list(rejected));
  }
  if (t.reply_code >= 500 && t.reply_code < 600)
    return smtp_make(OUTBOXD_PERMANENT, prefix + t.reply_line + smtp_after(t));
  if (t.reply_code >= 400 && t.reply_code < 500)
    return smtp_make(OUTBOXD_RETRY, prefix + t.reply_line + smtp_after(t));
  if (smtp_is_tls_verify_error(t.curl_code))
    return smtp_make(OUTBOXD_RETRY, prefix + "TLS certificate verification failed: " + t.curl_error);
  if (t.curl_code == CURLE_USE_SSL_FAILED)
    return smtp_make(OUTBOXD_RETRY, prefix + "the server does not offer STARTTLS, which tls: starttls "
                                             "requires (" + t.curl_error + ")");
  if (t.curl_code == CURLE_OPERATION_TIMEDOUT)
    return smtp_make(OUTBOXD_RETRY, prefix + "timed out: " + t.curl_error);
  if (t.curl_code == CURLE_COULDNT_CONNECT)
    return smtp_make(OUTBOXD_RETRY, prefix + "cannot connect: " + t.curl_error);
  return smtp_make(OUTBOXD_RETRY, prefix + t.curl_error);
}

bool smtp_should_reconnect(const SmtpTransfer &t) {
  if (!t.reused_connection || t.curl_code == CURLE_OK) return false;
  if (t.reply_code == 421) return true;
  return t.reply_line.empty() && (t.curl_code == CURLE_SEND_ERROR || t.curl_code == CURLE_RECV_ERROR ||
                                  t.curl_code == CURLE_GOT_NOTHING ||
                                  t.curl_code == CURLE_WEIRD_SERVER_REPLY);
}

}  // namespace outboxd::smtp

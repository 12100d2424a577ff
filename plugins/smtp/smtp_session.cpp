// One libcurl SMTP handle: keeps its connection open between messages and records the dialogue.
#include "smtp_session.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/curl_features.hpp"

namespace outboxd::smtp {

std::size_t smtp_read(char *buffer, std::size_t size, std::size_t n, void *self) {
  auto *s = static_cast<SmtpSession *>(self);
  const std::size_t left = s->data_->size() - s->offset_;
  const std::size_t take = std::min(left, size * n);
  std::memcpy(buffer, s->data_->data() + s->offset_, take);
  s->offset_ += take;
  return take;
}

namespace {

// Sees every command and reply (CURLOPT_VERBOSE routes them here, never to stderr). Only the
// verbs of commands are kept: an AUTH line carries credentials.
int smtp_debug(CURL *, curl_infotype type, char *data, std::size_t size, void *self) {
  if (type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT)
    static_cast<SmtpSession *>(self)->on_line(type == CURLINFO_HEADER_IN, data, size);
  return 0;
}

// Keep going when some RCPT TO are refused. curl 7.69 to 8.1 (Debian 12 has 7.88) spell it with
// three Ls; 8.2 fixed the name and kept the old one as a deprecated alias.
#if LIBCURL_VERSION_NUM >= 0x080200
constexpr CURLoption smtp_allowfails = CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
constexpr CURLoption smtp_allowfails = CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif

void smtp_check(CURLcode code, const char *what) {
  if (code != CURLE_OK) throw std::runtime_error(std::string("curl_easy_setopt(") + what + "): " + curl_easy_strerror(code));
}

}  // namespace

SmtpSession::SmtpSession(const SmtpConfig &config) : config_(config) {
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  const std::string url = smtp_url(config);
  smtp_check(curl_easy_setopt(curl_, CURLOPT_URL, url.c_str()), "URL");
  smtp_check(plugin_common::restrict_curl_protocols(curl_, "smtp,smtps", CURLPROTO_SMTP | CURLPROTO_SMTPS),
             "PROTOCOLS_STR");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_), "ERRORBUFFER");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L), "UPLOAD");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &smtp_read), "READFUNCTION");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_READDATA, this), "READDATA");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L), "VERBOSE");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, &smtp_debug), "DEBUGFUNCTION");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, this), "DEBUGDATA");
  smtp_check(curl_easy_setopt(curl_, smtp_allowfails, 1L), "MAIL_RCPT_ALLOWFAILS");
  smtp_check(curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L), "TCP_KEEPALIVE");
  if (config.tls == SmtpTls::StartTls)
    smtp_check(curl_easy_setopt(curl_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL)), "USE_SSL");
  if (config.tls != SmtpTls::None) {
    const long verify = config.tls_verify ? 1L : 0L;
    smtp_check(curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, verify), "SSL_VERIFYPEER");
    smtp_check(curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, verify * 2), "SSL_VERIFYHOST");
    if (!config.ca_file.empty()) smtp_check(curl_easy_setopt(curl_, CURLOPT_CAINFO, config.ca_file.c_str()), "CAINFO");
  }
  if (!config.username.empty()) {
    smtp_check(curl_easy_setopt(curl_, CURLOPT_USERNAME, config.username.c_str()), "USERNAME");
    smtp_check(curl_easy_setopt(curl_, CURLOPT_PASSWORD, config.password.c_str()), "PASSWORD");
    if (!config.auth_mechanism.empty()) {
      const std::string options = "AUTH=" + config.auth_mechanism;
      smtp_check(curl_easy_setopt(curl_, CURLOPT_LOGIN_OPTIONS, options.c_str()), "LOGIN_OPTIONS");
    }
  }
  if (!config.reuse_connection) smtp_check(curl_easy_setopt(curl_, CURLOPT_FORBID_REUSE, 1L), "FORBID_REUSE");
}

SmtpSession::~SmtpSession() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

void SmtpSession::on_line(bool from_server, const char *text, std::size_t len) {
  if (current_ == nullptr) return;  // QUIT at cleanup
  if (!from_server) {
    std::string verb(text, std::min<std::size_t>(len, 4));
    for (auto &c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (verb == "RCPT") {
      // "RCPT TO:<addr>..." -> addr, so the reply can be paired with its recipient.
      const std::string line(text, len);
      const auto open = line.find('<'), close = line.find('>');
      pending_rcpts_.push_back(open != std::string::npos && close != std::string::npos && close > open
                                   ? line.substr(open + 1, close - open - 1)
                                   : line);
    }
    // curl closes the connection with QUIT after a failure: its 221 must not hide the reply that
    // made the transfer fail.
    if (verb == "QUIT") {
      quitting_ = true;
      return;
    }
    if (verb == "EHLO" || verb == "HELO") verb = "EHLO";
    if (verb == "STAR") verb = "STARTTLS";
    current_->command = verb;
    return;
  }
  if (quitting_) return;
  partial_in_.append(text, len);
  std::size_t end;
  while ((end = partial_in_.find('\n')) != std::string::npos) {
    std::string line = partial_in_.substr(0, end);
    partial_in_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Only the last line of a multi-line reply ("250 x", not "250-x") completes it.
    if (line.size() < 3 || (line.size() > 3 && line[3] == '-')) continue;
    const int code = std::atoi(line.substr(0, 3).c_str());
    current_->reply_code = code;
    current_->reply_line = line;
    if (current_->command == "RCPT" && !pending_rcpts_.empty()) {
      current_->rcpts.push_back(SmtpRcptReply{pending_rcpts_.front(), code, line});
      pending_rcpts_.erase(pending_rcpts_.begin());
    }
  }
}

SmtpTransfer SmtpSession::send(const std::string &mail_from, const std::vector<std::string> &rcpts,
                               const std::string &data, long timeout_ms, bool fresh_connection) {
  SmtpTransfer transfer;
  current_ = &transfer;
  pending_rcpts_.clear();
  partial_in_.clear();
  quitting_ = false;
  data_ = &data;
  offset_ = 0;
  error_[0] = '\0';

  curl_slist *list = nullptr;
  for (const auto &r : rcpts) {
    curl_slist *next = curl_slist_append(list, ("<" + r + ">").c_str());
    if (next == nullptr) {
      curl_slist_free_all(list);
      current_ = nullptr;
      throw std::bad_alloc();
    }
    list = next;
  }
  const std::string from = "<" + mail_from + ">";
  curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, list);
  curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, config_.connect_timeout_ms));
  curl_easy_setopt(curl_, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L);
  // Also bounds the QUIT that curl_easy_cleanup sends on a kept connection: curl closes it through
  // an internal handle that copies this value (not TIMEOUT_MS) at each perform. The default is
  // 120 s, which a hung server would make a shutdown or reload wait.
  curl_easy_setopt(curl_, CURLOPT_SERVER_RESPONSE_TIMEOUT, (timeout_ms + 999) / 1000);

  const CURLcode code = curl_easy_perform(curl_);
  transfer.curl_code = code;
  transfer.curl_error = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
  long connects = 0;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &connects);
  transfer.reused_connection = connects == 0;
  if (transfer.reply_code == 0) {
    long response = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response);
    if (connects > 0) transfer.reply_code = static_cast<int>(response);
  }
  // Recipients sent but never answered (the connection broke) count as not accepted.
  for (const auto &r : pending_rcpts_) transfer.rcpts.push_back(SmtpRcptReply{r, 0, ""});
  pending_rcpts_.clear();

  // The list and the strings die here: curl must not keep pointers into them.
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, nullptr);
  curl_slist_free_all(list);
  current_ = nullptr;
  data_ = nullptr;
  return transfer;
}

}  // namespace outboxd::smtp

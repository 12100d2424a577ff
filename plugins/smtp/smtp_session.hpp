// One libcurl SMTP handle: keeps its connection open between messages and records the dialogue.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "smtp_config.hpp"
#include "smtp_outcome.hpp"

namespace outboxd::smtp {

// Not thread-safe: one thread uses a session at a time (the plugin hands each worker thread its
// own). The connection stays open after a send when config.reuse_connection is true, and curl
// opens a new one when the server has closed it meanwhile.
class SmtpSession {
 public:
  explicit SmtpSession(const SmtpConfig &config);  // throws std::runtime_error if curl fails
  ~SmtpSession();  // sends QUIT on an open connection
  SmtpSession(const SmtpSession &) = delete;
  SmtpSession &operator=(const SmtpSession &) = delete;

  // Sends `data` (a complete CRLF message) from `mail_from` to `rcpts` within timeout_ms. Some
  // recipients may be refused while the rest still get the message (CURLOPT_MAIL_RCPT_ALLOWFAILS).
  SmtpTransfer send(const std::string &mail_from, const std::vector<std::string> &rcpts,
                    const std::string &data, long timeout_ms, bool fresh_connection);

  // Called by curl's debug callback with each protocol line (public for that callback only).
  void on_line(bool from_server, const char *text, std::size_t len);

 private:
  const SmtpConfig &config_;
  CURL *curl_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
  std::vector<std::string> pending_rcpts_;  // RCPT TO sent, reply not yet seen
  std::string partial_in_;                  // a server line split across callbacks
  bool quitting_ = false;                   // QUIT sent: later replies are not about the message
  SmtpTransfer *current_ = nullptr;
  const std::string *data_ = nullptr;
  std::size_t offset_ = 0;

  friend std::size_t smtp_read(char *buffer, std::size_t size, std::size_t n, void *self);
};

}  // namespace outboxd::smtp

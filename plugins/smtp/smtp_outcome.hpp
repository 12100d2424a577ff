// Classifies one SMTP transfer (curl code, server replies) as delivered, retry or dead, with a line.
#pragma once

#include <string>
#include <vector>

#include "outboxd/plugin.h"

namespace outboxd::smtp {

// The server's reply to one RCPT TO.
struct SmtpRcptReply {
  std::string address;
  int code = 0;       // 0 when no reply arrived
  std::string line;   // the reply line, e.g. "550 5.1.1 <x@y>: mailbox unavailable"
};

// What happened on the wire during one send, as the session saw it.
struct SmtpTransfer {
  int curl_code = 0;              // CURLcode
  std::string curl_error;         // curl's error buffer, or its strerror text
  int reply_code = 0;             // the last reply's code (CURLINFO_RESPONSE_CODE), 0 if none
  std::string reply_line;         // the last complete reply line from the server
  std::string command;            // the last command sent ("MAIL", "RCPT", "DATA", "AUTH", ...)
  std::vector<SmtpRcptReply> rcpts;
  bool reused_connection = false;
};

struct SmtpOutcome {
  outboxd_status status = OUTBOXD_OK;
  std::string error;  // one line; may be non-empty with OK (rejected recipients)
};

// 2yz → OK (rejected recipients listed in error); 4yz, connection failures, timeouts and TLS
// failures → RETRY; 5yz (incl. 535 authentication failed) → PERMANENT. When every recipient was
// refused, any 4yz among them makes it RETRY. `server` ("mail.example.com:587") prefixes errors.
SmtpOutcome smtp_classify(const SmtpTransfer &transfer, const std::string &server);

// True when a failed transfer on a reused connection should be repeated once on a new one: the
// server closed the idle connection (no reply at all, or 421) before it could take the message.
bool smtp_should_reconnect(const SmtpTransfer &transfer);

}  // namespace outboxd::smtp

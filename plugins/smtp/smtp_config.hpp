// The smtp plugin's destination config: server, TLS, credentials, defaults, timeouts.
#pragma once

#include <string>

namespace outboxd::smtp {

enum class SmtpTls { None, StartTls, Implicit };

struct SmtpConfig {
  std::string host;                      // required
  int port = 0;                          // 0 until parsed: then 25 / 587 / 465 by `tls`
  SmtpTls tls = SmtpTls::StartTls;       // none | starttls (required, the default) | tls (implicit)
  bool tls_verify = true;                // verify the server's certificate and host name
  std::string ca_file;                   // PEM bundle to verify against instead of the system's
  std::string username;                  // AUTH when set
  std::string password;                  // resolved by the daemon (!env / !file); never logged
  std::string auth_mechanism;            // "" (any the server offers), "PLAIN" or "LOGIN"
  std::string from;                      // default From when the payload has none
  std::string helo_name;                 // EHLO name; "" means the machine's host name
  std::string message_id_domain;         // "" means the domain of the message's From address
  long connect_timeout_ms = 10000;       // TCP connect + greeting + EHLO + STARTTLS + AUTH
  long timeout_ms = 0;                   // whole send; 0 = the destination's timeout_ms
  bool reuse_connection = true;          // keep one connection per worker thread open
};

// Parses config_json (the destination's `config:` as JSON). On failure returns false with `error` = "key: reason" or
// "unknown key 'x' (known: ...)". Never throws.
bool smtp_parse_config(const char *config_json, SmtpConfig &config, std::string &error) noexcept;

// "smtp://host:port/helo" or "smtps://..." for curl; an IPv6 literal is bracketed.
std::string smtp_url(const SmtpConfig &config);

// "starttls" etc., for log lines.
const char *smtp_tls_name(SmtpTls tls);

}  // namespace outboxd::smtp

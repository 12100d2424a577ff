// Parses and validates the smtp plugin's config; unknown keys and wrong types are refused by name.
#include "smtp_config.hpp"

#include <unistd.h>

#include <functional>

#include "common/config_map.hpp"

#include "smtp_address.hpp"

namespace outboxd::smtp {

namespace {

using namespace plugin_common;

// A host name or IP literal: no scheme, no port, no path, nothing curl would read as URL syntax.
bool smtp_valid_host(const std::string &h) {
  for (char c : h) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Every string key of this plugin ends up in an SMTP command or URL: never empty, one line.
const StringRule smtp_text{"", "leave the key out for the default", true};

std::string smtp_host_refusal(const std::string &h) {
  return smtp_valid_host(h) ? "" : "'" + h + "' is not a host name or IP address (no scheme or port)";
}

// A host name without a port, for EHLO and Message-ID; `what` names it in the error.
std::function<std::string(const std::string &)> smtp_name_check(const char *what) {
  return [what](const std::string &h) {
    return smtp_valid_host(h) && h.find(':') == std::string::npos ? "" : "'" + h + "' is not a " + what;
  };
}

// The one table of keys: accepted keys, their checks and the "known:" list in errors.
const ConfigMap<SmtpConfig> smtp_config_map = {
    required(string_key("host", &SmtpConfig::host, smtp_text, smtp_host_refusal),
             "the SMTP server's name or address"),
    int_key("port", &SmtpConfig::port, 1, 65535),
    choice_key<SmtpConfig, SmtpTls>("tls", &SmtpConfig::tls,
                                    {{"none", SmtpTls::None}, {"starttls", SmtpTls::StartTls}, {"tls", SmtpTls::Implicit}}),
    bool_key("tls_verify", &SmtpConfig::tls_verify),
    string_key("ca_file", &SmtpConfig::ca_file, smtp_text,
               [](const std::string &f) { return ::access(f.c_str(), R_OK) == 0 ? "" : "cannot read '" + f + "'"; }),
    string_key("username", &SmtpConfig::username, smtp_text),
    // Written as `password: !env NAME` or `!file /path`: the daemon resolves the tag, so the secret
    // is never in the file, and it is never logged or put into an error here.
    custom_key<SmtpConfig>("password",
                           [](const nlohmann::json &v, SmtpConfig &c) {
                             if (!v.is_string() || v.get<std::string>().empty())
                               config_fail("password", "must be a non-empty string (e.g. !env SMTP_PASSWORD or !file /path)");
                             c.password = v.get<std::string>();
                           }),
    custom_key<SmtpConfig>("auth_mechanism",
                           [](const nlohmann::json &v, SmtpConfig &c) {
                             const std::string m = config_string("auth_mechanism", v);
                             if (m == "PLAIN" || m == "plain") c.auth_mechanism = "PLAIN";
                             else if (m == "LOGIN" || m == "login") c.auth_mechanism = "LOGIN";
                             else config_fail("auth_mechanism", "'" + m + "' is not one of PLAIN, LOGIN");
                           }),
    string_key("from", &SmtpConfig::from, smtp_text,
               [](const std::string &f) {
                 std::string reason;
                 return smtp_parse_address(f, reason) ? std::string() : reason;
               }),
    string_key("helo_name", &SmtpConfig::helo_name, smtp_text, smtp_name_check("host name")),
    string_key("message_id_domain", &SmtpConfig::message_id_domain, smtp_text, smtp_name_check("domain")),
    int_key("connect_timeout_ms", &SmtpConfig::connect_timeout_ms, 1, 600000),
    int_key("timeout_ms", &SmtpConfig::timeout_ms, 1, 600000),
    bool_key("reuse_connection", &SmtpConfig::reuse_connection),
};

void smtp_parse(const nlohmann::json &j, SmtpConfig &c) {
  smtp_config_map.read(j, c);
  if (!j.contains("port")) c.port = c.tls == SmtpTls::None ? 25 : c.tls == SmtpTls::StartTls ? 587 : 465;
  if (c.username.empty() && !c.password.empty()) config_fail("username", "is required when a password is given");
  if (!c.username.empty() && c.password.empty())
    config_fail("username", "needs a password (password: !env NAME or !file /path)");
  if (!c.auth_mechanism.empty() && c.username.empty()) config_fail("auth_mechanism", "needs username and a password");
  if (c.helo_name.empty()) {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') c.helo_name = name;
    if (!smtp_valid_host(c.helo_name) || c.helo_name.find(':') != std::string::npos) c.helo_name = "localhost";
  }
}

}  // namespace

bool smtp_parse_config(const char *config_json, SmtpConfig &config, std::string &error) noexcept {
  return parse_json_config(config_json, error, [&config](const nlohmann::json &root) { smtp_parse(root, config); });
}

std::string smtp_url(const SmtpConfig &c) {
  const std::string host = c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host;
  return std::string(c.tls == SmtpTls::Implicit ? "smtps://" : "smtp://") + host + ":" +
         std::to_string(c.port) + "/" + c.helo_name;
}

const char *smtp_tls_name(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::None:
      return "none";
    case SmtpTls::StartTls:
      return "starttls";
    case SmtpTls::Implicit:
      return "tls";
  }
  return "?";
}

}  // namespace outboxd::smtp

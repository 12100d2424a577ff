// Parses and validates the smtp plugin's config; unknown keys and wrong types are refused by name.
#include "smtp_config.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "smtp_address.hpp"

namespace outboxd::smtp {

namespace {

using nlohmann::json;

// The one list of keys, so the "known:" list in errors cannot drift from what is accepted.
constexpr const char *smtp_known_keys =
    "host, port, tls, tls_verify, ca_file, username, password, auth_mechanism, "
    "from, helo_name, message_id_domain, connect_timeout_ms, timeout_ms, reuse_connection";

struct Failure {
  std::string message;
};

std::string smtp_cfg_string(const json &v, const std::string &key) {
  if (!v.is_string()) throw Failure{key + ": must be a string, got " + v.type_name()};
  std::string s = v.get<std::string>();
  if (s.empty()) throw Failure{key + ": must not be empty (leave the key out for the default)"};
  if (s.find_first_of("\r\n") != std::string::npos) throw Failure{key + ": must not contain CR or LF"};
  return s;
}

bool smtp_cfg_bool(const json &v, const std::string &key) {
  if (!v.is_boolean()) throw Failure{key + ": must be true or false, got " + v.type_name()};
  return v.get<bool>();
}

long smtp_cfg_int(const json &v, const std::string &key, long min, long max) {
  if (!v.is_number_integer()) throw Failure{key + ": must be an integer, got " + v.type_name()};
  const auto n = v.get<long long>();
  if (n < min || n > max)
    throw Failure{key + ": " + std::to_string(n) + " is out of range " + std::to_string(min) + ".." +
                  std::to_string(max)};
  return static_cast<long>(n);
}

// A host name or IP literal: no scheme, no port, no path, nothing curl would read as URL syntax.
bool smtp_valid_host(const std::string &h) {
  for (char c : h) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void smtp_parse(const json &j, SmtpConfig &c) {
  if (!j.is_object()) throw Failure{std::string("config must be a JSON object, got ") + j.type_name()};
  bool port_given = false;
  for (const auto &[key, v] : j.items()) {
    if (key == "host") {
      c.host = smtp_cfg_string(v, key);
      if (!smtp_valid_host(c.host))
        throw Failure{"host: '" + c.host + "' is not a host name or IP address (no scheme or port)"};
    } else if (key == "port") {
      c.port = static_cast<int>(smtp_cfg_int(v, key, 1, 65535));
      port_given = true;
    } else if (key == "tls") {
      const std::string t = smtp_cfg_string(v, key);
      if (t == "none") c.tls = SmtpTls::None;
      else if (t == "starttls") c.tls = SmtpTls::StartTls;
      else if (t == "tls") c.tls = SmtpTls::Implicit;
      else throw Failure{"tls: '" + t + "' is not one of none, starttls, tls"};
    } else if (key == "tls_verify") {
      c.tls_verify = smtp_cfg_bool(v, key);
    } else if (key == "ca_file") {
      c.ca_file = smtp_cfg_string(v, key);
      if (::access(c.ca_file.c_str(), R_OK) != 0) throw Failure{"ca_file: cannot read '" + c.ca_file + "'"};
    } else if (key == "username") {
      c.username = smtp_cfg_string(v, key);
    } else if (key == "password") {
      // Written as `password: !env NAME` or `!file /path`: the daemon resolves the tag, so the
      // secret is never in the file, and it is never logged or put into an error here.
      if (!v.is_string() || v.get<std::string>().empty())
        throw Failure{"password: must be a non-empty string (e.g. !env SMTP_PASSWORD or !file /path)"};
      c.password = v.get<std::string>();
    } else if (key == "auth_mechanism") {
      const std::string m = smtp_cfg_string(v, key);
      if (m == "PLAIN" || m == "plain") c.auth_mechanism = "PLAIN";
      else if (m == "LOGIN" || m == "login") c.auth_mechanism = "LOGIN";
      else throw Failure{"auth_mechanism: '" + m + "' is not one of PLAIN, LOGIN"};
    } else if (key == "from") {
      c.from = smtp_cfg_string(v, key);
      std::string reason;
      if (!smtp_parse_address(c.from, reason)) throw Failure{"from: " + reason};
    } else if (key == "helo_name") {
      c.helo_name = smtp_cfg_string(v, key);
      if (!smtp_valid_host(c.helo_name) || c.helo_name.find(':') != std::string::npos)
        throw Failure{"helo_name: '" + c.helo_name + "' is not a host name"};
    } else if (key == "message_id_domain") {
      c.message_id_domain = smtp_cfg_string(v, key);
      if (!smtp_valid_host(c.message_id_domain) || c.message_id_domain.find(':') != std::string::npos)
        throw Failure{"message_id_domain: '" + c.message_id_domain + "' is not a domain"};
    } else if (key == "connect_timeout_ms") {
      c.connect_timeout_ms = smtp_cfg_int(v, key, 1, 600000);
    } else if (key == "timeout_ms") {
      c.timeout_ms = smtp_cfg_int(v, key, 1, 600000);
    } else if (key == "reuse_connection") {
      c.reuse_connection = smtp_cfg_bool(v, key);
    } else {
      throw Failure{"unknown key '" + key + "' (known: " + smtp_known_keys + ")"};
    }
  }
  if (c.host.empty()) throw Failure{"host: is required (the SMTP server's name or address)"};
  if (!port_given) c.port = c.tls == SmtpTls::None ? 25 : c.tls == SmtpTls::StartTls ? 587 : 465;
  if (c.username.empty() && !c.password.empty())
    throw Failure{"username: is required when a password is given"};
  if (!c.username.empty() && c.password.empty())
    throw Failure{"username: needs a password (password: !env NAME or !file /path)"};
  if (!c.auth_mechanism.empty() && c.username.empty())
    throw Failure{"auth_mechanism: needs username and a password"};
  if (c.helo_name.empty()) {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') c.helo_name = name;
    if (!smtp_valid_host(c.helo_name) || c.helo_name.find(':') != std::string::npos) c.helo_name = "localhost";
  }
}

}  // namespace

bool smtp_parse_config(const char *config_json, SmtpConfig &config, std::string &error) noexcept {
  try {
    const json j = json::parse(config_json != nullptr ? config_json : "{}", nullptr, false);
    if (j.is_discarded()) {
      error = "config is not valid JSON";
      return false;
    }
    smtp_parse(j, config);
    return true;
  } catch (const Failure &f) {
    error = f.message;
  } catch (const std::exception &e) {
    error = std::string("config could not be parsed: ") + e.what();
  } catch (...) {
    error = "config could not be parsed";
  }
  return false;
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

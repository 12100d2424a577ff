// Turns a message's JSON payload into an Email, refusing what could never be sent, by field.
#include "smtp_payload.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/message_json.hpp"
#include "smtp_encoding.hpp"

namespace outboxd::smtp {

namespace {

using nlohmann::json;

constexpr const char *smtp_payload_fields =
    "from, to, cc, bcc, reply_to, subject, text, html, content, headers, attachments";

// Headers the plugin writes itself: a payload may not set them through `headers`, because a second
// From or a hand-made Content-Type would contradict the message the plugin builds.
bool smtp_reserved_header(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> reserved = {
      "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
      "content-type", "content-transfer-encoding", "content-disposition"};
  return reserved.count(name) != 0;
}

// A header field name: printable ASCII except colon and space (RFC 5322 §2.2).
bool smtp_valid_header_name(const std::string &name) {
  if (name.empty() || name.size() > 76) return false;
  for (char c : name)
    if (c <= 0x20 || c >= 0x7f || c == ':') return false;
  return true;
}

struct Failure {
  std::string message;
};

std::string smtp_string(const json &v, const std::string &field) {
  if (!v.is_string()) throw Failure{field + ": must be a string, got " + v.type_name()};
  std::string s = v.get<std::string>();
  if (!smtp_is_utf8(s)) throw Failure{field + ": is not valid UTF-8"};
  return s;
}

std::string smtp_header_text(const json &v, const std::string &field) {
  std::string s = smtp_string(v, field);
  if (s.find_first_of("\r\n") != std::string::npos)
    throw Failure{field + ": contains CR or LF (header injection is refused)"};
  return s;
}

SmtpAddress smtp_address_field(const json &v, const std::string &field) {
  std::string reason;
  auto a = smtp_parse_address(smtp_string(v, field), reason);
  if (!a) throw Failure{field + ": " + reason};
  return *a;
}

std::vector<SmtpAddress> smtp_address_list(const json &v, const std::string &field) {
  std::vector<SmtpAddress> out;
  if (v.is_string()) {
    out.push_back(smtp_address_field(v, field));
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      out.push_back(smtp_address_field(v[i], field + "[" + std::to_string(i) + "]"));
  } else if (!v.is_null()) {
    throw Failure{field + ": must be an address or a list of addresses, got " + v.type_name()};
  }
  return out;
}

bool smtp_valid_content_type(const std::string &t) {
  const auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i == slash) continue;
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string("!#$&-^_.+").find(c) != std::string::npos;
    if (!token) return false;
  }
  return true;
}

SmtpAttachment smtp_attachment(const json &v, const std::string &field) {
  if (!v.is_object()) throw Failure{field + ": must be an object {filename, content_type, content}"};
  SmtpAttachment a;
  a.content_type = "application/octet-stream";
  bool has_content = false;
  for (const auto &[key, value] : v.items()) {
    if (key == "filename") {
      a.filename = smtp_header_text(value, field + ".filename");
      // Long names would need RFC 2231 continuations; no file system takes more than 255 anyway.
      if (a.filename.size() > 255) throw Failure{field + ".filename: is longer than 255 bytes"};
    } else if (key == "content_type") {
      a.content_type = smtp_header_text(value, field + ".content_type");
      if (!smtp_valid_content_type(a.content_type))
        throw Failure{field + ".content_type: '" + a.content_type + "' is not a type/subtype"};
    } else if (key == "content") {
      auto bytes = smtp_base64_decode(smtp_string(value, field + ".content"));
      if (!bytes) throw Failure{field + ".content: is not valid base64"};
      a.content = std::move(*bytes);
      has_content = true;
    } else {
      throw Failure{field + "." + key + ": unknown field (known: filename, content_type, content)"};
    }
  }
  if (a.filename.empty()) throw Failure{field + ".filename: is required"};
  if (!has_content) throw Failure{field + ".content: is required (base64)"};
  return a;
}

Email smtp_email(const json &j, const std::string &default_from) {
  if (!j.is_object()) throw Failure{std::string("payload: must be a JSON object, got ") + j.type_name()};
  Email e;
  bool has_from = false;
  for (const auto &[key, value] : j.items()) {
    if (key == "from") {
      e.from = smtp_address_field(value, "from");
      has_from = true;
    } else if (key == "to") {
      e.to = smtp_address_list(value, "to");
    } else if (key == "cc") {
      e.cc = smtp_address_list(value, "cc");
    } else if (key == "bcc") {
      e.bcc = smtp_address_list(value, "bcc");
    } else if (key == "reply_to") {
      e.reply_to = smtp_address_list(value, "reply_to");
    } else if (key == "subject") {
      e.subject = smtp_header_text(value, "subject");
    } else if (key == "text" || key == "content") {
      if (value.is_null()) continue;
      if (e.text) throw Failure{key + ": give either text or content, not both"};
      e.text = smtp_string(value, key);
    } else if (key == "html") {
      if (!value.is_null()) e.html = smtp_string(value, "html");
    } else if (key == "headers") {
      if (value.is_null()) continue;
      if (!value.is_object()) throw Failure{std::string("headers: must be an object, got ") + value.type_name()};
      for (const auto &[name, hv] : value.items()) {
        if (!smtp_valid_header_name(name))
          throw Failure{"headers." + name + ": is not a valid header name"};
        if (smtp_reserved_header(name))
          throw Failure{"headers." + name + ": is set by the plugin; use the payload field instead"};
        e.headers.emplace_back(name, smtp_header_text(hv, "headers." + name));
      }
    } else if (key == "attachments") {
      if (value.is_null()) continue;
      if (!value.is_array()) throw Failure{std::string("attachments: must be a list, got ") + value.type_name()};
      for (std::size_t i = 0; i < value.size(); ++i)
        e.attachments.push_back(smtp_attachment(value[i], "attachments[" + std::to_string(i) + "]"));
    } else {
      throw Failure{key + ": unknown field (known: " + smtp_payload_fields + ")"};
    }
  }
  if (!has_from) {
    if (default_from.empty()) throw Failure{"from: is required (the destination sets no default from)"};
    std::string reason;
    auto a = smtp_parse_address(default_from, reason);
    if (!a) throw Failure{"from: the destination's default " + reason};
    e.from = *a;
  }
  if (e.to.empty() && e.cc.empty() && e.bcc.empty()) throw Failure{"to: no recipient (to, cc and bcc are all empty)"};
  // No body at all still makes a valid (empty) text/plain message.
  if (!e.text && !e.html && e.attachments.empty()) e.text = "";
  return e;
}

}  // namespace

std::vector<std::string> Email::recipients() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto *list : {&to, &cc, &bcc})
    for (const auto &a : *list) {
      std::string key = a.address;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      if (seen.insert(key).second) out.push_back(a.address);
    }
  return out;
}

std::optional<Email> smtp_parse_payload(const char *payload, std::size_t len,
                                        const std::string &default_from, std::string &error) noexcept {
  try {
    // Numbers beyond a double are JSON too: no smtp field is a number, so they are refused by name.
    const json j = plugin_common::parse_message_json(std::string_view(payload, len));
    if (j.is_discarded()) {
      error = "payload: is not valid JSON";
      return std::nullopt;
    }
    return smtp_email(j, default_from);
  } catch (const Failure &f) {
    error = f.message;
  } catch (const std::exception &e) {
    error = std::string("payload: ") + e.what();
  } catch (...) {
    error = "payload: could not be parsed";
  }
  return std::nullopt;
}

std::string smtp_payload_refusal(const std::string &error) {
  return error.rfind("payload:", 0) == 0 ? error : "payload." + error;
}

}  // namespace outboxd::smtp

// Builds the RFC 5322 / MIME text of an Email: headers, multipart structure, encoded bodies, CRLF.
#include "smtp_mime.hpp"

#include "smtp_encoding.hpp"

namespace outboxd::smtp {

namespace {

// "To: a <x@y>, b <z@w>" folded after a comma whenever the next address would pass 78 columns.
std::string smtp_address_header(const std::string &name, const std::vector<SmtpAddress> &list) {
  std::string out = name + ": ";
  std::size_t line = out.size();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item = smtp_format_address(list[i]) + (i + 1 < list.size() ? "," : "");
    const std::size_t first_line = item.find("\r\n") == std::string::npos ? item.size() : item.find("\r\n");
    if (i > 0) {
      if (line + 1 + first_line > 78) {
        out += "\r\n ";
        line = 1;
      } else {
        out += ' ';
        ++line;
      }
    }
    out += item;
    const auto last_break = item.rfind("\r\n");
    line = last_break == std::string::npos ? line + item.size() : item.size() - last_break - 2;
  }
  return out + "\r\n";
}

std::string smtp_text_part(const std::string &subtype, const std::string &text) {
  return "Content-Type: text/" + subtype + "; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
         smtp_quoted_printable(smtp_normalize_newlines(text)) + "\r\n";
}

std::string smtp_multipart(const std::string &subtype, const std::string &boundary,
                           const std::vector<std::string> &parts) {
  std::string out = "Content-Type: multipart/" + subtype + ";\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  for (const auto &part : parts) out += "\r\n--" + boundary + "\r\n" + part;
  return out + "\r\n--" + boundary + "--\r\n";
}

std::string smtp_attachment_part(const SmtpAttachment &a) {
  return "Content-Type: " + a.content_type + ";\r\n " + smtp_mime_parameter("name", a.filename) +
         "\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment;\r\n " + smtp_mime_parameter("filename", a.filename) +
         "\r\n\r\n" + smtp_base64_lines(a.content) + "\r\n";
}

// The body without attachments: one text part, or multipart/alternative with text before html
// (readers show the last part they understand, so the richer one goes last).
std::string smtp_body(const Email &e, const std::string &token) {
  if (e.text && e.html)
    return smtp_multipart("alternative", "=_outboxd_alt_" + token,
                          {smtp_text_part("plain", *e.text), smtp_text_part("html", *e.html)});
  if (e.html) return smtp_text_part("html", *e.html);
  return smtp_text_part("plain", e.text ? *e.text : "");
}

std::string smtp_boundary_token(const std::string &message_id) {
  std::string token;
  for (char c : message_id)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) token += c;
  return token.substr(0, 48);
}

}  // namespace

std::string smtp_message_id(const std::string &id, const std::string &domain) {
  std::string local;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    std::string("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string::npos;
    local += ok ? c : '-';
  }
  if (local.empty()) local = "unknown";
  return "<" + local + "@" + domain + ">";
}

std::string smtp_rfc5322_date(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

std::string smtp_build_message(const Email &e, const std::string &message_id, std::time_t date) {
  std::string out;
  out += "Date: " + smtp_rfc5322_date(date) + "\r\n";
  out += smtp_address_header("From", {e.from});
  if (!e.to.empty()) out += smtp_address_header("To", e.to);
  if (!e.cc.empty()) out += smtp_address_header("Cc", e.cc);
  if (e.to.empty() && e.cc.empty()) out += "To: undisclosed-recipients:;\r\n";
  if (!e.reply_to.empty()) out += smtp_address_header("Reply-To", e.reply_to);
  if (!e.subject.empty()) out += "Subject: " + smtp_encode_unstructured(e.subject, 9) + "\r\n";
  out += "Message-ID: " + message_id + "\r\n";
  for (const auto &[name, value] : e.headers)
    out += name + ": " + smtp_encode_unstructured(value, name.size() + 2) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  const std::string token = smtp_boundary_token(message_id);
  if (e.attachments.empty()) return out + smtp_body(e, token);
  std::vector<std::string> parts;
  if (e.text || e.html) parts.push_back(smtp_body(e, token));
  for (const auto &a : e.attachments) parts.push_back(smtp_attachment_part(a));
  return out + smtp_multipart("mixed", "=_outboxd_mixed_" + token, parts);
}

}  // namespace outboxd::smtp

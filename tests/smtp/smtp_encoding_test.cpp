// Unit tests for the byte-level encodings: base64, quoted-printable, RFC 2047 words, parameters.
#include <gtest/gtest.h>

#include <sstream>

#include "smtp_encoding.hpp"

namespace outboxd::smtp {
namespace {

std::vector<std::string> crlf_lines(const std::string &text) {
  std::vector<std::string> out;
  std::size_t start = 0, end;
  while ((end = text.find("\r\n", start)) != std::string::npos) {
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  out.push_back(text.substr(start));
  return out;
}

TEST(SmtpEncoding, Base64RoundTripsEveryByteValueAndLengthRemainder) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 57u, 58u, 256u}) {
    const std::string data = all.substr(0, n);
    const std::string encoded = smtp_base64_lines(data);
    for (const auto &line : crlf_lines(encoded)) EXPECT_LE(line.size(), 76u);
    EXPECT_EQ(smtp_base64_decode(encoded), data) << n;
  }
  EXPECT_EQ(smtp_base64_lines("hello"), "aGVsbG8=");
}

TEST(SmtpEncoding, Base64DecodeRefusesGarbageAndBadPadding) {
  EXPECT_FALSE(smtp_base64_decode("aGVsbG8"));     // missing padding
  EXPECT_FALSE(smtp_base64_decode("aGV*bG8="));    // not in the alphabet
  EXPECT_FALSE(smtp_base64_decode("aG=sbG8="));    // data after padding
  EXPECT_EQ(smtp_base64_decode("aGVs\r\nbG8="), "hello");
}

TEST(SmtpEncoding, QuotedPrintableKeepsLinesWithin76AndEncodesWhatItMust) {
  const std::string text = std::string(200, 'a') + "\r\nline with trailing space \r\n.dot\r\nFrom me\r\nä=x";
  const std::string qp = smtp_quoted_printable(text);
  for (const auto &line : crlf_lines(qp)) EXPECT_LE(line.size(), 76u) << line;
  EXPECT_NE(qp.find("trailing space=20\r\n"), std::string::npos);
  EXPECT_NE(qp.find("\r\n=2Edot"), std::string::npos);
  EXPECT_NE(qp.find("\r\n=46rom me"), std::string::npos);
  EXPECT_NE(qp.find("=C3=A4=3Dx"), std::string::npos);
}

TEST(SmtpEncoding, NewlinesOfEveryKindBecomeCrlf) {
  EXPECT_EQ(smtp_normalize_newlines("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
}

TEST(SmtpEncoding, NonAsciiSubjectBecomesEncodedWordsSplitOnCharacterBoundaries) {
  const std::string subject = "Grüße aus Köln — 東京から😀 " + std::string(60, 'x');
  const std::string encoded = smtp_encode_unstructured(subject, 9);
  for (const auto &line : crlf_lines(encoded)) {
    EXPECT_LE(line.size() + 9, 78u + 9);
    EXPECT_LE(line.size(), 76u) << line;
  }
  // Decoding word by word gives whole characters each time, and the concatenation is the subject.
  std::string decoded;
  std::size_t pos = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const auto end = encoded.find("?=", pos + 10);
    const auto piece = smtp_base64_decode(encoded.substr(pos + 10, end - pos - 10));
    ASSERT_TRUE(piece);
    EXPECT_TRUE(smtp_is_utf8(*piece)) << "a word split a character";
    decoded += *piece;
    pos = end + 2;
  }
  EXPECT_EQ(decoded, subject);
}

TEST(SmtpEncoding, AsciiSubjectStaysReadableAndLongOnesFoldAtSpaces) {
  EXPECT_EQ(smtp_encode_unstructured("Your order #42", 9), "Your order #42");
  std::string long_subject;
  for (int i = 0; i < 30; ++i) long_subject += "word" + std::to_string(i) + " ";
  const std::string folded = smtp_encode_unstructured(long_subject, 9);
  for (const auto &line : crlf_lines(folded)) EXPECT_LE(line.size(), 78u);
  std::string unfolded = folded;
  for (std::size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
  EXPECT_EQ(unfolded, long_subject);
}

TEST(SmtpEncoding, AnUnbreakableAsciiRunTooLongForALineIsSentAsEncodedWords) {
  const std::string value = "token-" + std::string(2000, 'z');
  const std::string encoded = smtp_encode_unstructured(value, 9);
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  for (const auto &line : crlf_lines(encoded)) EXPECT_LE(line.size(), 76u);
  const std::string name(500, 'n');
  for (const auto &line : crlf_lines(smtp_encode_display_name(name))) EXPECT_LE(line.size(), 76u);
}

TEST(SmtpEncoding, DisplayNamesAreAtomsQuotedOrEncoded) {
  EXPECT_EQ(smtp_encode_display_name("Jane Doe"), "Jane Doe");
  EXPECT_EQ(smtp_encode_display_name("Doe, Jane"), "\"Doe, Jane\"");
  EXPECT_EQ(smtp_encode_display_name("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(smtp_encode_display_name("Jürgen"), "=?UTF-8?B?SsO8cmdlbg==?=");
}

TEST(SmtpEncoding, MimeParametersUseRfc2231ForNonAscii) {
  EXPECT_EQ(smtp_mime_parameter("filename", "report.pdf"), "filename=\"report.pdf\"");
  EXPECT_EQ(smtp_mime_parameter("filename", "résumé.pdf"), "filename*=utf-8''r%C3%A9sum%C3%A9.pdf");
}

TEST(SmtpEncoding, Utf8ValidationRefusesOverlongAndSurrogates) {
  EXPECT_TRUE(smtp_is_utf8("plain ä 東 😀"));
  EXPECT_FALSE(smtp_is_utf8("\xC0\xAF"));
  EXPECT_FALSE(smtp_is_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(smtp_is_utf8("\xE4\xB8"));
}

}  // namespace
}  // namespace outboxd::smtp

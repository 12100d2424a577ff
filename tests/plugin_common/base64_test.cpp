// The plugins' shared base64: RFC 4648 §10 vectors, round trips, and what strict decoding refuses.
#include <gtest/gtest.h>

#include "common/base64.hpp"

namespace outboxd::plugin_common {
namespace {

using Padding = Base64Padding;

TEST(Base64, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\xfe", 3)), "+//+");
}

TEST(Base64, DecodesTheRfc4648VectorsInBothPaddingModes) {
  const std::pair<const char *, const char *> vectors[] = {
      {"", ""},         {"Zg==", "f"},      {"Zm8=", "fo"},         {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}};
  for (const auto &[encoded, plain] : vectors) {
    EXPECT_EQ(base64_decode(encoded, Padding::required), std::string(plain)) << encoded;
    EXPECT_EQ(base64_decode(encoded, Padding::ignored), std::string(plain)) << encoded;
  }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
  for (int n = 0; n < 70; ++n) {
    std::string in;
    for (int i = 0; i < n; ++i) in += static_cast<char>((i * 37 + n) & 0xff);
    EXPECT_EQ(base64_decode(base64_encode(in), Padding::required), in) << n;
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all), Padding::required), all);
}

TEST(Base64, RequiredPaddingMustBeExact) {
  EXPECT_FALSE(base64_decode("Zm8", Padding::required));       // missing
  EXPECT_FALSE(base64_decode("Zg=", Padding::required));       // one short
  EXPECT_FALSE(base64_decode("Zm8==", Padding::required));     // one too many
  EXPECT_FALSE(base64_decode("Zm9v====", Padding::required));  // a whole group of padding
  EXPECT_FALSE(base64_decode("==", Padding::required));
}

TEST(Base64, IgnoredPaddingAcceptsAnyTrailingEquals) {
  EXPECT_EQ(base64_decode("Zm8", Padding::ignored), "fo");
  EXPECT_EQ(base64_decode("Zg", Padding::ignored), "f");
  EXPECT_EQ(base64_decode("Zm9v===", Padding::ignored), "foo");
}

TEST(Base64, RefusesInvalidCharactersAndImpossibleLengths) {
  for (Padding padding : {Padding::required, Padding::ignored}) {
    EXPECT_FALSE(base64_decode("Zm9v!", padding));
    EXPECT_FALSE(base64_decode("Z", padding)) << "no number of bytes encodes to 4n+1 characters";
    EXPECT_FALSE(base64_decode("Zm9vY", padding));
    EXPECT_FALSE(base64_decode("Zm9v_-==", padding)) << "the URL-safe alphabet is not standard base64";
    EXPECT_FALSE(base64_decode("Zm=v", padding)) << "'=' only at the end";
    EXPECT_FALSE(base64_decode("Zm9v\r\nYmFy", padding)) << "line breaks are the caller's to remove";
    EXPECT_FALSE(base64_decode("Zm 9v", padding));
    EXPECT_FALSE(base64_decode(std::string_view("Zm\0v", 4), padding));
  }
}

}  // namespace
}  // namespace outboxd::plugin_common

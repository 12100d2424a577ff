// Standard Webhooks signing: the spec's published example vector and secret parsing.
#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "webhook_signing.hpp"

namespace outboxd::webhook {
namespace {

// The example in the Standard Webhooks specification and its reference libraries' tests.
constexpr const char *spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char *spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t spec_timestamp = 1614265330;
constexpr const char *spec_body = R"({"test": 2432232314})";
constexpr const char *spec_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(WebhookSigning, ReproducesTheSpecExampleVector) {
  std::string key, error;
  ASSERT_TRUE(webhook_parse_secret(spec_secret, key, error)) << error;
  EXPECT_EQ(webhook_sign_v1(key, spec_id, spec_timestamp, spec_body), spec_signature);
}

TEST(WebhookSigning, SeveralSecretsGiveOneSpaceSeparatedSignatureEach) {
  std::string first, second, error;
  ASSERT_TRUE(webhook_parse_secret(spec_secret, first, error));
  ASSERT_TRUE(webhook_parse_secret("whsec_" + plugin_common::base64_encode("another key of 24 bytes!"), second, error));
  const std::string header = webhook_signature_header({first, second}, spec_id, spec_timestamp, spec_body);
  const auto space = header.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(header.substr(0, space), spec_signature);
  EXPECT_EQ(header.substr(space + 1), webhook_sign_v1(second, spec_id, spec_timestamp, spec_body));
  EXPECT_EQ(header.find(' ', space + 1), std::string::npos);
}

TEST(WebhookSigning, ChangingAnyPartChangesTheSignature) {
  std::string key, error;
  ASSERT_TRUE(webhook_parse_secret(spec_secret, key, error));
  EXPECT_NE(webhook_sign_v1(key, "msg_other", spec_timestamp, spec_body), spec_signature);
  EXPECT_NE(webhook_sign_v1(key, spec_id, spec_timestamp + 1, spec_body), spec_signature);
  EXPECT_NE(webhook_sign_v1(key, spec_id, spec_timestamp, R"({"test":2432232314})"), spec_signature);
}

TEST(WebhookSecret, RefusesWithoutPrefixBadBase64OrShortKeysAndNeverEchoesTheSecret) {
  std::string key, error;
  EXPECT_FALSE(webhook_parse_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, error));
  EXPECT_NE(error.find("whsec_"), std::string::npos) << error;
  EXPECT_FALSE(webhook_parse_secret("whsec_not*base64*at*all", key, error));
  EXPECT_NE(error.find("not valid base64"), std::string::npos) << error;
  EXPECT_EQ(error.find("not*base64"), std::string::npos) << "the secret must not appear in errors: " << error;
  EXPECT_FALSE(webhook_parse_secret("whsec_c2hvcnQ=", key, error));
  EXPECT_NE(error.find("at least 16"), std::string::npos) << error;
}

}  // namespace
}  // namespace outboxd::webhook

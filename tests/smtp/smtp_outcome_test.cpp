// Unit tests for the classification of SMTP transfers: what is delivered, retried or dead.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smtp_outcome.hpp"

namespace outboxd::smtp {
namespace {

using ::testing::HasSubstr;

SmtpTransfer failed(int curl_code, int reply, const std::string &line, const std::string &command) {
  SmtpTransfer t;
  t.curl_code = curl_code;
  t.curl_error = "curl says no";
  t.reply_code = reply;
  t.reply_line = line;
  t.command = command;
  return t;
}

TEST(SmtpOutcome, AcceptedIsOkWithoutError) {
  SmtpTransfer t;
  t.rcpts = {{"a@x", 250, "250 OK"}};
  const auto o = smtp_classify(t, "mx:25");
  EXPECT_EQ(o.status, OUTBOXD_OK);
  EXPECT_EQ(o.error, "");
}

TEST(SmtpOutcome, PartlyRejectedRecipientsAreDeliveredWithTheRejectedNamed) {
  SmtpTransfer t;
  t.rcpts = {{"a@x", 250, "250 OK"}, {"b@x", 550, "550 5.1.1 no such user"}, {"c@x", 451, "451 later"}};
  const auto o = smtp_classify(t, "mx:25");
  EXPECT_EQ(o.status, OUTBOXD_OK);
  EXPECT_EQ(o.error, "smtp mx:25: delivered to 1 of 3 recipients; rejected: b@x (550 5.1.1 no such user); c@x (451 later)");
}

TEST(SmtpOutcome, EveryRecipientRejectedIsDeadUnlessOneWasTemporary) {
  auto t = failed(CURLE_SEND_ERROR, 550, "550 nope", "RCPT");
  t.rcpts = {{"a@x", 550, "550 nope"}};
  EXPECT_EQ(smtp_classify(t, "mx:25").status, OUTBOXD_PERMANENT);
  t.rcpts.push_back({"b@x", 451, "451 later"});
  const auto o = smtp_classify(t, "mx:25");
  EXPECT_EQ(o.status, OUTBOXD_RETRY);
  EXPECT_THAT(o.error, HasSubstr("every recipient was rejected: a@x (550 nope); b@x (451 later)"));
}

TEST(SmtpOutcome, ReplyCodesDecide) {
  EXPECT_EQ(smtp_classify(failed(CURLE_WEIRD_SERVER_REPLY, 554, "554 5.6.0 refused", "DATA"), "mx:25").error,
            "smtp mx:25: 554 5.6.0 refused (after the message data)");
  EXPECT_EQ(smtp_classify(failed(CURLE_WEIRD_SERVER_REPLY, 554, "554 x", "DATA"), "m").status, OUTBOXD_PERMANENT);
  EXPECT_EQ(smtp_classify(failed(CURLE_WEIRD_SERVER_REPLY, 451, "451 x", "DATA"), "m").status, OUTBOXD_RETRY);
  EXPECT_EQ(smtp_classify(failed(CURLE_SEND_ERROR, 550, "550 x", "MAIL"), "m").status, OUTBOXD_PERMANENT);
  EXPECT_EQ(smtp_classify(failed(CURLE_SEND_ERROR, 421, "421 closing", "MAIL"), "m").status, OUTBOXD_RETRY);
}

TEST(SmtpOutcome, AuthenticationRejectedIsPermanentButTemporaryAuthFailureRetries) {
  const auto o = smtp_classify(failed(CURLE_LOGIN_DENIED, 535, "535 5.7.8 Authentication credentials invalid", "AUTH"), "m:1");
  EXPECT_EQ(o.status, OUTBOXD_PERMANENT);
  EXPECT_EQ(o.error, "smtp m:1: authentication failed: 535 5.7.8 Authentication credentials invalid");
  EXPECT_EQ(smtp_classify(failed(CURLE_LOGIN_DENIED, 454, "454 try later", "AUTH"), "m").status, OUTBOXD_RETRY);
}

TEST(SmtpOutcome, NetworkAndTlsFailuresRetry) {
  for (int code : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_COULDNT_RESOLVE_HOST,
                   CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED})
    EXPECT_EQ(smtp_classify(failed(code, 0, "", ""), "m").status, OUTBOXD_RETRY) << code;
  EXPECT_THAT(smtp_classify(failed(CURLE_PEER_FAILED_VERIFICATION, 0, "", ""), "m").error,
              HasSubstr("TLS certificate verification failed"));
}

TEST(SmtpOutcome, ReconnectOnlyWhenAKeptConnectionDiedBeforeAnyReply) {
  auto t = failed(CURLE_SEND_ERROR, 0, "", "MAIL");
  EXPECT_FALSE(smtp_should_reconnect(t));
  t.reused_connection = true;
  EXPECT_TRUE(smtp_should_reconnect(t));
  EXPECT_FALSE(smtp_should_reconnect(failed(CURLE_SEND_ERROR, 550, "550 x", "MAIL")));
  auto closing = failed(CURLE_SEND_ERROR, 421, "421 bye", "MAIL");
  closing.reused_connection = true;
  EXPECT_TRUE(smtp_should_reconnect(closing));
}

}  // namespace
}  // namespace outboxd::smtp

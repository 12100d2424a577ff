// Classification of HTTP answers and transfer errors, Retry-After, and body excerpts.
#include <gtest/gtest.h>

#include "webhook_outcome.hpp"

namespace outboxd::webhook {
namespace {

constexpr std::time_t now = 1700000000;  // 2023-11-14T22:13:20Z

Verdict http(long status, const std::string &retry_after = "", const std::string &body = "") {
  HttpAnswer a;
  a.status = status;
  a.retry_after = retry_after;
  a.body_start = body;
  return webhook_classify_http(a, now);
}

TEST(WebhookOutcome, TwoHundredsAreDelivered) {
  for (long s : {200L, 201L, 202L, 204L, 299L}) {
    const auto v = http(s);
    EXPECT_EQ(v.status, OUTBOXD_OK) << s;
    EXPECT_EQ(v.error, "") << s;
  }
}

TEST(WebhookOutcome, TimeoutsThrottlingAndServerErrorsAreRetried) {
  for (long s : {408L, 425L, 429L, 500L, 502L, 503L, 504L, 599L}) {
    const auto v = http(s, "", "busy");
    EXPECT_EQ(v.status, OUTBOXD_RETRY) << s;
    EXPECT_EQ(v.retry_after_ms, -1) << s;
    EXPECT_EQ(v.error, "HTTP " + std::to_string(s) + ": busy");
  }
}

TEST(WebhookOutcome, GoneAndOtherClientErrorsArePermanent) {
  for (long s : {400L, 401L, 403L, 404L, 405L, 409L, 410L, 413L, 422L, 451L}) {
    const auto v = http(s, "5", "{\"error\":\"bad field\"}");
    EXPECT_EQ(v.status, OUTBOXD_PERMANENT) << s;
    EXPECT_EQ(v.error, "HTTP " + std::to_string(s) + ": {\"error\":\"bad field\"}") << "Retry-After is ignored";
  }
}

TEST(WebhookOutcome, RedirectsArePermanentAndSayWhereTheyPointed) {
  HttpAnswer a;
  a.status = 301;
  a.location = "https://new.example.com/hook";
  const auto v = webhook_classify_http(a, now);
  EXPECT_EQ(v.status, OUTBOXD_PERMANENT);
  EXPECT_NE(v.error.find("HTTP 301"), std::string::npos) << v.error;
  EXPECT_NE(v.error.find("https://new.example.com/hook"), std::string::npos) << v.error;
  EXPECT_NE(v.error.find("never followed"), std::string::npos) << v.error;
}

TEST(WebhookOutcome, RetryAfterInSecondsOrAsAnHttpDateBecomesTheRetryDelay) {
  EXPECT_EQ(http(503, "120").retry_after_ms, 120000);
  EXPECT_EQ(http(429, " 7 ").retry_after_ms, 7000);
  // Under webhook_min_retry_after_ms (0, a past date): no Retry-After, the daemon's backoff decides.
  EXPECT_EQ(http(503, "0").retry_after_ms, -1);
  EXPECT_NE(http(503, "0").error.find("(Retry-After: 0, under 1 s: the destination's backoff applies)"), std::string::npos);
  EXPECT_EQ(http(503, "1").retry_after_ms, 1000);
  EXPECT_EQ(http(503, "Tue, 14 Nov 2023 22:14:20 GMT").retry_after_ms, 60000);   // IMF-fixdate
  EXPECT_EQ(http(503, "Tuesday, 14-Nov-23 22:13:50 GMT").retry_after_ms, 30000);  // RFC 850
  EXPECT_EQ(http(503, "Tue Nov 14 22:13:25 2023").retry_after_ms, 5000);          // asctime
  EXPECT_EQ(http(503, "Mon, 13 Nov 2023 00:00:00 GMT").retry_after_ms, -1) << "a past date: the backoff";
  EXPECT_EQ(http(503, "soon").retry_after_ms, -1) << "unreadable: the daemon's backoff";
  EXPECT_EQ(http(503, "-5").retry_after_ms, -1);
  EXPECT_NE(http(503, "120").error.find("Retry-After: 120"), std::string::npos);
}

TEST(WebhookOutcome, TransferErrorsAreRetriedExceptABadUrl) {
  EXPECT_EQ(webhook_classify_transfer(CURLE_OPERATION_TIMEDOUT, "Operation timed out after 1000 ms", 1000).status,
            OUTBOXD_RETRY);
  EXPECT_NE(webhook_classify_transfer(CURLE_OPERATION_TIMEDOUT, "", 1000).error.find("timed out after 1000 ms"),
            std::string::npos);
  EXPECT_EQ(webhook_classify_transfer(CURLE_COULDNT_RESOLVE_HOST, "", 1000).status, OUTBOXD_RETRY);
  EXPECT_NE(webhook_classify_transfer(CURLE_COULDNT_RESOLVE_HOST, "x", 1).error.find("DNS"), std::string::npos);
  EXPECT_EQ(webhook_classify_transfer(CURLE_COULDNT_CONNECT, "refused", 1000).status, OUTBOXD_RETRY);
  EXPECT_EQ(webhook_classify_transfer(CURLE_GOT_NOTHING, "", 1000).status, OUTBOXD_RETRY);
  EXPECT_EQ(webhook_classify_transfer(CURLE_PEER_FAILED_VERIFICATION, "", 1000).status, OUTBOXD_RETRY);
  EXPECT_EQ(webhook_classify_transfer(CURLE_URL_MALFORMAT, "", 1000).status, OUTBOXD_PERMANENT);
  EXPECT_EQ(webhook_classify_transfer(CURLE_UNSUPPORTED_PROTOCOL, "", 1000).status, OUTBOXD_PERMANENT);
}

TEST(WebhookOutcome, BodyExcerptIsOneShortValidUtf8Line) {
  EXPECT_EQ(webhook_body_excerpt("  line one\r\n\tline two \n"), "line one line two");
  EXPECT_EQ(webhook_body_excerpt(std::string(500, 'x')), std::string(200, 'x') + "...");
  EXPECT_EQ(webhook_body_excerpt("caf\xc3\xa9 \xff\xfe ok"), "caf\xc3\xa9 ?? ok");
  EXPECT_EQ(webhook_body_excerpt(std::string("a\0b", 3)), "a b");
  // A cut never splits a multi-byte character.
  const std::string euros = std::string(199, 'x') + "\xe2\x82\xac";
  EXPECT_EQ(webhook_body_excerpt(euros), std::string(199, 'x') + "...");
  EXPECT_EQ(webhook_body_excerpt("\xe2\x82"), "??") << "a truncated sequence";
}

}  // namespace
}  // namespace outboxd::webhook

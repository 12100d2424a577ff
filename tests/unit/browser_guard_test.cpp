// Requests made by other sites' pages (api/browser_guard.cpp): refused whatever the route needs,
// while programs, which send none of these headers, are never affected.
#include <gtest/gtest.h>

#include "api/browser_guard.hpp"

using namespace outboxd::api;

namespace {

ApiRequest browser_request(std::optional<std::string> site, std::optional<std::string> origin,
                           std::optional<std::string> host = std::string("127.0.0.1:3080")) {
  ApiRequest r;
  r.method = "POST";
  r.path = "/v1/destinations/orders/pause";
  r.sec_fetch_site = std::move(site);
  r.origin = std::move(origin);
  r.host = std::move(host);
  return r;
}

}  // namespace

TEST(BrowserGuard, AnotherSitesPageIsRefusedAndTheDashboardsOwnIsNot) {
  for (bool open_api : {true, false}) {
    auto form_post = refuse_foreign_page(browser_request("cross-site", "https://evil.example"), open_api);
    ASSERT_TRUE(form_post);
    EXPECT_EQ(form_post->status, 403);
    EXPECT_EQ(form_post->error, "cross_site");
    EXPECT_TRUE(refuse_foreign_page(browser_request("same-site", "http://other.localhost:3080"), open_api));
    EXPECT_FALSE(refuse_foreign_page(browser_request("same-origin", "http://127.0.0.1:3080"), open_api));
    EXPECT_FALSE(refuse_foreign_page(browser_request("none", std::nullopt), open_api)) << "a typed address";
  }
}

TEST(BrowserGuard, AnOlderBrowserIsJudgedByItsOrigin) {
  EXPECT_TRUE(refuse_foreign_page(browser_request(std::nullopt, "https://evil.example"), false));
  EXPECT_TRUE(refuse_foreign_page(browser_request(std::nullopt, "null"), false)) << "a sandboxed page";
  EXPECT_FALSE(refuse_foreign_page(browser_request(std::nullopt, "http://127.0.0.1:3080"), false));
  EXPECT_FALSE(refuse_foreign_page(browser_request(std::nullopt, "HTTP://LOCALHOST:3080", "localhost:3080"), false));
}

TEST(BrowserGuard, AnOpenApiAnswersBrowsersOnlyUnderALoopbackName) {
  // A page of evil.example, rebound to 127.0.0.1, is same-origin to the browser.
  auto rebound = refuse_foreign_page(browser_request("same-origin", "http://evil.example:3080", "evil.example:3080"),
                                     true);
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->error, "forbidden_host");
  EXPECT_NE(rebound->detail.find("api.tokens"), std::string::npos) << rebound->detail;
  EXPECT_FALSE(refuse_foreign_page(browser_request("same-origin", "http://evil.example:3080", "evil.example:3080"),
                                   false))
      << "with tokens a rebound page has no token to use";
  for (const char *host : {"127.0.0.1:3080", "127.1.2.3", "[::1]:3080", "localhost", "LocalHost:1", "ui.localhost:3080"})
    EXPECT_FALSE(refuse_foreign_page(browser_request("same-origin", std::nullopt, std::string(host)), true)) << host;
  for (const char *host : {"127.0.0.1.evil.example", "localhost.evil.example", "[::2]", "10.0.0.1:3080", ""})
    EXPECT_TRUE(refuse_foreign_page(browser_request("same-origin", std::nullopt, std::string(host)), true)) << host;
}

TEST(BrowserGuard, ProgramsAreNeverRefused) {
  ApiRequest curl;
  curl.method = "POST";
  curl.host = "anything.example";
  EXPECT_FALSE(refuse_foreign_page(curl, true));
  EXPECT_FALSE(refuse_foreign_page(curl, false));
}

// The HTTP API's route table (api/routes.cpp): literal paths before ":x" ones, HEAD as GET, and the
// methods a path takes for 405 and OPTIONS.
#include <gtest/gtest.h>

#include "api/routes.hpp"

using namespace outboxd::api;

TEST(ApiRoutes, ALiteralPathNeverFallsThroughToAParameter) {
  RouteLookup batch = find_route("GET", "/v1/messages/batch");
  EXPECT_FALSE(batch.match.has_value());
  EXPECT_EQ(batch.allowed, (std::vector<std::string>{"POST", "OPTIONS"}));
  RouteLookup one = find_route("GET", "/v1/messages/0190aaaa-0000-7000-8000-000000000000");
  ASSERT_TRUE(one.match.has_value());
  EXPECT_EQ(one.match->id, RouteId::GetMessage);
  EXPECT_EQ(one.match->param, "0190aaaa-0000-7000-8000-000000000000");
}

TEST(ApiRoutes, HeadIsGetAndEveryPathListsItsMethods) {
  RouteLookup head = find_route("HEAD", "/healthz");
  ASSERT_TRUE(head.match.has_value());
  EXPECT_EQ(head.match->id, RouteId::Healthz);
  EXPECT_EQ(head.allowed, (std::vector<std::string>{"GET", "HEAD", "OPTIONS"}));
  EXPECT_EQ(find_route("GET", "/v1/messages").allowed,
            (std::vector<std::string>{"GET", "HEAD", "POST", "OPTIONS"}));
  EXPECT_FALSE(find_route("DELETE", "/v1/messages").match.has_value());
  EXPECT_FALSE(find_route("GET", "/nowhere").path_known());
  EXPECT_FALSE(find_route("POST", "/v1/messages//retry").match.has_value());
}

TEST(ApiRoutes, OnlyRoutesWithoutTheDatabaseRunInline) {
  EXPECT_TRUE(route_is_inline(RouteId::Healthz));
  EXPECT_FALSE(route_is_inline(RouteId::Readyz));
  EXPECT_FALSE(route_is_inline(RouteId::CreateMessage));
  EXPECT_STREQ(required_scope(RouteId::Retry), "admin");
  EXPECT_EQ(required_scope(RouteId::Healthz), nullptr);
}

TEST(ApiRoutes, PauseAndResumeArePostOnlyAndNeedTheAdminScope) {
  for (const auto &[path, id] : {std::pair<std::string, RouteId>{"/v1/destinations/orders/pause", RouteId::PauseDestination},
                                 {"/v1/destinations/orders/resume", RouteId::ResumeDestination}}) {
    const RouteLookup post = find_route("POST", path);
    ASSERT_TRUE(post.match.has_value()) << path;
    EXPECT_EQ(post.match->id, id);
    EXPECT_EQ(post.match->param, "orders");
    EXPECT_STREQ(required_scope(id), "admin");
    EXPECT_FALSE(route_takes_json_body(id)) << "no body to send";
    const RouteLookup get = find_route("GET", path);
    EXPECT_FALSE(get.match.has_value());
    EXPECT_EQ(get.allowed, (std::vector<std::string>{"POST", "OPTIONS"})) << path;
  }
  EXPECT_FALSE(find_route("POST", "/v1/destinations//pause").match.has_value());
}

TEST(ApiRoutes, TheDashboardsFilesNeedNoTokenAndItsReadsNeedRead) {
  const RouteLookup root = find_route("GET", "/ui");
  ASSERT_TRUE(root.match.has_value());
  EXPECT_EQ(root.match->id, RouteId::UiRoot);
  const RouteLookup index = find_route("GET", "/ui/");
  ASSERT_TRUE(index.match.has_value());
  EXPECT_EQ(index.match->id, RouteId::UiFile);
  EXPECT_EQ(index.match->param, "");
  const RouteLookup script = find_route("GET", "/ui/app.js");
  ASSERT_TRUE(script.match.has_value());
  EXPECT_EQ(script.match->param, "app.js");
  EXPECT_FALSE(find_route("GET", "/ui/a/b").path_known()) << "the files are flat";
  EXPECT_FALSE(find_route("POST", "/ui/app.js").match.has_value());
  for (RouteId id : {RouteId::UiRoot, RouteId::UiFile}) {
    EXPECT_EQ(required_scope(id), nullptr) << "the page must load to ask for a token; it holds no data";
    EXPECT_TRUE(route_is_inline(id));
  }
  EXPECT_STREQ(required_scope(RouteId::Overview), "read");
  EXPECT_STREQ(required_scope(RouteId::Throughput), "read");
  EXPECT_STREQ(required_scope(RouteId::WhoAmI), kAnyTokenScope);
  EXPECT_TRUE(route_is_inline(RouteId::WhoAmI));
  EXPECT_TRUE(route_is_inline(RouteId::Throughput));
  EXPECT_FALSE(route_is_inline(RouteId::Overview)) << "it waits for a database reading";
}

#include "earshot/server/http_router.h"

#include <gtest/gtest.h>

namespace earshot::server {
namespace {

TEST(HttpRouterTest, MatchesParametersAndPrefersLiterals) {
  HttpRouter router;
  ASSERT_EQ(*router.Add("GET", "/api/v1/incidents/{id}"), 0u);
  ASSERT_EQ(*router.Add("GET", "/api/v1/incidents/open"), 1u);
  ASSERT_EQ(*router.Add("POST", "/api/v1/incidents/{id}"), 2u);
  HttpRouter::Match m = router.Find("GET", "/api/v1/incidents/17");
  ASSERT_EQ(m.outcome, HttpRouter::Outcome::kFound);
  EXPECT_EQ(m.route_index, 0u);
  EXPECT_EQ(m.path_params.at("id"), "17");
  EXPECT_EQ(router.Find("GET", "/api/v1/incidents/open").route_index, 1u);
  EXPECT_EQ(router.Find("POST", "/api/v1/incidents/3").route_index, 2u);
}

TEST(HttpRouterTest, TellsNoPathFromWrongMethod) {
  HttpRouter router;
  ASSERT_TRUE(router.Add("GET", "/a/{id}").has_value());
  EXPECT_EQ(router.Find("GET", "/a").outcome, HttpRouter::Outcome::kNoPath);
  EXPECT_EQ(router.Find("GET", "/a/").outcome, HttpRouter::Outcome::kNoPath);
  EXPECT_EQ(router.Find("GET", "/a/1/2").outcome, HttpRouter::Outcome::kNoPath);
  HttpRouter::Match m = router.Find("PUT", "/a/1");
  EXPECT_EQ(m.outcome, HttpRouter::Outcome::kWrongMethod);
  EXPECT_EQ(m.allowed_methods, std::vector<std::string>{"GET"});
}

TEST(HttpRouterTest, RefusesBadOrDuplicatePatterns) {
  HttpRouter router;
  EXPECT_FALSE(router.Add("GET", "a/b").has_value());
  EXPECT_FALSE(router.Add("GET", "/a/x{id}").has_value());
  ASSERT_TRUE(router.Add("GET", "/a").has_value());
  EXPECT_FALSE(router.Add("GET", "/a").has_value());
}

}  // namespace
}  // namespace earshot::server

#include "http/router.h"

#include <gtest/gtest.h>

namespace wissen::server {
namespace {

const std::vector<std::pair<std::string, std::string>> kRoutes = {
    {"GET", "/api/v1/documents/{id}"},
    {"GET", "/api/v1/documents/{id}/file"},
    {"DELETE", "/api/v1/conversations/{id}"},
    {"GET", "/api/v1/conversations/{id}"},
};

TEST(RouterTest, MatchesTemplatesAndCapturesParameters) {
  auto match = MatchRoute(kRoutes, "GET", "/api/v1/documents/42/file");
  ASSERT_EQ(match.index, 1);
  EXPECT_EQ(match.params["id"], "42");
  EXPECT_EQ(MatchRoute(kRoutes, "DELETE", "/api/v1/conversations/abc").index, 2);
  EXPECT_EQ(MatchRoute(kRoutes, "GET", "/api/v1/conversations/abc").index, 3);
}

TEST(RouterTest, TellsUnknownPathsFromWrongMethods) {
  EXPECT_EQ(MatchRoute(kRoutes, "GET", "/api/v1/documents").status, 404);
  EXPECT_EQ(MatchRoute(kRoutes, "GET", "/api/v1/documents/1/file/x").status, 404);
  EXPECT_EQ(MatchRoute(kRoutes, "POST", "/api/v1/documents/1").status, 405);
  // Empty segments collapse, as in a file path: "//" never yields an empty parameter.
  auto collapsed = MatchRoute(kRoutes, "GET", "/api/v1/documents//7");
  ASSERT_EQ(collapsed.index, 0);
  EXPECT_EQ(collapsed.params["id"], "7");
}

TEST(RouterTest, AllowedMethodsListWhatAPathAnswers) {
  EXPECT_EQ(AllowedMethods(kRoutes, "/api/v1/documents/1"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(AllowedMethods(kRoutes, "/api/v1/nothing"), "");
}

}  // namespace
}  // namespace wissen::server

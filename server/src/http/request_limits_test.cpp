#include "http/request_limits.h"

#include <gtest/gtest.h>

namespace wissen::server {
namespace {

std::optional<Rejection> Check(std::string_view target,
                               std::map<std::string, std::string> headers = {}) {
  RequestLimits limits;
  limits.max_body_bytes = 1000;
  return CheckRequestHead({target, &headers}, limits);
}

TEST(RequestLimitsTest, OrdinaryRequestsPass) {
  EXPECT_FALSE(Check("/api/v1/search?q=Urlaub"));
  EXPECT_FALSE(Check("/api/v1/ask", {{"content-length", "120"}, {"content-type", "x"}}));
  EXPECT_FALSE(Check("/api/v1/ask", {{"content-length", "1000"}}));
}

TEST(RequestLimitsTest, LongTargetsAndDeepPathsGet414) {
  EXPECT_EQ(Check("/" + std::string(9000, 'a'))->status, 414);
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += "/a";
  EXPECT_EQ(Check(deep)->status, 414);
  // Encoded slashes count: the router decodes them into segments too.
  std::string encoded = "/";
  for (int i = 0; i < 65; ++i) encoded += "a%2F";
  EXPECT_EQ(Check(encoded)->status, 414);
  // Slashes in the query do not.
  EXPECT_FALSE(Check("/api/v1/search?q=" + std::string(200, '/')));
}

TEST(RequestLimitsTest, LargeHeadersGet431) {
  EXPECT_EQ(Check("/", {{"x-a", std::string(17 * 1024, 'a')}})->status, 431);
}

TEST(RequestLimitsTest, BodiesNeedExactlyOneValidLength) {
  // Both headers: the smuggling vector that read 100 MB past the limit.
  auto both = Check("/api/v1/search", {{"content-length", "15"}, {"transfer-encoding", "chunked"}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 400);
  EXPECT_EQ(Check("/", {{"transfer-encoding", "chunked"}})->status, 411);
  EXPECT_EQ(Check("/", {{"content-length", "1001"}})->status, 413);
  EXPECT_EQ(Check("/", {{"content-length", "-1"}})->status, 400);
  EXPECT_EQ(Check("/", {{"content-length", "12abc"}})->status, 400);
  EXPECT_EQ(Check("/", {{"content-length", "99999999999999999999999"}})->status, 400);
}

}  // namespace
}  // namespace wissen::server

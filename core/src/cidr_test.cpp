#include "wissen/core/cidr.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(CidrTest, MatchesIpv4RangesAndMappedAddresses) {
  auto range = CidrRange::Parse("10.1.0.0/16");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->Contains("10.1.200.3"));
  EXPECT_TRUE(range->Contains("::ffff:10.1.2.3"));  // how dual-stack sockets report IPv4
  EXPECT_FALSE(range->Contains("10.2.0.1"));
  EXPECT_FALSE(range->Contains("garbage"));
  EXPECT_FALSE(range->Contains(""));
}

TEST(CidrTest, SingleAddressesAndIpv6) {
  auto host = CidrRange::Parse("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->Contains("127.0.0.1"));
  EXPECT_FALSE(host->Contains("127.0.0.2"));
  auto v6 = CidrRange::Parse("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains("fd12:3456::1"));
  EXPECT_FALSE(v6->Contains("fe80::1"));
  EXPECT_FALSE(v6->Contains("10.0.0.1"));
}

TEST(CidrTest, RejectsBadRanges) {
  EXPECT_FALSE(CidrRange::Parse("10.0.0.0/33"));
  EXPECT_FALSE(CidrRange::Parse("10.0.0.0/"));
  EXPECT_FALSE(CidrRange::Parse("10.0.0.0/8x"));
  EXPECT_FALSE(CidrRange::Parse("intranet"));
  std::vector<CidrRange> ranges;
  EXPECT_EQ(ParseCidrs({"10.0.0.0/8", "nope"}, &ranges), std::optional<std::string>("nope"));
}

}  // namespace
}  // namespace wissen

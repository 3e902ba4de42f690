#include "robots.h"

#include <gtest/gtest.h>

namespace wissen::crawler {
namespace {

TEST(RobotsTest, LongestMatchWinsAndAllowWinsTies) {
  const auto rules = RobotsRules::Parse(
      "User-agent: *\n"
      "Disallow: /private/\n"
      "Allow: /private/open.html\n"
      "Disallow: /page\n"
      "Allow: /page\n",
      "wissen");
  EXPECT_TRUE(rules.Allowed("/index.html"));
  EXPECT_FALSE(rules.Allowed("/private/secret.html"));
  EXPECT_TRUE(rules.Allowed("/private/open.html"));
  EXPECT_TRUE(rules.Allowed("/page"));  // equal length: Allow wins
}

TEST(RobotsTest, WildcardsAndEndAnchor) {
  const auto rules = RobotsRules::Parse(
      "User-agent: *\n"
      "Disallow: /*.cgi$\n"
      "Disallow: /*?session=\n"
      "Disallow: /archiv/*/alt\n",
      "wissen");
  EXPECT_FALSE(rules.Allowed("/bin/run.cgi"));
  EXPECT_TRUE(rules.Allowed("/bin/run.cgi.html"));
  EXPECT_FALSE(rules.Allowed("/a?session=1"));
  EXPECT_TRUE(rules.Allowed("/a?lang=de"));
  EXPECT_FALSE(rules.Allowed("/archiv/2019/alt/x"));
  EXPECT_TRUE(rules.Allowed("/archiv/2019/neu"));
  EXPECT_TRUE(RobotsPatternMatches("/", "/anything"));
  EXPECT_TRUE(RobotsPatternMatches("/a$", "/a"));
  EXPECT_FALSE(RobotsPatternMatches("/a$", "/ab"));
}

TEST(RobotsTest, OwnGroupReplacesStarGroupAndGroupsMerge) {
  const std::string text =
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: Googlebot\n"
      "User-agent: Wissen\n"
      "Disallow: /intern/\n"
      "Crawl-delay: 2.5\n"
      "\n"
      "User-agent: wissen\n"
      "Disallow: /tmp/\n"
      "Sitemap: https://wiki.intern/sitemap.xml\n";
  const auto rules = RobotsRules::Parse(text, "wissen");
  EXPECT_TRUE(rules.Allowed("/handbuch"));
  EXPECT_FALSE(rules.Allowed("/intern/x"));
  EXPECT_FALSE(rules.Allowed("/tmp/x"));
  EXPECT_EQ(rules.crawl_delay_ms(), 2500);
  ASSERT_EQ(rules.sitemaps().size(), 1u);
  EXPECT_EQ(rules.sitemaps()[0], "https://wiki.intern/sitemap.xml");
  // Another crawler falls back to the star group.
  EXPECT_FALSE(RobotsRules::Parse(text, "otherbot").Allowed("/handbuch"));
}

TEST(RobotsTest, EmptyDisallowCommentsGarbageAndPercentEncoding) {
  const auto rules = RobotsRules::Parse(
      "\xEF\xBB\xBFgarbage line\n"
      "User-agent: * # everyone\r\n"
      "Disallow:\r\n"
      "Disallow: /%7ejoe/ # home\r\n"
      "Crawl-delay: lots\r\n",
      "wissen");
  EXPECT_TRUE(rules.Allowed("/x"));
  EXPECT_FALSE(rules.Allowed("/~joe/a"));
  EXPECT_EQ(rules.crawl_delay_ms(), 0);
}

TEST(RobotsTest, RobotsTxtAlwaysAllowedAndDisallowAll) {
  EXPECT_TRUE(RobotsRules::DisallowAll().Allowed("/robots.txt"));
  EXPECT_FALSE(RobotsRules::DisallowAll().Allowed("/"));
  EXPECT_TRUE(RobotsRules::AllowAll().Allowed("/anything"));
  EXPECT_EQ(RobotsRules::Parse("User-agent: *\nCrawl-delay: 9999\n", "wissen").crawl_delay_ms(),
            60'000);
}

}  // namespace
}  // namespace wissen::crawler

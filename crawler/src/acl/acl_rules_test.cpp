#include "wissen/crawler/acl_rules.h"

#include <gtest/gtest.h>

namespace wissen::crawler {
namespace {

AclRules HandbookRules() {
  return AclRules(std::vector<AclRule>{
      {"hr/**", {"hr"}}, {"rnd/**", {"rnd", "management"}}, {"**", {"everyone"}}});
}

TEST(AclRulesTest, FirstMatchingRuleWins) {
  const auto decision = HandbookRules().Decide("hr/de/gehalt.html");
  EXPECT_EQ(decision.acl, Acl({"hr"}));
  EXPECT_EQ(decision.rule_index, 0);
  EXPECT_NE(decision.explanation.find("hr/**"), std::string::npos);
}

TEST(AclRulesTest, FallsThroughToCatchAll) {
  const auto decision = HandbookRules().Decide("public/reise.html");
  EXPECT_EQ(decision.acl, Acl({"everyone"}));
  EXPECT_EQ(decision.rule_index, 2);
}

TEST(AclRulesTest, NoMatchMeansNobody) {
  AclRules rules(std::vector<AclRule>{{"public/**", {"everyone"}}});
  const auto decision = rules.Decide("secret/plan.pdf");
  EXPECT_TRUE(decision.acl.empty());
  EXPECT_EQ(decision.rule_index, -1);
}

TEST(AclRulesTest, PrefixLookalikeDoesNotMatch) {
  EXPECT_EQ(HandbookRules().Decide("hrm/notes.txt").acl, Acl({"everyone"}));
}

TEST(AclRulesTest, UrlRules) {
  AclRules rules(std::vector<AclRule>{{"https://wiki.intern/hr/**", {"hr"}},
                                      {"https://wiki.intern/**", {"everyone"}}});
  EXPECT_EQ(rules.Decide("https://wiki.intern/hr/bonus").acl, Acl({"hr"}));
  EXPECT_EQ(rules.Decide("https://wiki.intern/it/vpn").acl, Acl({"everyone"}));
}

}  // namespace
}  // namespace wissen::crawler

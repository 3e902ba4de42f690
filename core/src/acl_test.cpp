#include "wissen/core/acl.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(RoleSetTest, SortsAndDeduplicates) {
  RoleSet roles({"rnd", "hr", "rnd"});
  EXPECT_EQ(roles.Key(), "hr,rnd");
}

TEST(RoleSetTest, EmptyAclIsReadableByNobody) {
  Principal admin("admin", {"hr", "rnd", "admin"});
  EXPECT_FALSE(admin.MayRead(Acl{}));
}

TEST(PrincipalTest, EveryoneIsImplied) {
  Principal user("u", {});
  EXPECT_TRUE(user.roles.Contains("everyone"));
  EXPECT_TRUE(user.MayRead(Acl({"everyone"})));
  EXPECT_FALSE(user.MayRead(Acl({"hr"})));
}

TEST(PrincipalTest, ReadsIffRolesIntersect) {
  Principal hr_user("h", {"hr"});
  EXPECT_TRUE(hr_user.MayRead(Acl({"hr", "rnd"})));
  EXPECT_FALSE(hr_user.MayRead(Acl({"rnd"})));
}

TEST(RoleNameTest, RejectsOddCharacters) {
  EXPECT_TRUE(IsValidRoleName("hr"));
  EXPECT_TRUE(IsValidRoleName("team.rnd-2"));
  EXPECT_FALSE(IsValidRoleName(""));
  EXPECT_FALSE(IsValidRoleName("HR"));
  EXPECT_FALSE(IsValidRoleName("a,b"));
  EXPECT_FALSE(IsValidRoleName("a b"));
}

}  // namespace
}  // namespace wissen

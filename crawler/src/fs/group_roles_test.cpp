#include "group_roles.h"

#include <gtest/gtest.h>

namespace wissen::crawler {
namespace {

// A posix_acl_xattr value: version 2, then {tag, perm, id} little-endian entries.
std::string AclXattr(const std::vector<std::tuple<uint16_t, uint16_t, uint32_t>>& entries) {
  std::string out = {2, 0, 0, 0};
  for (auto [tag, perm, id] : entries) {
    out += static_cast<char>(tag & 0xFF);
    out += static_cast<char>(tag >> 8);
    out += static_cast<char>(perm & 0xFF);
    out += static_cast<char>(perm >> 8);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((id >> (8 * i)) & 0xFF);
  }
  return out;
}

TEST(GroupRolesTest, PosixAclReadableGroupsHonoursMask) {
  const std::string xattr = AclXattr({{0x01, 6, 0xFFFFFFFF},  // user::rw-
                                      {0x04, 4, 0xFFFFFFFF},  // group::r--
                                      {0x08, 4, 1001},        // group:hr:r--
                                      {0x08, 0, 1002},        // group:gast:---
                                      {0x10, 4, 0xFFFFFFFF},  // mask::r--
                                      {0x20, 0, 0xFFFFFFFF}});
  EXPECT_EQ(PosixAclReadableGroups(xattr, 100), (std::vector<gid_t>{100, 1001}));
  const std::string masked = AclXattr({{0x04, 4, 0xFFFFFFFF}, {0x08, 4, 1001}, {0x10, 0, 0}});
  EXPECT_TRUE(PosixAclReadableGroups(masked, 100).empty());
  EXPECT_TRUE(PosixAclReadableGroups("junk", 100).empty());
  EXPECT_TRUE(PosixAclReadableGroups(xattr.substr(0, 9), 100).empty());
}

TEST(GroupRolesTest, UnionAddsGroupRolesToThePathRule) {
  FsSourceOptions options;
  options.group_roles = {{"hr-share", {"hr"}}, {"devs", {"rnd"}}};
  const AclDecision path{Acl({"management"}), 0, "rule 1 (match = \"**\")"};
  const auto decision = ApplyGroupRoles(options, path, {"hr-share", "users"});
  EXPECT_EQ(decision.acl, Acl({"hr", "management"}));
  EXPECT_EQ(decision.explanation, "rule 1 (match = \"**\") + group hr-share");
  // No mapped group: the path rule stands.
  EXPECT_EQ(ApplyGroupRoles(options, path, {"users"}).acl, Acl({"management"}));
  // No path rule: the group roles alone.
  EXPECT_EQ(ApplyGroupRoles(options, {Acl{}, -1, "no rule matched"}, {"devs"}).acl, Acl({"rnd"}));
}

TEST(GroupRolesTest, ReplaceUsesOnlyGroupRoles) {
  FsSourceOptions options;
  options.group_roles = {{"hr-share", {"hr"}}};
  options.group_roles_mode = FsSourceOptions::GroupRolesMode::kReplace;
  const AclDecision path{Acl({"everyone"}), 0, "rule 1"};
  const auto decision = ApplyGroupRoles(options, path, {"hr-share"});
  EXPECT_EQ(decision.acl, Acl({"hr"}));
  EXPECT_EQ(decision.explanation, "group hr-share");
}

}  // namespace
}  // namespace wissen::crawler

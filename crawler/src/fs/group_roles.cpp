#include "group_roles.h"

#include <grp.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstring>

namespace wissen::crawler {
namespace {

// From linux/posix_acl_xattr.h and linux/posix_acl.h (not every system installs them).
constexpr uint32_t kAclXattrVersion = 2;
constexpr uint16_t kAclUserObj = 0x01;
constexpr uint16_t kAclGroupObj = 0x04;
constexpr uint16_t kAclGroup = 0x08;
constexpr uint16_t kAclMask = 0x10;
constexpr uint16_t kAclRead = 0x04;

uint32_t Le32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint16_t Le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }

std::string GroupName(gid_t gid) {
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer(4096);
  while (getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == ERANGE &&
         buffer.size() < (1u << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  return found != nullptr ? std::string(found->gr_name) : std::to_string(gid);
}

}  // namespace

std::vector<gid_t> PosixAclReadableGroups(std::string_view xattr, gid_t owner_gid) {
  std::vector<gid_t> groups;
  if (xattr.size() < 4 || (xattr.size() - 4) % 8 != 0) return groups;
  const auto* bytes = reinterpret_cast<const unsigned char*>(xattr.data());
  if (Le32(bytes) != kAclXattrVersion) return groups;
  uint16_t mask = 0x07;
  for (size_t pos = 4; pos < xattr.size(); pos += 8) {
    if (Le16(bytes + pos) == kAclMask) mask = Le16(bytes + pos + 2);
  }
  for (size_t pos = 4; pos < xattr.size(); pos += 8) {
    const uint16_t tag = Le16(bytes + pos);
    const uint16_t perm = Le16(bytes + pos + 2) & mask;
    if ((perm & kAclRead) == 0 || tag == kAclUserObj) continue;
    if (tag == kAclGroupObj) groups.push_back(owner_gid);
    if (tag == kAclGroup) groups.push_back(static_cast<gid_t>(Le32(bytes + pos + 4)));
  }
  return groups;
}

std::vector<std::string> ReadableGroups(const std::filesystem::path& file,
                                        const struct stat& info) {
  std::vector<gid_t> gids;
  char buffer[4096];
  const ssize_t size = getxattr(file.c_str(), "system.posix_acl_access", buffer, sizeof buffer);
  if (size > 0) {
    gids = PosixAclReadableGroups(std::string_view(buffer, static_cast<size_t>(size)), info.st_gid);
  } else if ((info.st_mode & S_IRGRP) != 0) {
    // No ACL (or the file system has none): the mode bits decide.
    gids.push_back(info.st_gid);
  }
  std::vector<std::string> names;
  for (gid_t gid : gids) names.push_back(GroupName(gid));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

AclDecision ApplyGroupRoles(const FsSourceOptions& options, AclDecision decision,
                            const std::vector<std::string>& groups) {
  std::vector<std::string> roles;
  std::string mapped;
  for (const auto& group : groups) {
    auto it = options.group_roles.find(group);
    if (it == options.group_roles.end()) continue;
    roles.insert(roles.end(), it->second.begin(), it->second.end());
    mapped += (mapped.empty() ? "group " : ", group ") + group;
  }
  if (mapped.empty()) return decision;
  if (options.group_roles_mode == FsSourceOptions::GroupRolesMode::kReplace ||
      decision.rule_index < 0) {
    return {Acl(std::move(roles)), decision.rule_index, mapped};
  }
  roles.insert(roles.end(), decision.acl.roles().begin(), decision.acl.roles().end());
  return {Acl(std::move(roles)), decision.rule_index, decision.explanation + " + " + mapped};
}

}  // namespace wissen::crawler

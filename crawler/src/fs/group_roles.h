// Role mapping from POSIX groups for the file-system source. Private to the crawler.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/fs_crawler.h"

namespace wissen::crawler {

// Group ids with read permission in a system.posix_acl_access xattr value (Linux's
// posix_acl_xattr format: version 2, then {tag, perm, id} entries): named groups, and the
// owning group under tag GROUP_OBJ (reported as `owner_gid`), both masked by ACL_MASK.
// Empty for a malformed value.
std::vector<gid_t> PosixAclReadableGroups(std::string_view xattr, gid_t owner_gid);

// The names of the groups that may read the file: the owning group (when group-readable) and
// the named groups of its POSIX ACL. Unknown gids are given as their number.
std::vector<std::string> ReadableGroups(const std::filesystem::path& file, const struct stat& info);

// Combines the path rules' decision with the roles of `groups` as `options` says.
AclDecision ApplyGroupRoles(const FsSourceOptions& options, AclDecision decision,
                            const std::vector<std::string>& groups);

}  // namespace wissen::crawler

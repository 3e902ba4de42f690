// Access control vocabulary: roles, ACLs and principals.
//
// A document's ACL is the set of roles that may read it. An empty ACL means nobody may read
// it (fail closed). A principal may read a document iff their role sets intersect. Every
// principal holds the role "everyone". Values; thread-compatible.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace wissen {

inline constexpr std::string_view kEveryoneRole = "everyone";

// A sorted, duplicate-free set of role names.
class RoleSet {
 public:
  RoleSet() = default;
  explicit RoleSet(std::vector<std::string> roles);
  RoleSet(std::initializer_list<std::string> roles);

  const std::vector<std::string>& roles() const { return roles_; }
  bool empty() const { return roles_.empty(); }
  bool Contains(std::string_view role) const;
  bool Intersects(const RoleSet& other) const;
  // Canonical text form "a,b,c" (sorted); used as partition key and cache-key part.
  std::string Key() const;

  friend bool operator==(const RoleSet&, const RoleSet&) = default;
  friend auto operator<=>(const RoleSet&, const RoleSet&) = default;

 private:
  std::vector<std::string> roles_;
};

using Acl = RoleSet;

// Whether a role name is well-formed: 1-64 chars of [a-z0-9_.-]. Role names travel into
// Xapian terms, file names and SQL arrays, so the alphabet is kept small on purpose.
bool IsValidRoleName(std::string_view role);

// A user or service with roles. The constructor adds "everyone".
struct Principal {
  std::string name;
  RoleSet roles;

  Principal() : roles({std::string(kEveryoneRole)}) {}
  Principal(std::string principal_name, std::vector<std::string> role_names);

  bool MayRead(const Acl& acl) const { return roles.Intersects(acl); }
};

}  // namespace wissen

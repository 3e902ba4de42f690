#include "wissen/core/acl.h"

#include <algorithm>

namespace wissen {

RoleSet::RoleSet(std::vector<std::string> roles) : roles_(std::move(roles)) {
  std::sort(roles_.begin(), roles_.end());
  roles_.erase(std::unique(roles_.begin(), roles_.end()), roles_.end());
}

RoleSet::RoleSet(std::initializer_list<std::string> roles)
    : RoleSet(std::vector<std::string>(roles)) {}

bool RoleSet::Contains(std::string_view role) const {
  return std::binary_search(roles_.begin(), roles_.end(), role);
}

bool RoleSet::Intersects(const RoleSet& other) const {
  auto a = roles_.begin();
  auto b = other.roles_.begin();
  while (a != roles_.end() && b != other.roles_.end()) {
    if (*a == *b) return true;
    if (*a < *b) {
      ++a;
    } else {
      ++b;
    }
  }
  return false;
}

std::string RoleSet::Key() const {
  std::string key;
  for (const auto& role : roles_) {
    if (!key.empty()) key += ',';
    key += role;
  }
  return key;
}

bool IsValidRoleName(std::string_view role) {
  if (role.empty() || role.size() > 64) return false;
  return std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

Principal::Principal(std::string principal_name, std::vector<std::string> role_names)
    : name(std::move(principal_name)) {
  role_names.emplace_back(kEveryoneRole);
  roles = RoleSet(std::move(role_names));
}

}  // namespace wissen

// ACL rules: map a document's path (relative to its source root) or URL to the roles that
// may read it. The first rule whose glob matches wins; when none matches the ACL is empty
// and nobody may read the document (fail closed). Immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/acl.h"

namespace wissen::crawler {

struct AclRule {
  std::string match;               // glob, see wissen/core/glob.h
  std::vector<std::string> roles;  // validated role names
};

struct AclDecision {
  Acl acl;
  int rule_index = -1;      // 0-based index of the deciding rule, -1 = none matched
  std::string explanation;  // "rule 2 (match = \"hr/**\")" or "no rule matched"
};

class AclRules {
 public:
  AclRules() = default;
  explicit AclRules(std::vector<AclRule> rules) : rules_(std::move(rules)) {}

  AclDecision Decide(std::string_view path) const;
  const std::vector<AclRule>& rules() const { return rules_; }

 private:
  std::vector<AclRule> rules_;
};

}  // namespace wissen::crawler

#include "wissen/crawler/acl_rules.h"

#include "wissen/core/glob.h"

namespace wissen::crawler {

AclDecision AclRules::Decide(std::string_view path) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (GlobMatch(rules_[i].match, path)) {
      return {Acl(rules_[i].roles), static_cast<int>(i),
              "rule " + std::to_string(i + 1) + " (match = \"" + rules_[i].match + "\")"};
    }
  }
  return {Acl{}, -1, "no rule matched"};
}

}  // namespace wissen::crawler

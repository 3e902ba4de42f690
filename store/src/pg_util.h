// Helpers shared by the PostgreSQL code in store/: mapping libpqxx exceptions to Errors at
// the module edge, and the text encodings used for role and id arrays.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <unordered_map>

#include "wissen/core/acl.h"
#include "wissen/core/log.h"
#include "wissen/core/result.h"
#include "wissen/core/text.h"

namespace wissen::store {

// Runs `body`, turning libpqxx and std exceptions into an Error whose message names the
// action but holds no SQL (the detail goes to the debug log only).
template <typename Body>
auto Guard(const char* action, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const pqxx::broken_connection& e) {
    log::Debug("store.database_error", {{"action", action}, {"detail", e.what()}});
    return Fail(ErrorCode::kUnavailable,
                std::string("cannot ") + action + ": the database is not reachable");
  } catch (const std::exception& e) {
    log::Debug("store.database_error", {{"action", action}, {"detail", e.what()}});
    return Fail(ErrorCode::kInternal, std::string("cannot ") + action + ": database error");
  }
}

// Role names are validated to [a-z0-9_.-], so a comma-joined list is unambiguous.
inline RoleSet ParseRoleList(const std::string& joined) {
  return RoleSet(SplitNonEmpty(joined, ','));
}

inline std::string JoinIds(std::span<const int64_t> ids) {
  std::string joined;
  joined.reserve(ids.size() * 8);
  for (int64_t id : ids) {
    if (!joined.empty()) joined += ',';
    joined += std::to_string(id);
  }
  return joined;
}

}  // namespace wissen::store

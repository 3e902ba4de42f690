// Route table matching: "GET /api/v1/documents/{id}" style templates, {name} matching one
// non-empty path segment. The template (not the raw path) is what metrics label requests
// with, so ids never become label values. Thread-safe after construction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wissen::server {

enum class Access {
  kPublic,  // no credentials needed (health, login, static chat files)
  kUser,    // any authenticated, enabled user
  kAdmin,   // users holding the configured admin role
};

template <typename Handler>
struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kUser;
  Handler handler;
};

struct RouteMatch {
  int index = -1;  // into the table; -1 when nothing matched
  int status = 0;  // 404 (no such path) or 405 (path known, method not) when index is -1
  std::map<std::string, std::string> params;
};

// Splits "/a/b/" into {"a","b"}.
std::vector<std::string_view> PathSegments(std::string_view path);

// `patterns` holds {method, pattern} pairs in table order; the first match wins.
RouteMatch MatchRoute(const std::vector<std::pair<std::string, std::string>>& patterns,
                      std::string_view method, std::string_view path);

// The methods `path` answers, as an Allow header value ("GET, HEAD, OPTIONS"); empty when no
// route matches the path.
std::string AllowedMethods(const std::vector<std::pair<std::string, std::string>>& patterns,
                           std::string_view path);

}  // namespace wissen::server

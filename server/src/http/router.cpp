#include "http/router.h"

#include <algorithm>

namespace wissen::server {

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

namespace {

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string>* params) {
  const auto want = PathSegments(pattern);
  const auto have = PathSegments(path);
  if (want.size() != have.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::string(have[i]));
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

}  // namespace

RouteMatch MatchRoute(const std::vector<std::pair<std::string, std::string>>& patterns,
                      std::string_view method, std::string_view path) {
  RouteMatch match;
  match.status = 404;
  for (size_t i = 0; i < patterns.size(); ++i) {
    std::map<std::string, std::string> params;
    if (!MatchPattern(patterns[i].second, path, &params)) continue;
    if (patterns[i].first == method || (method == "HEAD" && patterns[i].first == "GET")) {
      match.index = static_cast<int>(i);
      match.status = 0;
      match.params = std::move(params);
      return match;
    }
    match.status = 405;
  }
  return match;
}

std::string AllowedMethods(const std::vector<std::pair<std::string, std::string>>& patterns,
                           std::string_view path) {
  std::vector<std::string> methods;
  for (const auto& [method, pattern] : patterns) {
    std::map<std::string, std::string> params;
    if (!MatchPattern(pattern, path, &params)) continue;
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
      methods.push_back(method);
    }
    if (method == "GET" && std::find(methods.begin(), methods.end(), "HEAD") == methods.end()) {
      methods.push_back("HEAD");
    }
  }
  if (methods.empty()) return "";
  std::string allow;
  for (const auto& method : methods) allow += method + ", ";
  return allow + "OPTIONS";
}

}  // namespace wissen::server

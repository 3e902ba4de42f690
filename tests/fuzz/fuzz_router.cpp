// Fuzz target: MatchRoute and AllowedMethods over the real route table
// (HttpServer::Routes()). Input: "METHOD /decoded/path"; without a space, GET and the whole
// input as the path.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "http/router.h"
#include "wissen/server/http_server.h"

namespace {

using wissen::server::AllowedMethods;
using wissen::server::MatchRoute;
using wissen::server::PathSegments;
using wissen::server::RouteMatch;

const std::vector<std::pair<std::string, std::string>>& Table() {
  static const std::vector<std::pair<std::string, std::string>> routes =
      wissen::server::HttpServer::Routes();
  return routes;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The methods in an Allow value, "GET, HEAD, OPTIONS" -> {GET, HEAD, OPTIONS}.
std::set<std::string> SplitAllow(const std::string& allow) {
  std::set<std::string> methods;
  size_t start = 0;
  while (start <= allow.size() && !allow.empty()) {
    size_t end = allow.find(", ", start);
    if (end == std::string::npos) end = allow.size();
    methods.insert(allow.substr(start, end - start));
    start = end + 2;
  }
  return methods;
}

// The match the route at `index` must produce: the path's segments in the template's shape.
void CheckMatch(const RouteMatch& match, std::string_view path) {
  const auto& [method, pattern] = Table()[match.index];
  const auto want = PathSegments(pattern);
  const auto have = PathSegments(path);
  WISSEN_FUZZ_CHECK(want.size() == have.size());
  size_t parameters = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!IsParameter(want[i])) {
      WISSEN_FUZZ_CHECK(want[i] == have[i]);
      continue;
    }
    ++parameters;
    const std::string name(want[i].substr(1, want[i].size() - 2));
    const auto found = match.params.find(name);
    WISSEN_FUZZ_CHECK(found != match.params.end());
    WISSEN_FUZZ_CHECK(!found->second.empty());
    WISSEN_FUZZ_CHECK(found->second.find('/') == std::string::npos);
    WISSEN_FUZZ_CHECK(found->second == have[i]);
  }
  WISSEN_FUZZ_CHECK(match.params.size() == parameters);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t space = input.find(' ');
  const std::string_view method = space == std::string_view::npos ? "GET" : input.substr(0, space);
  const std::string_view path = space == std::string_view::npos ? input : input.substr(space + 1);

  const auto& table = Table();
  const RouteMatch match = MatchRoute(table, method, path);
  const std::string allow = AllowedMethods(table, path);
  const std::set<std::string> allowed = SplitAllow(allow);

  if (match.index >= 0) {
    WISSEN_FUZZ_CHECK(static_cast<size_t>(match.index) < table.size());
    WISSEN_FUZZ_CHECK(match.status == 0);
    const std::string& route_method = table[match.index].first;
    WISSEN_FUZZ_CHECK(route_method == method || (method == "HEAD" && route_method == "GET"));
    CheckMatch(match, path);
    // The first match wins: no earlier route answers this method and path.
    for (int i = 0; i < match.index; ++i) {
      const RouteMatch earlier =
          MatchRoute({table.begin() + i, table.begin() + i + 1}, method, path);
      WISSEN_FUZZ_CHECK(earlier.index < 0);
    }
    WISSEN_FUZZ_CHECK(allowed.contains(std::string(method)));
  } else {
    WISSEN_FUZZ_CHECK(match.status == 404 || match.status == 405);
    WISSEN_FUZZ_CHECK(match.params.empty());
    // 405 exactly when the path is known under another method.
    WISSEN_FUZZ_CHECK((match.status == 405) == !allow.empty());
    if (method != "OPTIONS") WISSEN_FUZZ_CHECK(!allowed.contains(std::string(method)));
  }
  if (!allow.empty()) {
    WISSEN_FUZZ_CHECK(allow.ends_with(", OPTIONS"));
    // Every method the Allow header names (but OPTIONS, which Api::Handle answers) routes.
    for (const auto& listed : allowed) {
      if (listed == "OPTIONS") continue;
      const RouteMatch routed = MatchRoute(table, listed, path);
      WISSEN_FUZZ_CHECK(routed.index >= 0);
      CheckMatch(routed, path);
    }
  }
  return 0;
}

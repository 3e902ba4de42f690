#include "wissen/core/glob.h"

namespace wissen {
namespace {

// Recursive matcher with memo-free backtracking; patterns in configs are short, and each
// '*' or '**' only backtracks over the remaining path, so the cost stays small in practice.
bool MatchFrom(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.starts_with("**")) {
      std::string_view rest = p.substr(2);
      // "**/" may match zero directories: "**/x" matches "x", "a/**/x" matches "a/x".
      if (rest.starts_with('/') && MatchFrom(rest.substr(1), s)) return true;
      for (size_t i = 0; i <= s.size(); ++i) {
        if (MatchFrom(rest, s.substr(i))) return true;
      }
      return false;
    }
    if (p.front() == '*') {
      std::string_view rest = p.substr(1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (MatchFrom(rest, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/') break;
      }
      return false;
    }
    // "a/**" matches "a" itself: a trailing "/**" may match nothing.
    if (p == "/**" && s.empty()) return true;
    if (s.empty()) return false;
    if (p.front() == '?') {
      if (s.front() == '/') return false;
    } else if (p.front() != s.front()) {
      return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) { return MatchFrom(pattern, path); }

}  // namespace wissen

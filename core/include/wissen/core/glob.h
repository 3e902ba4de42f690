// Glob patterns over '/'-separated paths and URLs, as used by include/exclude lists and
// ACL rules:
//   *   any run of characters except '/'
//   **  any run of characters including '/'; "a/**" also matches "a" itself and "**/x"
//       matches "x" at the top level
//   ?   one character except '/'
// Everything else matches itself. Matching is case-sensitive (file shares on Linux are).
#pragma once

#include <string_view>

namespace wissen {

bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace wissen

#include "wissen/core/json.h"

#include <string>

namespace wissen {
namespace {

// Whether arrays and objects nest deeper than `max_depth` outside of strings. Brackets
// need not balance: the parser rejects such text afterwards.
bool NestsDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

Result<nlohmann::json> ParseUntrustedJson(std::string_view text, int max_depth) {
  if (NestsDeeperThan(text, max_depth)) {
    return Fail(ErrorCode::kInvalidArgument,
                "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Fail(ErrorCode::kInvalidArgument, "not valid JSON");
  return value;
}

}  // namespace wissen

// Parsing JSON from untrusted sources (request bodies, model servers) with a nesting limit.
//
// nlohmann::json parses deep nesting fine, but copying or comparing such a value recurses
// once per level: 60,000 nested arrays in a chat message overflowed a worker's stack. The
// limit is checked by one linear scan before the parser builds anything. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "wissen/core/result.h"

namespace wissen {

// Deeper than any request or model response Wissen understands (they nest 4 to 6 levels).
inline constexpr int kMaxJsonDepth = 64;

// The parsed value. Errors: kInvalidArgument when `text` is not JSON, or nests arrays and
// objects deeper than `max_depth` (the message says which; it never quotes the text).
Result<nlohmann::json> ParseUntrustedJson(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace wissen

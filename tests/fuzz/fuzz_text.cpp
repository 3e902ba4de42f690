// Fuzz target: the UTF-8 helpers request text passes through (text.h): IsValidUtf8 (checked
// against RFC 3629 written out here), SanitizeUtf8, NormalizeNfc and Utf8Prefix. Input: two
// bytes of prefix length (little-endian), then the text.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "wissen/core/text.h"

namespace {

// RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF.
bool WellFormedUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (b <= 0x7F) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) low = 0xA0;
      if (b == 0xED) high = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) low = 0x90;
      if (b == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > n) return false;
    if (s[i + 1] < low || s[i + 1] > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_bytes = data[0] | (static_cast<size_t>(data[1]) << 8);
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  const bool valid = wissen::IsValidUtf8(text);
  WISSEN_FUZZ_CHECK(valid == WellFormedUtf8(text));

  const std::string sanitized = wissen::SanitizeUtf8(text);
  WISSEN_FUZZ_CHECK(WellFormedUtf8(sanitized));
  WISSEN_FUZZ_CHECK(!valid || sanitized == text);
  WISSEN_FUZZ_CHECK(sanitized.size() <= 3 * text.size());

  const std::string nfc = wissen::NormalizeNfc(text);
  WISSEN_FUZZ_CHECK(WellFormedUtf8(nfc));
  WISSEN_FUZZ_CHECK(wissen::NormalizeNfc(nfc) == nfc);
  WISSEN_FUZZ_CHECK(wissen::NormalizeNfc(sanitized) == nfc);

  for (const size_t limit : {max_bytes, size_t{80}}) {  // 80: a conversation title
    const std::string_view prefix = wissen::Utf8Prefix(text, limit);
    WISSEN_FUZZ_CHECK(prefix.size() <= limit);
    WISSEN_FUZZ_CHECK(prefix.data() == text.data());
    if (text.size() <= limit) WISSEN_FUZZ_CHECK(prefix.size() == text.size());
    if (valid) {
      WISSEN_FUZZ_CHECK(WellFormedUtf8(prefix));
      // Only the sequence the limit falls into is cut.
      WISSEN_FUZZ_CHECK(prefix.size() + 3 >= std::min(limit, text.size()));
    }
  }
  return 0;
}

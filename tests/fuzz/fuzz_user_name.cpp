// Fuzz target: NormalizeUserName, the one rule for user names from the login form, the CLI
// and single sign-on headers. Checks the contract in credentials.h on every accepted name.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "wissen/app/credentials.h"
#include "wissen/core/text.h"

namespace {

UChar32 FirstCodePoint(std::string_view text) {
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, static_cast<int32_t>(text.size()), c);
  return c;
}

UChar32 LastCodePoint(std::string_view text) {
  int32_t i = static_cast<int32_t>(text.size());
  UChar32 c;
  U8_PREV(reinterpret_cast<const uint8_t*>(text.data()), 0, i, c);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto name = wissen::app::NormalizeUserName(raw);
  if (!name) {
    WISSEN_FUZZ_CHECK(name.error().code == wissen::ErrorCode::kInvalidArgument);
    return 0;
  }
  const std::string& out = *name;
  WISSEN_FUZZ_CHECK(!out.empty() && out.size() <= 128);
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(out));
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(raw));
  for (size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    WISSEN_FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    // C1 controls, U+0080..U+009F.
    WISSEN_FUZZ_CHECK(
        !(c == 0xC2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) <= 0x9F));
  }
  WISSEN_FUZZ_CHECK(out.find_first_of("/\\<>\"'`;") == std::string::npos);
  // "no white space at either end": Unicode White_Space, not only U+0020.
  WISSEN_FUZZ_CHECK(!u_isUWhiteSpace(FirstCodePoint(out)));
  WISSEN_FUZZ_CHECK(!u_isUWhiteSpace(LastCodePoint(out)));
  // Stored names are compared byte for byte: the result is NFC and a fixed point.
  WISSEN_FUZZ_CHECK(wissen::NormalizeNfc(out) == out);
  const auto again = wissen::app::NormalizeUserName(out);
  WISSEN_FUZZ_CHECK(again && *again == out);
  return 0;
}

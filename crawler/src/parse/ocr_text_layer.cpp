// NeedsOcr: whether a PDF page's text layer is usable or the page must be recognised. A
// single pass over the text, counting characters and classifying tokens by their Unicode
// categories (ICU).
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "wissen/core/text.h"
#include "wissen/crawler/ocr.h"

namespace wissen::crawler {
namespace {

constexpr size_t kNeedsOcrSampleBytes = 64 * 1024;
constexpr size_t kMinLetters = 10;

bool IsSeparator(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         u_isUWhiteSpace(c);
}

// Characters no language writes: what a font without a Unicode mapping, or a scanner's
// text layer, leaves behind. Negative: an invalid UTF-8 sequence.
bool IsUnusable(UChar32 c) {
  if (c < 0 || c == 0xFFFD) return true;
  switch (u_charType(c)) {
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_SURROGATE:
    case U_CONTROL_CHAR:
      return true;
    default:
      return false;
  }
}

bool IsLetterOrMark(UChar32 c) { return u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0; }

bool IsPunctuationOrSymbol(UChar32 c) {
  return (U_GET_GC_MASK(c) & (U_GC_P_MASK | U_GC_S_MASK)) != 0;
}

enum class TokenKind { kReal, kPunctuation, kOther };

// A whitespace-separated token: real (a word such as "Mitarbeiter", "z.B.", "COVID-19", or a
// number such as "11:30", "1.234,56", "3a"), punctuation only (a dash, a bullet, a dot
// leader), or other (a single letter, glyph soup).
TokenKind ClassifyToken(const std::vector<UChar32>& token) {
  size_t begin = 0, end = token.size();
  while (begin < end && IsPunctuationOrSymbol(token[begin])) ++begin;
  while (end > begin && IsPunctuationOrSymbol(token[end - 1])) --end;
  if (begin == end) return TokenKind::kPunctuation;
  size_t letters = 0, digits = 0, punctuation = 0, symbols = 0;
  // Switches between letters and digits: "COVID-19" and "B2B" have one or two, glyph soup
  // such as "a1b2c3" many.
  size_t switches = 0;
  int last = 0;  // 1 letter, 2 digit
  for (size_t i = begin; i < end; ++i) {
    const UChar32 c = token[i];
    if (IsUnusable(c)) return TokenKind::kOther;
    int kind = 0;
    if (IsLetterOrMark(c)) {
      ++letters;
      kind = 1;
    } else if (u_isdigit(c)) {
      ++digits;
      kind = 2;
    } else if ((U_GET_GC_MASK(c) & U_GC_S_MASK) != 0) {
      ++symbols;
    } else {
      ++punctuation;
    }
    if (kind != 0) {
      if (last != 0 && kind != last) ++switches;
      last = kind;
    }
  }
  if (switches > 2) return TokenKind::kOther;
  if (letters >= 2 && symbols == 0 && punctuation * 2 <= letters) return TokenKind::kReal;
  if (digits >= 1 && letters <= 3 && symbols <= 1) return TokenKind::kReal;
  return TokenKind::kOther;
}

}  // namespace

bool NeedsOcr(std::string_view page_text) {
  const std::string_view text = Utf8Prefix(page_text, kNeedsOcrSampleBytes);
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  size_t letters = 0, alphanumeric = 0, visible = 0, unusable = 0;
  size_t tokens = 0, real_tokens = 0;
  std::vector<UChar32> token;
  const auto end_token = [&] {
    if (token.empty()) return;
    const TokenKind kind = ClassifyToken(token);
    if (kind != TokenKind::kPunctuation) ++tokens;
    if (kind == TokenKind::kReal) ++real_tokens;
    token.clear();
  };
  UChar32 previous = -1;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0 && IsSeparator(c)) {
      end_token();
      previous = -1;
      continue;
    }
    // Format characters (soft hyphens, zero-width joiners) are neither seen nor garbage.
    if (c >= 0 && u_charType(c) == U_FORMAT_CHAR) continue;
    // A run of one punctuation character counts once: dot leaders in a table of contents
    // ("Einleitung ........ 5"), lines to fill in on a form ("Name: ________").
    if (c >= 0 && c == previous && IsPunctuationOrSymbol(c)) continue;
    previous = c;
    ++visible;
    token.push_back(c);
    if (IsUnusable(c)) {
      ++unusable;
    } else if (IsLetterOrMark(c)) {
      ++letters;
      ++alphanumeric;
    } else if (u_isdigit(c)) {
      ++alphanumeric;
    }
  }
  end_token();
  return letters < kMinLetters || alphanumeric * 2 < visible || unusable * 5 > visible ||
         real_tokens * 2 < tokens;
}

}  // namespace wissen::crawler

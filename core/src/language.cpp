#include "wissen/core/language.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "wissen/core/document.h"

namespace wissen {
namespace {

// Function words that are frequent in one language and rare in the other. Words both
// languages use ("in", "was", "so", "also", "will", "an", "am", "man", "war", "hat") are
// left out on purpose: they would count for both sides.
constexpr std::string_view kGermanWords[] = {
    "der",    "die",     "das",      "und",     "ist",    "nicht",    "mit",    "für",    "auf",
    "ein",    "eine",    "einer",    "eines",   "einem",  "einen",    "werden", "wird",   "sich",
    "von",    "zu",      "zum",      "zur",     "den",    "dem",      "des",    "im",     "sind",
    "oder",   "auch",    "bei",      "nach",    "aus",    "wie",      "wer",    "wo",     "wann",
    "warum",  "welche",  "welcher",  "welches", "ich",    "wir",      "sie",    "er",     "es",
    "du",     "ihr",     "mein",     "meine",   "unser",  "unsere",   "kann",   "können", "muss",
    "müssen", "darf",    "dürfen",   "soll",    "sollen", "wurde",    "wurden", "haben",  "hatte",
    "sein",   "seine",   "ihre",     "noch",    "nur",    "über",     "unter",  "aber",   "wenn",
    "dass",   "weil",    "durch",    "vom",     "beim",   "gibt",     "keine",  "kein",   "mehr",
    "sehr",   "schon",   "diese",    "dieser",  "dieses", "zwischen", "gegen",  "ohne",   "bis",
    "gilt",   "wieviel", "wieviele", "jeder",   "jede",   "alle",
};

constexpr std::string_view kEnglishWords[] = {
    "the",    "and",   "is",    "of",      "to",      "that", "it",    "for",   "with",  "are",
    "be",     "this",  "a",     "on",      "by",      "from", "at",    "or",    "not",   "have",
    "has",    "had",   "were",  "been",    "which",   "what", "who",   "where", "when",  "why",
    "how",    "can",   "could", "should",  "would",   "must", "do",    "does",  "did",   "i",
    "we",     "you",   "they",  "he",      "she",     "my",   "our",   "your",  "their", "its",
    "there",  "these", "those", "if",      "but",     "than", "then",  "into",  "about", "after",
    "before", "under", "over",  "between", "without", "any",  "all",   "each",  "every", "no",
    "may",    "shall", "more",  "most",    "only",    "such", "other", "some",  "many",  "much",
    "get",    "use",   "used",  "need",
};

bool Contains(std::string_view word, const auto& list) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool IsGermanLetter(UChar32 c) {
  // ä ö ü ß and their capitals; "ẞ" (U+1E9E) is rare but unambiguous.
  switch (c) {
    case 0xE4:
    case 0xF6:
    case 0xFC:
    case 0xDF:
    case 0xC4:
    case 0xD6:
    case 0xDC:
    case 0x1E9E:
      return true;
    default:
      return false;
  }
}

// Past this many bytes the counts have long decided; big documents stay cheap.
constexpr size_t kMaxScanBytes = 64 * 1024;

// Longer tokens cannot be function words; they are scanned for umlauts but not looked up.
constexpr size_t kMaxWordBytes = 16;

}  // namespace

std::string DetectLanguage(std::string_view text) {
  if (text.size() > kMaxScanBytes) text = text.substr(0, kMaxScanBytes);
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());

  int german_words = 0;
  int english_words = 0;
  int umlaut_words = 0;

  std::string word;  // lower-cased letters of the current word
  bool word_has_umlaut = false;
  bool word_too_long = false;
  const auto finish_word = [&] {
    if (!word.empty()) {
      if (!word_too_long) {
        if (Contains(word, kGermanWords)) ++german_words;
        if (Contains(word, kEnglishWords)) ++english_words;
      }
      if (word_has_umlaut) ++umlaut_words;
    }
    word.clear();
    word_has_umlaut = false;
    word_too_long = false;
  };

  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const bool letter = c >= 0 && (c < 0x80 ? ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                                            : static_cast<bool>(u_isalpha(c)));
    if (!letter) {
      finish_word();
      continue;
    }
    if (IsGermanLetter(c)) word_has_umlaut = true;
    if (word.size() + 4 > kMaxWordBytes) {
      word_too_long = true;
      continue;
    }
    if (c < 0x80) {
      word += static_cast<char>(c | 0x20);
    } else {
      const UChar32 lower = u_tolower(c);
      char buffer[4];
      int32_t n = 0;
      U8_APPEND_UNSAFE(buffer, n, lower);
      word.append(buffer, n);
    }
  }
  finish_word();

  // Umlauts and ß are strong evidence for German but also appear in names ("Müller") in
  // English text, so they count for less than a function word.
  const double german = german_words + 0.5 * umlaut_words;
  const double english = english_words;
  // One clear hit decides a short question; on longer text the winner needs a margin, so
  // a document that mixes both languages evenly stays "" rather than being guessed.
  if (german >= 1 && german > 1.5 * english) return kLanguageGerman;
  if (english >= 1 && english > 1.5 * german) return kLanguageEnglish;
  return "";
}

}  // namespace wissen

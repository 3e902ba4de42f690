#include "wissen/core/sentences.h"

#include <unicode/brkiter.h>
#include <unicode/filteredbrk.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace wissen {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsGerman(std::string_view language) {
  return language.size() >= 2 && (language[0] == 'd' || language[0] == 'D') &&
         (language[1] == 'e' || language[1] == 'E') &&
         (language.size() == 2 || language[2] == '-' || language[2] == '_');
}

// Abbreviations after which ICU's sentence rules would break when an upper-case word follows
// ("Dr. Müller", German nouns after "z. B."). ICU's filter matches them as a suffix of the
// text before the break, without looking for a word start, so every entry here must be
// safe as a suffix: "Art." never ends another word, but "z." ends "Satz." and "ca." ends
// "America.". That is also why the locales' own suppression lists are not used: the German
// one contains "r." and "s.", which would swallow every sentence ending in "Mitarbeiter."
// or "alles.". Multi-part entries ("z. B.") are safe: ICU confirms them forwards (and
// AbbreviationGuard handles the break after them).
constexpr std::string_view kGermanAbbreviations[] = {
    "z. B.", "z.B.", "d. h.",    "d.h.",   "u. a.", "u.a.",  "o. ä.", "o.ä.",  "u. U.", "u.U.",
    "z. T.", "z.T.", "i. d. R.", "i.d.R.", "s. o.", "s. u.", "v. a.", "bzw.",  "ggf.",  "ggfs.",
    "usw.",  "vgl.", "Vgl.",     "Abs.",   "Art.",  "Nr.",   "Nrn.",  "Ziff.", "Kap.",  "Abb.",
    "Tab.",  "Anl.", "Anm.",     "evtl.",  "inkl.", "exkl.", "zzgl.", "bspw.", "sog.",  "allg.",
    "Std.",  "Mio.", "Mrd.",     "Tel.",   "Str.",  "Hr.",   "Hrn.",  "Fr.",   "Jh.",   "Jhd.",
    "geb.",  "gem.", "Dipl.",    "Ing.",   "Prof.", "Dr.",   "Hrsg.", "Aufl.", "Bd.",   "Febr.",
    "Okt.",  "Dez.", "e. V.",    "Co.",
};
constexpr std::string_view kEnglishAbbreviations[] = {
    "e.g.",  "i.e.", "etc.",  "Fig.", "Figs.",  "No.",  "Nos.",    "vs.",  "Mr.",  "Mrs.",
    "Ms.",   "Dr.",  "Prof.", "Jr.",  "Sr.",    "St.",  "approx.", "Inc.", "Ltd.", "Corp.",
    "Dept.", "Jan.", "Feb.",  "Mar.", "Apr.",   "Jun.", "Jul.",    "Aug.", "Sep.", "Sept.",
    "Oct.",  "Nov.", "Dec.",  "cf.",  "et al.", "Eq.",  "Sec.",    "Vol.", "Co.",  "Nr.",
};

// Short abbreviations that are unsafe as ICU suffixes ("ca." ends "America.", "S." ends
// "AWS.", "lt." ends "Gehalt."); a break after them is dropped only when the whole
// whitespace-delimited token matches.
constexpr std::string_view kWholeTokenAbbreviations[] = {
    "ca.", "Ca.", "S.", "s.", "f.", "ff.", "lt.", "Lt.", "pp.", "p.", "Bsp.", "bzgl.", "Tsd.",
};

// Breaks that follow an abbreviation ICU cannot suppress: the short ones above, and the end
// of multi-part ones ("z. B.", "e.g."). ICU's filter treats an entry with an inner '.' as
// "prefix, then confirm forwards", so it only suppresses the break inside "z. | B.", never
// the one after it. Matched on whole tokens (up to three, joined by one space).
class AbbreviationGuard {
 public:
  static const AbbreviationGuard& Get() {
    static const AbbreviationGuard guard;
    return guard;
  }

  // Whether the break at `pos` in `text` follows a guarded abbreviation on the same line.
  bool Suppresses(std::string_view text, size_t sentence_start, size_t pos) const {
    std::string candidate;
    size_t end = pos;
    for (int tokens = 0; tokens < kMaxTokens; ++tokens) {
      while (end > sentence_start && IsAsciiSpace(text[end - 1])) {
        if (text[end - 1] == '\n') return false;
        --end;
      }
      size_t begin = end;
      while (begin > sentence_start && !IsAsciiSpace(text[begin - 1])) --begin;
      if (begin == end) return false;
      const std::string_view token = text.substr(begin, end - begin);
      // Every part of an abbreviation ends in '.'; anything else cannot start one.
      if (token.back() != '.' || token.size() > kMaxTokenBytes) return false;
      candidate.insert(0, tokens == 0 ? std::string(token) : std::string(token) + ' ');
      if (entries_.contains(candidate)) return true;
      end = begin;
    }
    return false;
  }

 private:
  static constexpr int kMaxTokens = 3;
  static constexpr size_t kMaxTokenBytes = 12;

  AbbreviationGuard() {
    for (std::string_view entry : kWholeTokenAbbreviations) entries_.emplace(entry);
    const auto add_multi_part = [this](const auto& list) {
      for (std::string_view entry : list) {
        const size_t dot = entry.find('.');
        if (dot != std::string_view::npos && dot + 1 != entry.size()) entries_.emplace(entry);
      }
    };
    add_multi_part(kGermanAbbreviations);
    add_multi_part(kEnglishAbbreviations);
  }

  std::unordered_set<std::string> entries_;
};

constexpr std::string_view kMonths[] = {
    "Januar",   "Jänner", "Februar",   "März",    "April",    "Mai",      "Juni",
    "Juli",     "August", "September", "Oktober", "November", "Dezember", "January",
    "February", "March",  "June",      "July",    "October",  "December", "Jan.",
    "Feb.",     "Febr.",  "Mär.",      "Apr.",    "Jun.",     "Jul.",     "Aug.",
    "Sep.",     "Sept.",  "Okt.",      "Oct.",    "Nov.",     "Dez.",     "Dec."};

// German dates write the day as an ordinal ("zum 31. März"); ICU sees a sentence end before
// the capitalized month. A break after a one- or two-digit ordinal is dropped when a month
// name or another number follows.
bool SuppressedAfterOrdinal(std::string_view text, size_t sentence_start, size_t pos) {
  size_t end = pos;
  while (end > sentence_start && IsAsciiSpace(text[end - 1])) --end;
  size_t begin = end;
  while (begin > sentence_start && !IsAsciiSpace(text[begin - 1])) --begin;
  const std::string_view token = text.substr(begin, end - begin);
  if (token.size() < 2 || token.size() > 3 || token.back() != '.') return false;
  for (size_t i = 0; i + 1 < token.size(); ++i) {
    if (token[i] < '0' || token[i] > '9') return false;
  }
  size_t next = pos;
  while (next < text.size() && text[next] == ' ') ++next;
  if (next >= text.size()) return false;
  if (text[next] >= '0' && text[next] <= '9') return true;
  const std::string_view rest = text.substr(next);
  for (std::string_view month : kMonths) {
    if (!rest.starts_with(month)) continue;
    if (month.back() == '.' || rest.size() == month.size()) return true;
    const char after = rest[month.size()];
    if (after == ' ' || after == ',' || after == '.' || after == '\n') return true;
  }
  return false;
}

std::unique_ptr<icu::BreakIterator> MakeSentenceIterator(const icu::Locale& locale) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> base(
      icu::BreakIterator::createSentenceInstance(locale, status));
  if (U_FAILURE(status) || !base) return nullptr;
  std::unique_ptr<icu::FilteredBreakIteratorBuilder> builder(
      icu::FilteredBreakIteratorBuilder::createEmptyInstance(status));
  if (U_FAILURE(status) || !builder) return base;
  const auto add = [&](const auto& list) {
    for (std::string_view abbreviation : list) {
      UErrorCode add_status = U_ZERO_ERROR;
      builder->suppressBreakAfter(
          icu::UnicodeString::fromUTF8(
              icu::StringPiece(abbreviation.data(), static_cast<int32_t>(abbreviation.size()))),
          add_status);
    }
  };
  // Both lists for both languages: German documents quote "e.g." and English ones "Nr.".
  add(kGermanAbbreviations);
  add(kEnglishAbbreviations);
  std::unique_ptr<icu::BreakIterator> filtered(
      builder->wrapIteratorWithFilter(base.release(), status));
  if (U_FAILURE(status)) return nullptr;
  return filtered;
}

// Building a sentence iterator loads rule data and compiles the suppression tries (about a
// millisecond); cloning a prototype costs well under a microsecond. The prototypes are never
// iterated, only cloned; the mutex keeps clone() off a concurrently read object anyway.
class SentenceIteratorCache {
 public:
  static SentenceIteratorCache& Get() {
    static SentenceIteratorCache cache;
    return cache;
  }

  // A fresh iterator for the language, or nullptr when ICU has no data.
  std::unique_ptr<icu::BreakIterator> Clone(bool german) {
    std::lock_guard lock(mutex_);
    const auto& prototype = german ? german_ : english_;
    if (!prototype) return nullptr;
    return std::unique_ptr<icu::BreakIterator>(prototype->clone());
  }

 private:
  SentenceIteratorCache()
      : german_(MakeSentenceIterator(icu::Locale::getGerman())),
        english_(MakeSentenceIterator(icu::Locale::getEnglish())) {}

  std::mutex mutex_;
  std::unique_ptr<icu::BreakIterator> german_;
  std::unique_ptr<icu::BreakIterator> english_;
};

// Lone line breaks become spaces (same byte length, so offsets stay valid); ICU would treat
// every "\n" as a paragraph end. Runs with two or more "\n" are paragraph breaks and stay.
std::string PrepareForSentenceBreaking(std::string_view text) {
  std::string out(text);
  size_t i = 0;
  while (i < out.size()) {
    if (!IsAsciiSpace(out[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    int newlines = 0;
    while (j < out.size() && IsAsciiSpace(out[j])) newlines += out[j++] == '\n';
    if (newlines < 2) {
      for (size_t k = i; k < j; ++k) out[k] = ' ';
    }
    i = j;
  }
  return out;
}

void Add(std::string_view text, size_t begin, size_t end, std::vector<SentenceSpan>* out) {
  while (begin < end && IsAsciiSpace(text[begin])) ++begin;
  while (end > begin && IsAsciiSpace(text[end - 1])) --end;
  if (begin < end) out->push_back({begin, end});
}

// Paragraphs ("\n\n") as sentences: the fallback without ICU data.
void AddParagraphs(std::string_view text, std::vector<SentenceSpan>* out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    Add(text, start, end, out);
    start = end + 2;
  }
}

}  // namespace

std::vector<SentenceSpan> SplitSentences(std::string_view text, std::string_view language) {
  std::vector<SentenceSpan> sentences;
  const std::string prepared = PrepareForSentenceBreaking(text);
  std::unique_ptr<icu::BreakIterator> iterator =
      SentenceIteratorCache::Get().Clone(IsGerman(language));
  if (!iterator) {
    AddParagraphs(prepared, &sentences);
    return sentences;
  }
  UErrorCode status = U_ZERO_ERROR;
  UText utext = UTEXT_INITIALIZER;
  utext_openUTF8(&utext, prepared.data(), static_cast<int64_t>(prepared.size()), &status);
  if (U_SUCCESS(status)) iterator->setText(&utext, status);
  if (U_FAILURE(status)) {
    utext_close(&utext);
    AddParagraphs(prepared, &sentences);
    return sentences;
  }
  size_t start = 0;
  iterator->first();
  // With a UTF-8 UText, ICU's indices are byte offsets.
  for (int32_t pos = iterator->next(); pos != icu::BreakIterator::DONE; pos = iterator->next()) {
    const auto at = static_cast<size_t>(pos);
    if (at < prepared.size() && (AbbreviationGuard::Get().Suppresses(prepared, start, at) ||
                                 SuppressedAfterOrdinal(prepared, start, at))) {
      continue;
    }
    Add(prepared, start, at, &sentences);
    start = at;
  }
  if (start < prepared.size()) Add(prepared, start, prepared.size(), &sentences);
  utext_close(&utext);
  return sentences;
}

}  // namespace wissen

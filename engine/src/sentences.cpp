#include "sentences.h"

#include <unicode/brkiter.h>
#include <unicode/filteredbrk.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace wissen::engine::internal {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Suppressed as a suffix of the text before a break. Every entry must be safe as a suffix
// of another word: "Art." never ends a word, "ca." ends "America." (see kWholeToken below).
constexpr std::string_view kSuffixAbbreviations[] = {
    "z. B.", "z.B.",  "d. h.",    "d.h.",   "u. a.", "u.a.",    "o. ä.", "o.ä.",  "u. U.", "u.U.",
    "z. T.", "z.T.",  "i. d. R.", "i.d.R.", "s. o.", "s. u.",   "v. a.", "bzw.",  "ggf.",  "ggfs.",
    "usw.",  "vgl.",  "Vgl.",     "Abs.",   "Art.",  "Nr.",     "Nrn.",  "Ziff.", "Kap.",  "Abb.",
    "Tab.",  "Anl.",  "Anm.",     "evtl.",  "inkl.", "exkl.",   "zzgl.", "bspw.", "sog.",  "allg.",
    "Std.",  "Mio.",  "Mrd.",     "Tel.",   "Str.",  "Hr.",     "Hrn.",  "Fr.",   "Jh.",   "geb.",
    "gem.",  "Dipl.", "Ing.",     "Prof.",  "Dr.",   "Hrsg.",   "Aufl.", "Bd.",   "Okt.",  "Dez.",
    "e. V.", "Co.",   "e.g.",     "i.e.",   "etc.",  "Fig.",    "No.",   "Nos.",  "vs.",   "Mr.",
    "Mrs.",  "Ms.",   "Jr.",      "Sr.",    "St.",   "approx.", "Inc.",  "Ltd.",  "Corp.", "Dept.",
    "Jan.",  "Feb.",  "Mar.",     "Apr.",   "Jun.",  "Jul.",    "Aug.",  "Sep.",  "Sept.", "Oct.",
    "Nov.",  "Dec.",  "cf.",      "et al.", "Eq.",   "Sec.",    "Vol.",
};

// Short abbreviations unsafe as suffixes, and multi-part ones whose final break ICU's filter
// cannot suppress: matched on whole whitespace-delimited tokens (up to three).
constexpr std::string_view kWholeTokenAbbreviations[] = {
    "ca.",   "Ca.",   "S.",    "s.",    "f.",    "ff.",   "lt.",    "Lt.",      "pp.",
    "p.",    "Bsp.",  "bzgl.", "Tsd.",  "z. B.", "z.B.",  "d. h.",  "d.h.",     "u. a.",
    "u.a.",  "o. ä.", "o.ä.",  "u. U.", "u.U.",  "z. T.", "z.T.",   "i. d. R.", "i.d.R.",
    "s. o.", "s. u.", "v. a.", "e. V.", "e.g.",  "i.e.",  "et al.",
};

bool SuppressedByToken(std::string_view text, size_t sentence_start, size_t pos) {
  static const std::unordered_set<std::string> entries = [] {
    std::unordered_set<std::string> set;
    for (std::string_view entry : kWholeTokenAbbreviations) set.emplace(entry);
    return set;
  }();
  std::string candidate;
  size_t end = pos;
  for (int tokens = 0; tokens < 3; ++tokens) {
    while (end > sentence_start && IsAsciiSpace(text[end - 1])) {
      if (text[end - 1] == '\n') return false;
      --end;
    }
    size_t begin = end;
    while (begin > sentence_start && !IsAsciiSpace(text[begin - 1])) --begin;
    if (begin == end) return false;
    const std::string_view token = text.substr(begin, end - begin);
    if (token.back() != '.' || token.size() > 12) return false;
    candidate.insert(0, tokens == 0 ? std::string(token) : std::string(token) + ' ');
    if (entries.contains(candidate)) return true;
    end = begin;
  }
  return false;
}

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

std::unique_ptr<icu::BreakIterator> MakeIterator(const icu::Locale& locale) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> base(
      icu::BreakIterator::createSentenceInstance(locale, status));
  if (U_FAILURE(status) || !base) return nullptr;
  std::unique_ptr<icu::FilteredBreakIteratorBuilder> builder(
      icu::FilteredBreakIteratorBuilder::createEmptyInstance(status));
  if (U_FAILURE(status) || !builder) return base;
  for (std::string_view abbreviation : kSuffixAbbreviations) {
    UErrorCode add_status = U_ZERO_ERROR;
    builder->suppressBreakAfter(
        icu::UnicodeString::fromUTF8(
            icu::StringPiece(abbreviation.data(), static_cast<int32_t>(abbreviation.size()))),
        add_status);
  }
  std::unique_ptr<icu::BreakIterator> filtered(
      builder->wrapIteratorWithFilter(base.release(), status));
  if (U_FAILURE(status)) return nullptr;
  return filtered;
}

// Building an iterator compiles rules and tries (about a millisecond); cloning is cheap.
class IteratorCache {
 public:
  static IteratorCache& Get() {
    static IteratorCache cache;
    return cache;
  }

  std::unique_ptr<icu::BreakIterator> Clone(bool german) {
    std::lock_guard lock(mutex_);
    const auto& prototype = german ? german_ : english_;
    if (!prototype) return nullptr;
    return std::unique_ptr<icu::BreakIterator>(prototype->clone());
  }

 private:
  IteratorCache()
      : german_(MakeIterator(icu::Locale::getGerman())),
        english_(MakeIterator(icu::Locale::getEnglish())) {}

  std::mutex mutex_;
  std::unique_ptr<icu::BreakIterator> german_;
  std::unique_ptr<icu::BreakIterator> english_;
};

// Lone line breaks become spaces (same length, so offsets stay valid); blank lines stay.
std::string Prepare(std::string_view text) {
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
  const std::string prepared = Prepare(text);
  const bool german = language.starts_with("de");
  std::unique_ptr<icu::BreakIterator> iterator = IteratorCache::Get().Clone(german);
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
    if (at < prepared.size() &&
        (SuppressedByToken(prepared, start, at) || SuppressedAfterOrdinal(prepared, start, at))) {
      continue;
    }
    Add(prepared, start, at, &sentences);
    start = at;
  }
  if (start < prepared.size()) Add(prepared, start, prepared.size(), &sentences);
  utext_close(&utext);
  return sentences;
}

}  // namespace wissen::engine::internal

#include "wissen/indexer/chunker.h"

#include <unicode/brkiter.h>
#include <unicode/filteredbrk.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "wissen/core/text.h"

namespace wissen::indexer {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

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

  // Returns a fresh iterator for the language, or nullptr when ICU has no data (the caller
  // then treats each block as one long sentence, which the size split cuts at white space).
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

// A sentence or a piece of an over-long sentence: the unit chunks are built from.
struct Unit {
  int start = 0;  // byte offsets into the joined document text, without surrounding spaces
  int end = 0;
  int block = 0;
  bool paragraph_start = false;  // first unit of a block or after a blank line
};

struct Limits {
  int target = 1000;
  int max = 1600;
  int overlap = 1;
  int piece = 1000;  // size over-long sentences are cut into
};

Limits SanitizeLimits(const ChunkerOptions& options) {
  Limits limits;
  // 4 bytes hold any UTF-8 code point, so the hard bound can always be kept.
  limits.max = std::max(options.max_chars, 4);
  limits.target = std::clamp(options.target_chars, 1, limits.max);
  limits.overlap = std::max(options.overlap_sentences, 0);
  // Pieces of target size, not max size, so a chunk cut from a huge sentence is as large as
  // any other chunk and the remainder is not a sliver.
  limits.piece = std::max(limits.target, 4);
  return limits;
}

// Turns lone line breaks into spaces (same byte length, so offsets stay valid). PDF and
// plain-text lines wrap mid-sentence; ICU would treat every "\n" as a paragraph end. Runs
// with two or more "\n" are paragraph breaks and keep them.
void PrepareForSentenceBreaking(std::string_view text, std::string* out) {
  out->assign(text);
  size_t i = 0;
  while (i < out->size()) {
    if (!IsAsciiSpace((*out)[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    int newlines = 0;
    while (j < out->size() && IsAsciiSpace((*out)[j])) newlines += (*out)[j++] == '\n';
    if (newlines < 2) {
      for (size_t k = i; k < j; ++k) (*out)[k] = ' ';
    }
    i = j;
  }
}

class UnitCollector {
 public:
  UnitCollector(icu::BreakIterator* iterator, const Limits& limits, std::vector<Unit>* units)
      : iterator_(iterator), limits_(limits), units_(units) {}

  // Appends the sentences of one block; `base` is the block's offset in the joined text.
  void AddBlock(std::string_view text, int block, int base) {
    PrepareForSentenceBreaking(text, &prepared_);
    block_ = block;
    base_ = base;
    last_end_ = -1;
    if (iterator_ == nullptr) {
      AddSegment(0, prepared_.size());
      return;
    }
    UErrorCode status = U_ZERO_ERROR;
    UText utext = UTEXT_INITIALIZER;
    utext_openUTF8(&utext, prepared_.data(), static_cast<int64_t>(prepared_.size()), &status);
    if (U_FAILURE(status)) {
      AddSegment(0, prepared_.size());
      return;
    }
    iterator_->setText(&utext, status);
    if (U_FAILURE(status)) {
      utext_close(&utext);
      AddSegment(0, prepared_.size());
      return;
    }
    size_t sentence_start = 0;
    iterator_->first();
    // With a UTF-8 UText, ICU's indices are byte offsets into `prepared_`.
    for (int32_t pos = iterator_->next(); pos != icu::BreakIterator::DONE;
         pos = iterator_->next()) {
      const auto break_at = static_cast<size_t>(pos);
      if (break_at < prepared_.size() &&
          AbbreviationGuard::Get().Suppresses(prepared_, sentence_start, break_at)) {
        continue;
      }
      AddSegment(sentence_start, break_at);
      sentence_start = break_at;
    }
    if (sentence_start < prepared_.size()) AddSegment(sentence_start, prepared_.size());
    utext_close(&utext);
  }

 private:
  void AddSegment(size_t begin, size_t end) {
    while (begin < end && IsAsciiSpace(prepared_[begin])) ++begin;
    while (end > begin && IsAsciiSpace(prepared_[end - 1])) --end;
    if (begin == end) return;
    bool paragraph_start = last_end_ < 0;
    if (!paragraph_start) {
      const std::string_view gap(prepared_.data() + last_end_, begin - last_end_);
      paragraph_start = gap.find('\n') != std::string_view::npos;
    }
    last_end_ = static_cast<int>(end);
    // Split sentences over the hard bound at the last white space that fits, else (one
    // giant token) at the last code point boundary that fits.
    while (end - begin > static_cast<size_t>(limits_.max)) {
      size_t cut = begin + limits_.piece;
      size_t space = cut;
      while (space > begin && !IsAsciiSpace(prepared_[space])) --space;
      size_t piece_end;
      size_t next;
      if (space > begin) {
        piece_end = space;
        next = space;
      } else {
        while (cut > begin && IsUtf8Continuation(prepared_[cut])) --cut;
        if (cut == begin) cut = begin + 1;  // unreachable with piece >= 4; keeps progress
        piece_end = cut;
        next = cut;
      }
      while (piece_end > begin && IsAsciiSpace(prepared_[piece_end - 1])) --piece_end;
      Push(begin, piece_end, paragraph_start);
      paragraph_start = false;
      begin = next;
      while (begin < end && IsAsciiSpace(prepared_[begin])) ++begin;
    }
    if (begin < end) Push(begin, end, paragraph_start);
  }

  void Push(size_t begin, size_t end, bool paragraph_start) {
    if (begin >= end) return;
    units_->push_back(Unit{base_ + static_cast<int>(begin), base_ + static_cast<int>(end), block_,
                           paragraph_start});
  }

  icu::BreakIterator* iterator_;
  const Limits& limits_;
  std::vector<Unit>* units_;
  std::string prepared_;
  int block_ = 0;
  int base_ = 0;
  int last_end_ = -1;
};

// Only whole blocks smaller than half the target are merged with the next block, which
// keeps sub-sections apart; the tail of a long block never runs into the next one.
// Paragraph ends are preferred break points a little later, since a paragraph usually is
// one thought.
constexpr double kBlockBreakFraction = 0.5;
constexpr double kParagraphBreakFraction = 0.6;
// A block's remainder shorter than this share of the target joins the chunk before it
// (within max_chars) instead of becoming a sliver chunk of its own.
constexpr double kMinTailFraction = 0.25;
// The overlap never takes more than this share of the target, so a chunk is mostly new text.
constexpr double kMaxOverlapFraction = 0.5;

class ChunkBuilder {
 public:
  ChunkBuilder(const ParsedDocument& document, const std::vector<int>& block_offsets,
               const Limits& limits, std::vector<Chunk>* chunks)
      : document_(document), offsets_(block_offsets), limits_(limits), chunks_(chunks) {}

  // Cuts the units of one run (blocks of one page and one top-level section) into chunks.
  void Build(const std::vector<Unit>& units) {
    const int n = static_cast<int>(units.size());
    // block_last[i]: index of the last unit in units[i]'s block.
    block_last_.assign(n, n - 1);
    for (int i = n - 2; i >= 0; --i) {
      block_last_[i] = units[i].block == units[i + 1].block ? block_last_[i + 1] : i;
    }
    int first = 0;  // first unit of the chunk being built, overlap included
    int next = 0;   // first unit no chunk holds yet
    while (next < n) {
      int last = next;
      while (last + 1 < n && Fits(units, first, last)) ++last;
      const int tail_last = block_last_[last];
      if (tail_last > last &&
          units[tail_last].end - units[last + 1].start < limits_.target * kMinTailFraction &&
          units[tail_last].end - units[first].start <= limits_.max) {
        last = tail_last;
      }
      Emit(units, first, last);
      const int previous_first = first;
      next = last + 1;
      first = next;
      // Overlap stays inside one block: across blocks it would widen the next chunk's
      // heading path to a common prefix and repeat text from another sub-section. It also
      // skips paragraph starts, which are topic breaks already.
      if (next >= n || units[next].block != units[last].block || units[next].paragraph_start) {
        continue;
      }
      for (int k = next - 1; k > previous_first && next - k <= limits_.overlap; --k) {
        if (units[next - 1].end - units[k].start > limits_.target * kMaxOverlapFraction) break;
        if (units[next].end - units[k].start > limits_.max) break;
        first = k;
      }
    }
  }

 private:
  // Whether units[last + 1] should join the chunk [first, last].
  bool Fits(const std::vector<Unit>& units, int first, int last) const {
    const Unit& unit = units[last + 1];
    const int current = units[last].end - units[first].start;
    const int grown = unit.end - units[first].start;
    if (grown > limits_.max || current >= limits_.target) return false;
    if (unit.block != units[last].block) {
      const bool whole_blocks = first == 0 || units[first - 1].block != units[first].block;
      if (!whole_blocks || current >= limits_.target * kBlockBreakFraction) return false;
    }
    if (unit.paragraph_start && current >= limits_.target * kParagraphBreakFraction) {
      return false;
    }
    // Stop short of the target when overshooting it would miss it by more.
    if (grown > limits_.target && grown - limits_.target > limits_.target - current &&
        current >= limits_.target / 2) {
      return false;
    }
    return true;
  }

  void Emit(const std::vector<Unit>& units, int first, int last) {
    const int start = units[first].start;
    const int end = units[last].end;
    const int first_block = units[first].block;
    const int last_block = units[last].block;
    Chunk chunk;
    chunk.ordinal = static_cast<int>(chunks_->size());
    chunk.page = document_.blocks[first_block].page;
    chunk.char_start = start;
    chunk.char_end = end;
    chunk.text.reserve(end - start);
    for (int b = first_block; b <= last_block; ++b) {
      const std::string& text = document_.blocks[b].text;
      const int from = std::max(start - offsets_[b], 0);
      const int to = std::min(end - offsets_[b], static_cast<int>(text.size()));
      if (b > first_block) chunk.text += "\n\n";
      if (to > from) chunk.text.append(text, from, to - from);
    }
    chunk.heading_path = HeadingPath(first_block, last_block);
    chunks_->push_back(std::move(chunk));
  }

  // A chunk of several blocks gets their common heading prefix, not the first block's path:
  // the citation must be true for all of its text, and the first block's sub-heading would
  // claim the later blocks' text for itself. Blocks of one run share heading_path[0], so
  // the prefix always keeps the top-level section.
  std::string HeadingPath(int first_block, int last_block) const {
    const std::vector<std::string>& path = document_.blocks[first_block].heading_path;
    size_t common = path.size();
    for (int b = first_block + 1; b <= last_block; ++b) {
      const std::vector<std::string>& other = document_.blocks[b].heading_path;
      // Whitespace-only blocks never hold units but may sit between two that do.
      if (TrimAscii(document_.blocks[b].text).empty()) continue;
      size_t i = 0;
      while (i < common && i < other.size() && other[i] == path[i]) ++i;
      common = i;
    }
    std::string result;
    const auto append = [&result](std::string_view part) {
      part = TrimAscii(part);
      if (part.empty()) return;
      if (!result.empty()) result += " \u203A ";
      result += part;
    };
    append(document_.title);
    for (size_t i = 0; i < common; ++i) append(path[i]);
    return result;
  }

  const ParsedDocument& document_;
  const std::vector<int>& offsets_;
  const Limits& limits_;
  std::vector<Chunk>* chunks_;
  std::vector<int> block_last_;
};

std::string_view TopSection(const Block& block) {
  return block.heading_path.empty() ? std::string_view() : block.heading_path[0];
}

bool IsGerman(std::string_view language) {
  return language.size() >= 2 && (language[0] == 'd' || language[0] == 'D') &&
         (language[1] == 'e' || language[1] == 'E') &&
         (language.size() == 2 || language[2] == '-' || language[2] == '_');
}

}  // namespace

std::vector<Chunk> ChunkDocument(const ParsedDocument& document, const ChunkerOptions& options) {
  const Limits limits = SanitizeLimits(options);
  const std::vector<Block>& blocks = document.blocks;
  std::vector<int> offsets(blocks.size());
  int offset = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    offsets[i] = offset;
    offset += static_cast<int>(blocks[i].text.size()) + 2;  // the "\n\n" joining blocks
  }

  std::unique_ptr<icu::BreakIterator> iterator =
      SentenceIteratorCache::Get().Clone(IsGerman(document.language));
  std::vector<Chunk> chunks;
  std::vector<Unit> units;
  UnitCollector collector(iterator.get(), limits, &units);
  ChunkBuilder builder(document, offsets, limits, &chunks);
  size_t begin = 0;
  while (begin < blocks.size()) {
    size_t end = begin + 1;
    while (end < blocks.size() && blocks[end].page == blocks[begin].page &&
           TopSection(blocks[end]) == TopSection(blocks[begin])) {
      ++end;
    }
    units.clear();
    for (size_t b = begin; b < end; ++b) {
      collector.AddBlock(blocks[b].text, static_cast<int>(b), offsets[b]);
    }
    builder.Build(units);
    begin = end;
  }
  return chunks;
}

}  // namespace wissen::indexer

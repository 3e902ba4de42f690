#include "wissen/indexer/chunker.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "wissen/core/sentences.h"
#include "wissen/core/text.h"

namespace wissen::indexer {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

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

// Cuts each block into units: its sentences, with over-long ones split at white space.
class UnitCollector {
 public:
  UnitCollector(std::string_view language, const Limits& limits, std::vector<Unit>* units)
      : language_(language), limits_(limits), units_(units) {}

  // Appends the sentences of one block, or a table's rows (one unit per line, since a row is
  // a record, not prose); `base` is the block's offset in the joined text.
  void AddBlock(const Block& block, int index, int base) {
    text_ = block.text;
    block_ = index;
    base_ = base;
    last_end_ = -1;
    if (block.table) {
      size_t begin = 0;
      while (begin < text_.size()) {
        size_t end = text_.find('\n', begin);
        if (end == std::string_view::npos) end = text_.size();
        size_t row_begin = begin;
        size_t row_end = end;
        while (row_begin < row_end && IsAsciiSpace(text_[row_begin])) ++row_begin;
        while (row_end > row_begin && IsAsciiSpace(text_[row_end - 1])) --row_end;
        if (row_begin < row_end) AddSegment(row_begin, row_end);
        begin = end + 1;
      }
      return;
    }
    for (const SentenceSpan& sentence : SplitSentences(text_, language_)) {
      AddSegment(sentence.begin, sentence.end);
    }
  }

 private:
  void AddSegment(size_t begin, size_t end) {
    bool paragraph_start = last_end_ < 0;
    if (!paragraph_start) {
      // The white space between two sentences; two line breaks in it end a paragraph.
      const std::string_view gap = text_.substr(last_end_, begin - last_end_);
      paragraph_start = std::count(gap.begin(), gap.end(), '\n') >= 2;
    }
    last_end_ = static_cast<int>(end);
    // Split sentences over the hard bound at the last white space that fits, else (one
    // giant token) at the last code point boundary that fits.
    while (end - begin > static_cast<size_t>(limits_.max)) {
      size_t cut = begin + limits_.piece;
      size_t space = cut;
      while (space > begin && !IsAsciiSpace(text_[space])) --space;
      size_t piece_end;
      size_t next;
      if (space > begin) {
        piece_end = space;
        next = space;
      } else {
        while (cut > begin && IsUtf8Continuation(text_[cut])) --cut;
        if (cut == begin) cut = begin + 1;  // unreachable with piece >= 4; keeps progress
        piece_end = cut;
        next = cut;
      }
      while (piece_end > begin && IsAsciiSpace(text_[piece_end - 1])) --piece_end;
      Push(begin, piece_end, paragraph_start);
      paragraph_start = false;
      begin = next;
      while (begin < end && IsAsciiSpace(text_[begin])) ++begin;
    }
    if (begin < end) Push(begin, end, paragraph_start);
  }

  void Push(size_t begin, size_t end, bool paragraph_start) {
    if (begin >= end) return;
    units_->push_back(Unit{base_ + static_cast<int>(begin), base_ + static_cast<int>(end), block_,
                           paragraph_start});
  }

  std::string_view language_;
  const Limits& limits_;
  std::vector<Unit>* units_;
  std::string_view text_;
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
      // Tables need none: the repeated header row gives a row its meaning.
      if (next >= n || units[next].block != units[last].block || units[next].paragraph_start ||
          document_.blocks[units[next].block].table) {
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
  // The header row a chunk starting at units[first] repeats ("" when it starts outside a
  // table or at the table's first row).
  std::string_view RepeatedHeader(const std::vector<Unit>& units, int first) const {
    const Block& block = document_.blocks[units[first].block];
    // A header as long as a chunk would crowd out the rows it explains.
    if (!block.table || block.table_header.empty() ||
        static_cast<int>(block.table_header.size()) > limits_.max / 4) {
      return {};
    }
    const int row_offset = units[first].start - offsets_[units[first].block];
    if (TrimAscii(std::string_view(block.text).substr(0, row_offset)).empty()) return {};
    return block.table_header;
  }

  // Bytes the repeated header adds in front of a chunk starting at units[first].
  int HeaderBytes(const std::vector<Unit>& units, int first) const {
    const std::string_view header = RepeatedHeader(units, first);
    return header.empty() ? 0 : static_cast<int>(header.size()) + 1;  // header and "\n"
  }

  // Whether units[last + 1] should join the chunk [first, last].
  bool Fits(const std::vector<Unit>& units, int first, int last) const {
    const Unit& unit = units[last + 1];
    const int header = HeaderBytes(units, first);
    const int current = units[last].end - units[first].start + header;
    const int grown = unit.end - units[first].start + header;
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
    std::string_view header = RepeatedHeader(units, first);
    // One over-long row may fill a chunk alone; max_chars is a hard bound.
    if (end - start + static_cast<int>(header.size()) + 1 > limits_.max) header = {};
    chunk.text.reserve(end - start + header.size() + 1);
    if (!header.empty()) {
      chunk.text.append(header);
      chunk.text += '\n';
    }
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

  std::vector<Chunk> chunks;
  std::vector<Unit> units;
  UnitCollector collector(document.language, limits, &units);
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
      collector.AddBlock(blocks[b], static_cast<int>(b), offsets[b]);
    }
    builder.Build(units);
    begin = end;
  }
  return chunks;
}

}  // namespace wissen::indexer

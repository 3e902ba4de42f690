#include "pdf_layout.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "parser_text.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

// Lines at each end of a page that may be running headers or footers.
constexpr size_t kRunningLinesPerEnd = 3;
// A line is running when it appears at a page end on this share of the pages, and at least
// on kMinRunningPages of them.
constexpr double kRunningPageShare = 0.4;
constexpr size_t kMinRunningPages = 3;

// Headings are short: a longer line is body text, however it is set.
constexpr int kMaxHeadingCodePoints = 120;
// A heading style is at least this much larger than the body, or bold.
constexpr double kLargerFactor = 1.3;
constexpr double kBoldLargerFactor = 1.08;
// Bold at body size needs this much more space above than a normal line gap.
constexpr double kSpacedFactor = 1.4;
// A heading spans at most this many lines; a longer run of large type is a display paragraph.
constexpr int kMaxHeadingLines = 3;
// Levels beyond this nest under the deepest one.
constexpr int kMaxLevels = 4;
// Documents of at least this many pages may have a cover page.
constexpr size_t kMinPagesWithCover = 3;
// More headings than this share of all lines means the rules misread the document.
constexpr double kMaxHeadingShare = 0.2;

// Whitespace removed: poppler's page text and its word list space words differently.
std::string Squash(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') out += c;
  }
  return out;
}

char LowerAsciiChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// For comparing a heading with the title: ASCII case folded too.
std::string FoldedSquash(std::string_view text) { return LowerAscii(Squash(text)); }

// Whether lower-cased text holds a letter: an ASCII one, or any non-ASCII character (umlauts
// and other scripts; punctuation beyond ASCII is rare in the places this is asked).
bool HasLetter(std::string_view folded) {
  return std::any_of(folded.begin(), folded.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80;
  });
}

// Whether a heading is the document's title, alone or followed by a subtitle or version
// ("Camlidl user's manual Version 1.04"). The title must end where a word of the heading
// ends, and a title without letters (a page number taken for one) repeats nothing.
bool RepeatsTitle(std::string_view heading, std::string_view title) {
  const std::string folded_title = FoldedSquash(title);
  if (!HasLetter(folded_title)) return false;
  const std::string_view text = TrimAscii(heading);
  size_t matched = 0;
  size_t i = 0;
  while (i < text.size() && matched < folded_title.size()) {
    const char c = text[i++];
    if (c == ' ' || c == '\t') continue;
    if (LowerAsciiChar(c) != folded_title[matched++]) return false;
  }
  return matched == folded_title.size() && (i == text.size() || text[i] == ' ' || text[i] == '\t');
}

// What repeats between pages: the line with case folded, white space collapsed and every run
// of digits as '#', so "Page 7" and "Page 8" are one key while "4 40" ("# #") stays apart
// from a page number ("#").
std::string RunningKey(std::string_view line) {
  std::string key;
  for (char c : CollapseWhitespace(line)) {
    if (c >= '0' && c <= '9') {
      if (key.empty() || key.back() != '#') key += '#';
    } else {
      key += LowerAsciiChar(c);
    }
  }
  return key;
}

// A key without letters ("#", "- # -", "#/#") is a page number, or a row of figures.
bool IsNumberKey(std::string_view key) { return !HasLetter(key); }

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool IsBlank(std::string_view line) { return TrimAscii(line).empty(); }

// Poppler's page text may break a heading over several lines ("2.3", "", "Attributes") or wrap
// it. Returns how many lines from `first` make up `heading` completely, 0 when it does not
// start there: a body line that merely begins like a heading ("Installation" before
// "Installation on Linux") starts no section.
constexpr size_t kMaxHeadingTextLines = 6;
size_t HeadingLinesAt(const std::vector<std::string_view>& lines, size_t first,
                      std::string_view heading) {
  const std::string wanted = Squash(heading);
  std::string seen = Squash(lines[first]);
  if (seen.empty() || !wanted.starts_with(seen)) return 0;
  size_t end = first + 1;
  while (seen.size() < wanted.size() && end < lines.size() && end - first < kMaxHeadingTextLines) {
    const std::string more = seen + Squash(lines[end]);
    if (!wanted.starts_with(more)) break;
    seen = more;
    ++end;
  }
  return seen == wanted ? end - first : 0;
}

// Indexes of the first and last kRunningLinesPerEnd non-blank lines.
std::vector<size_t> PageEndLines(const std::vector<std::string_view>& lines) {
  std::vector<size_t> ends;
  for (size_t i = 0; i < lines.size() && ends.size() < kRunningLinesPerEnd; ++i) {
    if (!IsBlank(lines[i])) ends.push_back(i);
  }
  size_t from_bottom = 0;
  for (size_t i = lines.size(); i-- > 0 && from_bottom < kRunningLinesPerEnd;) {
    if (IsBlank(lines[i])) continue;
    ++from_bottom;
    if (std::find(ends.begin(), ends.end(), i) == ends.end()) ends.push_back(i);
  }
  return ends;
}

struct TextShape {
  int code_points = 0;
  int letters = 0;
  bool starts_alphanumeric = false;
};

TextShape ShapeOf(std::string_view text) {
  TextShape shape;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (shape.code_points++ == 0) shape.starts_alphanumeric = c >= 0 && u_isalnum(c);
    if (c >= 0 && u_isalpha(c)) ++shape.letters;
  }
  return shape;
}

// Captions are set apart like headings but name a figure, not a section.
bool IsCaption(std::string_view text) {
  for (std::string_view prefix : {"Figure", "Fig.", "Table", "Tab.", "Abbildung", "Abb.", "Tabelle",
                                  "Listing", "Grafik", "Diagramm"}) {
    if (!text.starts_with(prefix)) continue;
    const std::string_view rest = TrimAscii(text.substr(prefix.size()));
    if (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') return true;
  }
  return false;
}

bool EndsWithNumber(std::string_view text) {
  text = TrimAscii(text);
  const size_t space = text.find_last_of(' ');
  const std::string_view last = space == std::string_view::npos ? text : text.substr(space + 1);
  return !last.empty() &&
         std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A table of contents or an index: most lines end in a page number. Its entries are set like
// the headings they list, so such a page contributes none.
constexpr size_t kMinListLines = 5;
constexpr double kListLineShare = 0.4;
bool IsListOfPages(const PdfPageLines& lines) {
  if (lines.size() < kMinListLines) return false;
  const auto numbered = std::count_if(lines.begin(), lines.end(), [](const PdfLine& line) {
    return line.trailing_page_number || EndsWithNumber(line.text);
  });
  return static_cast<double>(numbered) >= kListLineShare * static_cast<double>(lines.size());
}

// Section numbers have short parts; "2024 Budget" is a year.
constexpr size_t kMaxSectionNumberDigits = 2;
// How deep a heading's section number goes: 2 for "2.1 Scope" and "2.1. Scope", 0 without a
// number. A single number ("3 Results", "3. Results") is depth 1.
int NumberingDepth(std::string_view text) {
  int depth = 0;
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i - start > kMaxSectionNumberDigits) return 0;
    ++depth;
    if (i < text.size() && text[i] == '.') ++i;
  }
  // The number must stand apart from the words: "3D key" is no section 3.
  if (depth == 0 || i >= text.size() || text[i] != ' ') return 0;
  return depth;
}

double RoundSize(double size) { return std::round(size * 2) / 2; }

// The size most body characters are set in.
double BodySize(const std::vector<PdfPageLines>& pages) {
  std::map<double, size_t> characters;
  for (const auto& page : pages) {
    for (const auto& line : page) characters[RoundSize(line.font_size)] += line.text.size();
  }
  double body = 0;
  size_t most = 0;
  for (const auto& [size, count] : characters) {
    if (count > most) {
      most = count;
      body = size;
    }
  }
  return body;
}

// The usual space between two lines of body text.
double TypicalGap(const std::vector<PdfPageLines>& pages, double body_size) {
  std::vector<double> gaps;
  for (const auto& page : pages) {
    for (const auto& line : page) {
      if (line.gap_above >= 0 && RoundSize(line.font_size) == body_size) {
        gaps.push_back(line.gap_above);
      }
    }
  }
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  return gaps[gaps.size() / 2];
}

// A heading style: its rounded size and weight. Larger sizes are outer levels; at one size a
// bold heading is outer to a regular one.
using Style = std::pair<double, bool>;

struct Candidate {
  int page = 0;
  size_t line = 0;
  Style style;
};

class HeadingRules {
 public:
  HeadingRules(double body_size, double typical_gap, const RunningLines& running)
      : body_size_(body_size), typical_gap_(typical_gap), running_(running) {}

  bool IsHeadingLine(const PdfLine& line) const {
    const std::string_view text = TrimAscii(line.text);
    if (line.monospace || line.trailing_page_number || line.font_size <= 0) return false;
    const TextShape shape = ShapeOf(text);
    if (shape.letters < 2 || shape.code_points > kMaxHeadingCodePoints) return false;
    // Headings start with a word or a section number, labels of a drawing often with "(".
    if (!shape.starts_alphanumeric) return false;
    if (text.ends_with(',') || text.ends_with(';') || IsCaption(text)) return false;
    // Letters set apart ("C h a p t e r") or rotated labels read backwards are not headings.
    const size_t words = std::count(text.begin(), text.end(), ' ') + 1;
    if (words >= 4 && static_cast<size_t>(shape.letters) < 2 * words) return false;
    if (running_.Contains(text)) return false;
    const double size = line.font_size;
    if (size >= body_size_ * kLargerFactor) return true;
    if (!line.bold || size < body_size_ * 0.95) return false;
    if (size >= body_size_ * kBoldLargerFactor) return true;
    // Bold at body size is emphasis unless the line stands apart and reads like a title.
    if (text.ends_with('.') || text.ends_with(':')) return false;
    return line.gap_above < 0 || typical_gap_ <= 0 ||
           line.gap_above >= typical_gap_ * kSpacedFactor;
  }

 private:
  double body_size_;
  double typical_gap_;
  const RunningLines& running_;
};

}  // namespace

RunningLines::RunningLines(const std::vector<std::string>& page_texts) {
  if (page_texts.size() < kMinRunningPages) return;
  std::unordered_map<std::string, size_t> pages_with;
  for (const auto& text : page_texts) {
    const auto lines = SplitLines(text);
    std::set<std::string> seen;
    for (size_t i : PageEndLines(lines)) seen.insert(RunningKey(lines[i]));
    for (const auto& key : seen) ++pages_with[key];
  }
  const auto needed = std::max<size_t>(
      kMinRunningPages,
      static_cast<size_t>(std::ceil(kRunningPageShare * static_cast<double>(page_texts.size()))));
  for (const auto& [key, count] : pages_with) {
    if (count >= needed && !key.empty()) keys_.insert(key);
  }
}

bool RunningLines::Contains(std::string_view line) const {
  return !keys_.empty() && keys_.contains(RunningKey(line));
}

void RunningLines::RemoveFrom(std::vector<std::string>* page_texts) const {
  if (keys_.empty()) return;
  std::unordered_set<std::string> kept_once;
  for (std::string& page_text : *page_texts) {
    const auto lines = SplitLines(page_text);
    const std::vector<size_t> ends = PageEndLines(lines);
    std::vector<bool> drop(lines.size(), false);
    for (size_t e = 0; e < ends.size(); ++e) {
      const std::string key = RunningKey(lines[ends[e]]);
      if (!keys_.contains(key)) continue;
      if (IsNumberKey(key)) {
        // Only the outermost line can be the page number; further in it is data.
        drop[ends[e]] =
            ends[e] == ends.front() || ends[e] == *std::max_element(ends.begin(), ends.end());
      } else {
        drop[ends[e]] = !kept_once.insert(key).second;
      }
    }
    if (std::none_of(drop.begin(), drop.end(), [](bool d) { return d; })) continue;
    std::string out;
    out.reserve(page_text.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      if (drop[i]) continue;
      if (!out.empty() || i > 0) out += '\n';
      out.append(lines[i]);
    }
    page_text = std::move(out);
  }
}

std::vector<PdfHeading> DetectPdfHeadings(const std::vector<PdfPageLines>& pages,
                                          const RunningLines& running, std::string_view title) {
  const double body_size = BodySize(pages);
  if (body_size <= 0) return {};
  const HeadingRules rules(body_size, TypicalGap(pages, body_size), running);

  // Runs of consecutive heading lines of one style become one heading.
  std::vector<PdfHeading> headings;
  std::vector<Style> styles_of_headings;
  size_t total_lines = 0;
  for (int p = 0; p < static_cast<int>(pages.size()); ++p) {
    const PdfPageLines& lines = pages[p];
    total_lines += lines.size();
    if (IsListOfPages(lines)) continue;
    size_t i = 0;
    while (i < lines.size()) {
      if (!rules.IsHeadingLine(lines[i])) {
        ++i;
        continue;
      }
      const Style style{RoundSize(lines[i].font_size), lines[i].bold};
      size_t end = i + 1;
      while (end < lines.size() && rules.IsHeadingLine(lines[end]) &&
             Style{RoundSize(lines[end].font_size), lines[end].bold} == style) {
        ++end;
      }
      if (end - i <= static_cast<size_t>(kMaxHeadingLines)) {
        std::string text;
        for (size_t k = i; k < end; ++k) {
          if (!text.empty()) text += ' ';
          text += TrimAscii(lines[k].text);
        }
        headings.push_back(PdfHeading{.page = p, .text = MakeTitle(text), .level = 0});
        styles_of_headings.push_back(style);
      }
      i = end;
    }
  }
  if (headings.size() < 2 ||
      static_cast<double>(headings.size()) > kMaxHeadingShare * static_cast<double>(total_lines)) {
    return {};
  }

  // In a longer document, a style seen only on the first page sets the cover's title lines.
  std::set<Style> cover_styles;
  if (pages.size() >= kMinPagesWithCover) {
    cover_styles.insert(styles_of_headings.begin(), styles_of_headings.end());
    for (size_t h = 0; h < headings.size(); ++h) {
      if (headings[h].page > 0) cover_styles.erase(styles_of_headings[h]);
    }
  }
  std::vector<PdfHeading> kept;
  std::vector<Style> kept_styles;
  for (size_t h = 0; h < headings.size(); ++h) {
    if (cover_styles.contains(styles_of_headings[h]) || RepeatsTitle(headings[h].text, title)) {
      continue;
    }
    kept.push_back(std::move(headings[h]));
    kept_styles.push_back(styles_of_headings[h]);
  }

  // Larger styles are outer levels; at one size, bold is outer to regular. A section number
  // decides by itself: "2.1" is inside "2" however the two are set.
  std::vector<Style> styles = kept_styles;
  std::sort(styles.begin(), styles.end(), [](const Style& a, const Style& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  });
  styles.erase(std::unique(styles.begin(), styles.end()), styles.end());
  for (size_t h = 0; h < kept.size(); ++h) {
    const int depth = NumberingDepth(kept[h].text);
    const auto style_level =
        std::find(styles.begin(), styles.end(), kept_styles[h]) - styles.begin() + 1;
    kept[h].level = std::min(depth > 0 ? depth : static_cast<int>(style_level), kMaxLevels);
  }
  return kept;
}

std::vector<Block> SplitPagesAtHeadings(const std::vector<std::string>& page_texts,
                                        const std::vector<PdfHeading>& headings) {
  std::vector<Block> blocks;
  // Headings above the current line, outermost first, with their levels.
  std::vector<std::pair<int, std::string>> open;
  const auto path = [&open] {
    std::vector<std::string> names;
    names.reserve(open.size());
    for (const auto& [level, name] : open) names.push_back(name);
    return names;
  };
  size_t next = 0;
  for (int p = 0; p < static_cast<int>(page_texts.size()); ++p) {
    blocks.push_back(Block{.heading_path = path(), .page = p + 1, .text = {}});
    while (next < headings.size() && headings[next].page < p) ++next;
    const std::vector<std::string_view> lines = SplitLines(page_texts[p]);
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string_view line = lines[i];
      // A heading whose line poppler put elsewhere must not hide the page's later ones.
      size_t found = next;
      while (found < headings.size() && headings[found].page == p &&
             HeadingLinesAt(lines, i, headings[found].text) == 0) {
        ++found;
      }
      if (found < headings.size() && headings[found].page == p) {
        next = found + 1;
        const PdfHeading& heading = headings[found];
        while (!open.empty() && open.back().first >= heading.level) open.pop_back();
        open.emplace_back(heading.level, heading.text);
        if (IsBlank(blocks.back().text)) blocks.pop_back();
        blocks.push_back(Block{.heading_path = path(), .page = p + 1, .text = {}});
      }
      Block& block = blocks.back();
      if (!block.text.empty()) block.text += '\n';
      block.text.append(line);
    }
    if (IsBlank(blocks.back().text)) blocks.pop_back();
  }
  return blocks;
}

}  // namespace wissen::crawler

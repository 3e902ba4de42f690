// Text helpers shared by the parsers: white-space normalisation, the paragraph builder that
// every parser writes block text through, and the PDF line clean-up. Private to the crawler.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "wissen/core/document.h"

namespace wissen::crawler {

// Upper bound on the text extracted from one document, so a hostile or absurd file cannot
// exhaust memory. Text beyond it is dropped; the document is still indexed.
inline constexpr size_t kMaxDocumentTextBytes = 20u << 20;

// Longest title or heading kept, in code points.
inline constexpr size_t kMaxTitleCodePoints = 200;

// The title and the first blocks (about 20 KB): enough text to detect the language.
std::string LanguageSample(const ParsedDocument& doc);

// Whitespace-collapsed, trimmed text cut to kMaxTitleCodePoints: for titles and headings.
std::string MakeTitle(std::string_view text);

// Builds block text: words separated by single spaces, lines by "\n", paragraphs by "\n\n".
// ASCII white space collapses, other C0 controls and DEL are dropped, no-break spaces stay.
// All builders of one document share `budget` (bytes still allowed); once it is used up,
// further text is ignored and full() turns true.
class TextBuilder {
 public:
  explicit TextBuilder(size_t* budget) : budget_(budget) {}

  // Inline text: line breaks inside it are plain white space (HTML semantics).
  void AddText(std::string_view text);
  // Text whose line breaks count (text files, <pre>): "\n" is a line break, a blank line a
  // paragraph break.
  void AddLines(std::string_view text);
  void LineBreak() { pending_break_ = pending_break_ < 1 ? 1 : pending_break_; }
  void ParagraphBreak() { pending_break_ = 2; }

  bool empty() const { return out_.empty(); }
  bool full() const { return *budget_ == 0; }
  // Returns the text built so far and starts over (the budget is not refunded).
  std::string Take();

 private:
  void Append(std::string_view piece);

  size_t* budget_;
  std::string out_;
  int pending_break_ = 0;  // 0 none, 1 line break, 2 paragraph break
  bool pending_space_ = false;
};

// Cleans the text poppler extracts from one page: collapses spaces, drops control characters,
// joins words hyphenated across a line break ("exam-\nple" -> "example", only when a letter
// precedes the hyphen and a lower-case letter follows, so "Baden-\nWürttemberg" keeps its
// hyphen), and keeps blank lines as paragraph breaks ("\n\n").
std::string CleanPdfText(std::string_view text);

}  // namespace wissen::crawler

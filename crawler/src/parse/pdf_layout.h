// The structure of a PDF that poppler's plain page text loses: which lines are headings (set
// larger or bolder than the body text) and which lines repeat at the top or bottom of most
// pages (running headers, footers, page numbers). Pure functions over what the PDF parser
// read from poppler, so they are tested without PDF files. Private to the crawler.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "wissen/core/document.h"

namespace wissen::crawler {

// One laid-out line of a page, in poppler's reading order.
struct PdfLine {
  std::string text;        // its words, separated by single spaces
  double font_size = 0;    // the size most of its characters are set in, in points
  bool bold = false;       // every word is set in a bold face (fixed-width words aside)
  bool monospace = false;  // every word is set in a fixed-width face (code, never a heading)
  // Distance from the bottom of the line above on the same page, in points; negative for a
  // page's first line.
  double gap_above = -1;
  // Ends in a number set far to the right of the text before it, like a table-of-contents
  // entry ("Introduction ...... 5").
  bool trailing_page_number = false;
};

using PdfPageLines = std::vector<PdfLine>;

struct PdfHeading {
  int page = 0;  // 0-based index into the pages given to DetectPdfHeadings
  std::string text;
  int level = 1;  // 1 is the outermost
};

// Lines that repeat (digits aside) among the first or last three lines of at least 40 % of the
// pages: running headers and footers ("User Guide", "Page 7", "- 7 -"). Empty for documents
// of fewer than three pages, where a repeat says nothing.
class RunningLines {
 public:
  explicit RunningLines(const std::vector<std::string>& page_texts);
  bool Contains(std::string_view line) const;
  // Drops the running lines from the pages' text, only where they run: among a page's first
  // or last lines, and a bare number only as the very first or last line (further in, "4 40"
  // is a row of data). The first occurrence of a running line with words stays, so words that
  // only ever appear there (a table's header row repeated on every page) remain findable.
  void RemoveFrom(std::vector<std::string>* page_texts) const;

 private:
  std::unordered_set<std::string> keys_;
};

// Headings in reading order, levels from their type sizes: the largest heading style is level
// 1. A line counts as a heading when it is short, not code, not a caption or a table-of-
// contents entry, not a running line, and set clearly larger than the body text, or bold at
// body size after extra space. Returns no headings when the result does not look like a
// hierarchy of sections (fewer than two, or more than a fifth of all lines), so a document
// the rules misread keeps the page-by-page blocks. A heading that repeats `title` is left out,
// as the HTML parser does.
std::vector<PdfHeading> DetectPdfHeadings(const std::vector<PdfPageLines>& pages,
                                          const RunningLines& running, std::string_view title);

// Cuts the pages' text into blocks: a new block at every page and at every heading's line,
// each with the path of headings above it. The heading's line stays in its block's text, so
// a misread heading never loses words. A heading whose line is not found in its page's text
// is skipped. Block text is the raw page text; the caller cleans it.
std::vector<Block> SplitPagesAtHeadings(const std::vector<std::string>& page_texts,
                                        const std::vector<PdfHeading>& headings);

}  // namespace wissen::crawler

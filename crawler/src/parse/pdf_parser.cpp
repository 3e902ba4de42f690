// PDF text extraction through poppler-cpp. Poppler runs in-process, so everything it does is
// wrapped here: its stderr chatter is silenced, its exceptions stop at this file, and its
// int-sized lengths are checked before the call.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "parser_text.h"
#include "pdf_layout.h"
#include "wissen/core/text.h"
#include "wissen/crawler/ocr.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

// Poppler reports every oddity of a broken file on stderr, which would flood the structured
// log; the outcome reaches the caller as an Error instead.
void DropPopplerMessage(const std::string& /*message*/, void* /*closure*/) {}

void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(DropPopplerMessage, nullptr); });
}

std::string ToUtf8(const poppler::ustring& text) {
  const poppler::byte_array bytes = text.to_utf8();
  return SanitizeUtf8(std::string_view(bytes.data(), bytes.size()));
}

// Office exports name the source file in the Title entry; that prefix is not the title.
std::string StripProducerPrefix(std::string title) {
  for (std::string_view prefix :
       {"Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - "}) {
    if (title.starts_with(prefix)) return title.substr(prefix.size());
  }
  return title;
}

std::string FirstLine(std::string_view text) {
  const size_t end = text.find('\n');
  return MakeTitle(text.substr(0, end));
}

// Font names carry a subset prefix ("ABCDEF+Times-Bold") and vary by foundry; these parts
// mark the weights and the fixed-width faces of the usual Type 1, TrueType and TeX fonts.
bool FontNameHasAny(std::string_view name, std::initializer_list<std::string_view> parts) {
  const std::string lower = LowerAscii(name);
  for (std::string_view part : parts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

bool IsBoldFont(std::string_view name) {
  return FontNameHasAny(name, {"bold", "black", "heavy", "demi", "cmbx", "sfbx", "cmb10"});
}

bool IsMonospaceFont(std::string_view name) {
  return FontNameHasAny(name, {"courier", "mono", "cmtt", "sftt", "consola", "typewriter"});
}

bool IsNumber(std::string_view word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Groups poppler's words into lines: a word whose vertical middle lies outside the current
// line's band starts a new one (poppler lists the words of a line together, column by
// column).
PdfPageLines LinesOfPage(const poppler::page& page) {
  PdfPageLines lines;
  struct Current {
    PdfLine line;
    double top = 0, bottom = 0, last_right = 0, last_gap = 0;
    std::string last_word;
    std::map<double, size_t> characters_by_size;
    size_t characters = 0, bold_characters = 0, monospace_characters = 0;
    size_t plain_monospace_characters = 0;  // fixed-width and not bold
    bool open = false;
  } current;
  double previous_bottom = -1;
  const auto flush = [&] {
    if (!current.open) return;
    PdfLine& line = current.line;
    size_t most = 0;
    for (const auto& [size, count] : current.characters_by_size) {
      if (count > most) {
        most = count;
        line.font_size = size;
      }
    }
    // Whole lines only: a bold lead-in ("Note: ...") is no heading. A heading may name code
    // in a fixed-width face, bold or not ("4.3 The camlidldll script").
    line.bold = current.bold_characters > 0 &&
                current.bold_characters + current.plain_monospace_characters == current.characters;
    line.monospace = current.characters > 0 && current.monospace_characters == current.characters;
    // A line above the previous one starts a new column: no space measured, not a page start.
    line.gap_above = previous_bottom < 0 ? -1 : std::max(current.top - previous_bottom, 0.0);
    line.trailing_page_number =
        IsNumber(current.last_word) &&
        (current.last_gap > 2 * line.font_size || line.text.find(". .") != std::string::npos ||
         line.text.find("..") != std::string::npos);
    previous_bottom = current.bottom;
    lines.push_back(std::move(line));
    current = Current{};
  };
  for (const poppler::text_box& box : page.text_list(poppler::page::text_list_include_font)) {
    const poppler::rectf r = box.bbox();
    const std::string word = ToUtf8(box.text());
    // A hostile file may place or size glyphs at NaN or infinity; such words only cannot help
    // find headings (the page text comes from poppler's own layout).
    if (word.empty() || !std::isfinite(r.x()) || !std::isfinite(r.y()) ||
        !std::isfinite(r.width()) || !std::isfinite(r.height())) {
      continue;
    }
    const double middle = r.y() + r.height() / 2;
    if (current.open && (middle < current.top || middle > current.bottom)) flush();
    if (!current.open) {
      current.open = true;
      current.top = r.y();
      current.bottom = r.y() + r.height();
    } else {
      current.last_gap = r.x() - current.last_right;
      current.line.text += ' ';
    }
    current.top = std::min(current.top, r.y());
    current.bottom = std::max(current.bottom, r.y() + r.height());
    current.last_right = r.x() + r.width();
    current.line.text += word;
    current.last_word = word;
    const size_t characters = word.size();
    current.characters += characters;
    const double size = box.get_font_size();
    current.characters_by_size[std::isfinite(size) && size > 0 ? std::round(size * 2) / 2 : 0] +=
        characters;
    const std::string font = box.has_font_info() ? box.get_font_name() : std::string();
    const bool bold = IsBoldFont(font);
    const bool monospace = IsMonospaceFont(font);
    if (bold) current.bold_characters += characters;
    if (monospace) current.monospace_characters += characters;
    if (monospace && !bold) current.plain_monospace_characters += characters;
  }
  flush();
  return lines;
}

// The word list only serves heading detection: a page poppler cannot lay out a second time
// loses its headings, never its text or the document.
PdfPageLines LinesOfPageOrNone(const poppler::page& page) {
  try {
    return LinesOfPage(page);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    return {};
  }
}

// Replaces the text of the pages listed in `scanned` (1-based, ascending, all within
// `page_texts`) by what OCR recognises, charging it to `budget`. A page OCR fails on, or one
// over the document's OCR page limit, stays empty and adds a warning.
void RecognizeScannedPages(std::string_view bytes, const PageOcr& ocr, std::vector<int> scanned,
                           std::vector<std::string>* page_texts, size_t* budget,
                           std::vector<std::string>* warnings) {
  const size_t limit = static_cast<size_t>(std::max(ocr.options().max_pages, 0));
  std::string skipped;
  if (scanned.size() > limit) {
    skipped = "pages " + std::to_string(scanned[limit]) + "-" + std::to_string(scanned.back()) +
              ": OCR skipped: more than " + std::to_string(limit) +
              " pages of the document need OCR";
    scanned.resize(limit);
  }
  for (PageOcr::PageText& page : ocr.RecognizePdfPages(bytes, scanned)) {
    if (!page.text) {
      warnings->push_back("page " + std::to_string(page.page) +
                          ": OCR failed: " + page.text.error().message);
      continue;
    }
    std::string& text = (*page_texts)[static_cast<size_t>(page.page - 1)];
    text = std::string(Utf8Prefix(*page.text, *budget));
    *budget -= text.size();
  }
  if (!skipped.empty()) warnings->push_back(std::move(skipped));
}

Result<ParsedDocument> ParsePdfUnchecked(std::string_view bytes, const PageOcr* ocr) {
  SilencePoppler();
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Fail(ErrorCode::kResourceExhausted, "PDF larger than 2 GiB");
  }
  // load_from_raw_data reads `bytes` in place; they outlive `doc`.
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc == nullptr) return Fail(ErrorCode::kParse, "not a readable PDF");
  if (doc->is_locked()) return Fail(ErrorCode::kUnsupported, "encrypted PDF");
  const int pages = doc->pages();
  if (pages <= 0) return Fail(ErrorCode::kParse, "PDF has no pages");

  ParsedDocument parsed;
  parsed.mime = "application/pdf";
  parsed.page_count = pages;
  // Raw page text (lines as poppler lays them out) and the same page's lines with fonts; a
  // page poppler cannot open stays empty, so indexes keep matching page numbers.
  std::vector<std::string> page_texts;
  std::vector<PdfPageLines> page_lines;
  std::vector<int> scanned;  // 1-based pages to recognise, their text still empty
  size_t budget = kMaxDocumentTextBytes;
  for (int i = 0; i < pages && budget > 0; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    std::string text;
    PdfPageLines lines;
    if (page != nullptr) {
      text = ToUtf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
      if (ocr != nullptr && NeedsOcr(text)) {
        // Recognised below, all such pages at once; scans have no fonts, hence no headings.
        scanned.push_back(i + 1);
        text.clear();
      }
      if (text.size() > budget) text = std::string(Utf8Prefix(text, budget));
      budget -= text.size();
      // A page without text (a scan) has no headings; skip poppler's second layout pass.
      if (!TrimAscii(text).empty()) {
        lines = LinesOfPageOrNone(*page);
      }
    }
    page_texts.push_back(std::move(text));
    page_lines.push_back(std::move(lines));
  }
  if (!scanned.empty() && budget > 0) {
    RecognizeScannedPages(bytes, *ocr, std::move(scanned), &page_texts, &budget, &parsed.warnings);
  }
  const RunningLines running(page_texts);
  running.RemoveFrom(&page_texts);
  parsed.title = MakeTitle(StripProducerPrefix(ToUtf8(doc->info_key("Title"))));
  if (parsed.title.empty() && !page_texts.empty()) {
    parsed.title = FirstLine(CleanPdfText(page_texts[0]));
  }

  const std::vector<PdfHeading> headings = DetectPdfHeadings(page_lines, running, parsed.title);
  for (Block& block : SplitPagesAtHeadings(page_texts, headings)) {
    block.text = CleanPdfText(block.text);
    if (!block.text.empty()) parsed.blocks.push_back(std::move(block));
  }
  return parsed;
}

}  // namespace

Result<ParsedDocument> ParsePdf(std::string_view bytes, const PageOcr* ocr) {
  try {
    return ParsePdfUnchecked(bytes, ocr);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing PDF");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kParse, std::string("PDF parser failed: ") + e.what());
  } catch (...) {
    return Fail(ErrorCode::kParse, "PDF parser failed");
  }
}

}  // namespace wissen::crawler

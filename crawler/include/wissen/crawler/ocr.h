// OCR of scanned PDF pages with Tesseract: a page without a usable text layer is rendered with
// poppler and recognised in the configured languages. Recognised text is cached by a hash of
// the rendered page, so a page is recognised once however often its file changes around it.
//
// How a page is recognised (RecognizePdfPages):
//  1. Rendered in grey at OcrOptions::dpi. A page larger than kMaxOcrPagePixels at that
//     resolution (a hostile 200x200-inch MediaBox, a poster) is rendered at the lower dpi that
//     fits, and no side exceeds kMaxOcrPageSide pixels, so one page never takes more than
//     about 20 MB of pixels however large it claims to be. Rendering cannot be interrupted,
//     so the page is first rendered at 10 dpi and timed: when the full resolution would not
//     fit into half the page's remaining time (vector content drawn over and over), it is
//     rendered at the resolution that fits, or given up (kTimeout) below 70 dpi.
//  2. A page without ink (blank, or a few specks) is "" at once, without Tesseract.
//  3. Cache key: lower-case hex SHA-256 over a format tag, the languages, the image width and
//     height, and the SHA-256 of its pixels (one byte per pixel, rows without padding). The
//     same page scanned into another file hits the cache; another dpi or languages do not.
//  4. A miss is recognised by Tesseract (LSTM engine, automatic page segmentation); lines are
//     joined into paragraphs as PDF text is (words hyphenated at a line end are joined, blank
//     lines separate paragraphs), and the text is valid UTF-8. Successes, "" included, are
//     stored in the cache; failures are not, so they are retried on the next crawl.
// Not bounded: the time poppler takes to decode a page's images (a compressed image of a
// gigapixel, drawn a thousand times, costs the same at 10 dpi as at 300); only rendering in a
// separate process could stop that.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::crawler {

// At most this many pixels are rendered for one page: A3 at 300 dpi fits (17.4 million).
inline constexpr long long kMaxOcrPagePixels = 20'000'000;
// Tesseract refuses images with a side over 32767 pixels.
inline constexpr int kMaxOcrPageSide = 32767;

struct OcrOptions {
  // Tesseract language codes joined by '+', in the order Tesseract should try them; each needs
  // <code>.traineddata (Debian: package tesseract-ocr-<code>). Default: "deu+eng".
  std::string languages = "deu+eng";
  // Pages recognised at once by one PageOcr, across all its callers; 0 = the number of cores.
  // Each takes one Tesseract instance (kept for reuse) and its page: about 70 MB with deu+eng
  // at 300 dpi, measured on A4 (2026-12). Tesseract's own OpenMP threads are off in these
  // workers: pages, not parts of a page, are run in parallel. Default: 0.
  int threads = 0;
  // A page whose rendering and recognition take longer is given up with kTimeout (reported,
  // the rest of the document kept). Waiting for a free thread does not count. Rendering is
  // planned to fit (see above); Tesseract's layout analysis cannot be interrupted (the pixel
  // cap bounds it to seconds); the limit is checked after rendering and after every
  // recognised word. Default: 120 s.
  int page_timeout_ms = 120000;
  // Rendering resolution, 30 to 1200; Tesseract is most accurate around 300 dpi. Large pages
  // are rendered at less (see kMaxOcrPagePixels). Default: 300.
  int dpi = 300;
  // Pages recognised per document at most; further pages needing OCR stay empty with a
  // warning, so a hostile file of 100,000 blank pages cannot occupy the crawler for hours.
  // Default: 1000.
  int max_pages = 1000;
  // Directory with <language>.traineddata; "" = Tesseract's default (TESSDATA_PREFIX or the
  // Debian path). Default: "".
  std::string tessdata_dir;
};

// Recognised text by page hash. `document_hash` is the hex SHA-256 of the PDF's bytes (for a
// file: its content hash), so an implementation can forget the pages of deleted documents.
// Implementations must be thread-safe; a failing cache only costs time (Find returns nullopt,
// Store is best effort). Exceptions from either are swallowed by PageOcr and count as a miss.
class OcrCache {
 public:
  virtual ~OcrCache() = default;
  virtual std::optional<std::string> Find(std::string_view page_hash,
                                          std::string_view document_hash) = 0;
  virtual void Store(std::string_view page_hash, std::string_view document_hash,
                     std::string_view text) = 0;
};

// Whether a page's extracted text layer is missing or unusable, so the page must be
// recognised instead: fewer than 10 letters (none, a page number, a stamp on a scan), fewer
// than half the visible characters letters or digits (symbol or punctuation soup; a run of
// one punctuation character such as a dot leader counts once), more than a fifth unusable
// characters (Private Use Area, U+FFFD, controls, unassigned), or fewer than half the
// white-space separated tokens real words or numbers (single letters and glyph soup such as
// "a1b2c3" are not; tokens of punctuation only do not count): the invisible garbage some
// scanners embed. Only the first 64 KiB are looked at; invalid UTF-8 counts as unusable.
// A text layer of real words in the wrong characters (a font's glyphs shifted) is not
// detected. Cheap: one pass over the sample. Thread-safe.
bool NeedsOcr(std::string_view page_text);

// Recognises PDF pages. Holds up to options.threads Tesseract instances, created on first use
// and reused by later calls; one instance is never used by two threads at once (Tesseract is
// not thread-safe), and each worker loads its own poppler document (poppler neither).
// Thread-safe: any number of threads may call RecognizePdfPages on one PageOcr; together they
// recognise at most options.threads pages at once. Movable, not copyable.
class PageOcr {
 public:
  // Fails with kUnavailable and a reason fit for `wissen status` and the crawl report when
  // Tesseract cannot load a language ("Tesseract language 'fra' is not installed (apt-get
  // install tesseract-ocr-fra)"); kConfig for option values out of range. Initialises one
  // Tesseract instance, which it keeps. `cache` may be null (no caching); not owned, must
  // outlive the PageOcr.
  static Result<PageOcr> Create(const OcrOptions& options, OcrCache* cache);

  PageOcr(PageOcr&&) noexcept;
  PageOcr& operator=(PageOcr&&) noexcept;
  ~PageOcr();

  struct PageText {
    int page = 0;  // 1-based, as asked
    // Paragraphs separated by "\n\n", lines by "\n"; "" for a page without text. Errors:
    // kTimeout (over page_timeout_ms), kInvalidArgument (no such page), kParse (page cannot
    // be read or rendered), kUnsupported (encrypted PDF), kResourceExhausted (over
    // options.max_pages, out of memory), kInternal (Tesseract failed).
    Result<std::string> text;
  };
  // Recognises the given 1-based pages of the PDF in `pdf_bytes`, up to options.threads at
  // once; one result per page, in the order asked. Throws nothing but std::bad_alloc (for
  // the result list itself); a page's failure does not affect the others. `pdf_bytes` must
  // stay valid until it returns.
  std::vector<PageText> RecognizePdfPages(std::string_view pdf_bytes,
                                          const std::vector<int>& pages) const;

  const OcrOptions& options() const { return options_; }

 private:
  class Engines;  // the pool of Tesseract instances

  PageOcr(OcrOptions options, OcrCache* cache, std::unique_ptr<Engines> engines);

  OcrOptions options_;
  OcrCache* cache_;  // may be null; not owned
  std::unique_ptr<Engines> engines_;
};

}  // namespace wissen::crawler

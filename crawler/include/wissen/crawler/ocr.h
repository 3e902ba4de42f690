// OCR of scanned PDF pages with Tesseract: a page without a usable text layer is rendered with
// poppler and recognised in the configured languages. Recognised text is cached by a hash of
// the rendered page, so a page is recognised once however often its file changes around it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::crawler {

struct OcrOptions {
  // Tesseract language codes joined by '+', in the order Tesseract should try them.
  // Default: "deu+eng".
  std::string languages = "deu+eng";
  // Pages recognised at once; 0 = the number of cores. Default: 0.
  int threads = 0;
  // A page taking longer is given up (reported, the rest of the document kept). Default: 120 s.
  int page_timeout_ms = 120000;
  // Rendering resolution; Tesseract is most accurate around 300 dpi. Default: 300.
  int dpi = 300;
  // Directory with <language>.traineddata; "" = Tesseract's default (TESSDATA_PREFIX or the
  // Debian path). Default: "".
  std::string tessdata_dir;
};

// Recognised text by page hash. `document_hash` is the hex SHA-256 of the PDF's bytes (for a
// file: its content hash), so an implementation can forget the pages of deleted documents.
// Implementations must be thread-safe; a failing cache only costs time (Find returns nullopt,
// Store is best effort).
class OcrCache {
 public:
  virtual ~OcrCache() = default;
  virtual std::optional<std::string> Find(std::string_view page_hash,
                                          std::string_view document_hash) = 0;
  virtual void Store(std::string_view page_hash, std::string_view document_hash,
                     std::string_view text) = 0;
};

// Whether a page's extracted text layer is missing or unusable (no letters, or mostly
// characters no language has: the invisible garbage some scanners embed), so the page must
// be recognised instead.
bool NeedsOcr(std::string_view page_text);

class PageOcr {
 public:
  // Fails (kUnavailable, with a reason for `wissen status` and the crawl report) when
  // Tesseract cannot load one of the languages.
  static Result<PageOcr> Create(const OcrOptions& options, OcrCache* cache);

  struct PageText {
    int page = 0;  // 1-based, as asked
    Result<std::string> text;
  };
  // Recognises the given 1-based pages of the PDF in `pdf_bytes`, up to options.threads at
  // once; one result per page, in the order asked. Thread-safe.
  std::vector<PageText> RecognizePdfPages(std::string_view pdf_bytes,
                                          const std::vector<int>& pages) const;

  const OcrOptions& options() const { return options_; }

 private:
  PageOcr(OcrOptions options, OcrCache* cache) : options_(std::move(options)), cache_(cache) {}
  OcrOptions options_;
  OcrCache* cache_;  // may be null; not owned
};

}  // namespace wissen::crawler

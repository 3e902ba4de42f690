// Fuzz target: OCR of scanned PDFs (crawler/ocr.h, ParsePdf in parsers.h). The input is used
// twice: as a page's text layer for NeedsOcr, and as PDF bytes for ParsePdf with a PageOcr
// (72 dpi, one thread, a 2 s page limit, at most 4 pages, a small in-memory cache), whose
// result is checked against ParsePdf without OCR: OCR never turns a readable PDF into an
// error or the reverse, blocks stay non-empty valid UTF-8 on existing pages, and every warning
// names a page and the OCR.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "wissen/core/text.h"
#include "wissen/crawler/ocr.h"
#include "wissen/crawler/parsers.h"

namespace {

using wissen::crawler::OcrCache;
using wissen::crawler::OcrOptions;
using wissen::crawler::PageOcr;

// Remembers the last few pages, so hits are exercised without the fuzzer's memory growing.
class SmallCache : public OcrCache {
 public:
  std::optional<std::string> Find(std::string_view page_hash,
                                  std::string_view document_hash) override {
    WISSEN_FUZZ_CHECK(document_hash.size() == 64);
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::string(page_hash));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void Store(std::string_view page_hash, std::string_view document_hash,
             std::string_view text) override {
    WISSEN_FUZZ_CHECK(page_hash.size() == 64);
    WISSEN_FUZZ_CHECK(document_hash.size() == 64);
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(text));
    std::lock_guard lock(mutex_);
    if (entries_.size() >= 16) entries_.clear();
    entries_[std::string(page_hash)] = std::string(text);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> entries_;
};

const PageOcr& Ocr() {
  static SmallCache cache;
  static const PageOcr ocr = [] {
    OcrOptions options;
    options.dpi = 72;
    options.threads = 1;
    options.page_timeout_ms = 2000;
    options.max_pages = 4;
    auto created = PageOcr::Create(options, &cache);
    if (!created) {
      std::fprintf(stderr, "cannot start OCR: %s\n", created.error().ToString().c_str());
      std::abort();
    }
    return std::move(*created);
  }();
  return ocr;
}

bool HasLetterByte(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || byte >= 0x80) return true;
  }
  return false;
}

void CheckNeedsOcr(std::string_view text) {
  const bool needs = wissen::crawler::NeedsOcr(text);
  WISSEN_FUZZ_CHECK(needs == wissen::crawler::NeedsOcr(text));
  // Fewer than ten letters: a text without any letter needs OCR.
  if (!HasLetterByte(text)) WISSEN_FUZZ_CHECK(needs);
  // White space at the end changes no word (only the first 64 KiB are looked at).
  if (text.size() < 60000) {
    WISSEN_FUZZ_CHECK(needs == wissen::crawler::NeedsOcr(std::string(text) + " \n"));
  }
}

bool StartsWithPageNumber(std::string_view warning, int page_count) {
  size_t at = 0;
  if (warning.starts_with("page ")) {
    at = 5;
  } else if (warning.starts_with("pages ")) {
    at = 6;
  } else {
    return false;
  }
  long long page = 0;
  const size_t digits_start = at;
  while (at < warning.size() && warning[at] >= '0' && warning[at] <= '9' && page <= page_count) {
    page = page * 10 + (warning[at] - '0');
    ++at;
  }
  return at > digits_start && page >= 1 && page <= page_count;
}

void CheckParsePdf(std::string_view bytes) {
  const auto plain = wissen::crawler::ParsePdf(bytes);
  const auto recognised = wissen::crawler::ParsePdf(bytes, &Ocr());
  WISSEN_FUZZ_CHECK(plain.has_value() == recognised.has_value());
  if (!plain.has_value()) {
    WISSEN_FUZZ_CHECK(plain.error().code == recognised.error().code);
    return;
  }
  WISSEN_FUZZ_CHECK(plain->warnings.empty());
  const wissen::ParsedDocument& doc = *recognised;
  WISSEN_FUZZ_CHECK(doc.page_count == plain->page_count);
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(doc.title));
  int last_page = 0;
  for (const wissen::Block& block : doc.blocks) {
    WISSEN_FUZZ_CHECK(!block.text.empty());
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(block.text));
    WISSEN_FUZZ_CHECK(block.text.find("\n\n\n") == std::string::npos);
    WISSEN_FUZZ_CHECK(block.page >= 1 && block.page <= doc.page_count);
    WISSEN_FUZZ_CHECK(block.page >= last_page);
    last_page = block.page;
  }
  // At most one warning a page, and one for the pages over the OCR page limit.
  WISSEN_FUZZ_CHECK(doc.warnings.size() <= static_cast<size_t>(doc.page_count) + 1);
  for (const std::string& warning : doc.warnings) {
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(warning));
    WISSEN_FUZZ_CHECK(StartsWithPageNumber(warning, doc.page_count));
    WISSEN_FUZZ_CHECK(warning.find(": OCR ") != std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckNeedsOcr(input);
  CheckParsePdf(input);
  return 0;
}

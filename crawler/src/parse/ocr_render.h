// Rendering a PDF page for OCR with poppler: in grey, within the pixel caps of ocr.h
// (kMaxOcrPagePixels, kMaxOcrPageSide) and the page's time limit, and telling a page without
// ink. Private to the crawler: the poppler half of PageOcr (ocr.cpp).
#pragma once

#include <chrono>
#include <string>

#include "wissen/core/result.h"

namespace poppler {
class document;
}

namespace wissen::crawler {

// Grey pixels, one byte each, rows without padding.
struct PageImage {
  std::string pixels;
  int width = 0;
  int height = 0;
  double dpi = 0;  // the resolution it was rendered at
};

// Renders the 1-based `page_number` of `doc` at `dpi`, or at less when the page exceeds the
// pixel caps or would not render by half the time left until `deadline` (see ocr.h). Errors:
// kInvalidArgument (no such page), kParse (unreadable, no valid size, not renderable),
// kResourceExhausted (too large even at 10 dpi), kTimeout (its message names `timeout_ms`).
// Not thread-safe for one `doc` (poppler is not); may throw what poppler throws.
Result<PageImage> RenderPage(const poppler::document& doc, int page_number, int dpi,
                             std::chrono::steady_clock::time_point deadline, int timeout_ms);

// Whether a rendered page has no ink (blank, or a few specks) and need not be recognised.
bool IsBlank(const PageImage& image);

}  // namespace wissen::crawler

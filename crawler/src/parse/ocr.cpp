#include "wissen/crawler/ocr.h"

namespace wissen::crawler {

bool NeedsOcr(std::string_view /*page_text*/) { return false; }

Result<PageOcr> PageOcr::Create(const OcrOptions& /*options*/, OcrCache* /*cache*/) {
  return Fail(ErrorCode::kUnavailable, "OCR is not supported yet");
}

std::vector<PageOcr::PageText> PageOcr::RecognizePdfPages(std::string_view /*pdf_bytes*/,
                                                          const std::vector<int>& /*pages*/) const {
  return {};
}

}  // namespace wissen::crawler

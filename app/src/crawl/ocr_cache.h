// The OCR cache kept in PostgreSQL (table ocr_pages), so every crawl and every replica
// shares what was recognised. Private to app/.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "wissen/core/result.h"
#include "wissen/crawler/ocr.h"
#include "wissen/store/catalog.h"

namespace wissen::app {

// Thread-safe: OCR threads share one connection of its own, one query at a time (a lookup
// costs a millisecond, a page's recognition seconds). Database errors are logged and make a
// lookup a miss.
class CatalogOcrCache : public crawler::OcrCache {
 public:
  static Result<std::unique_ptr<CatalogOcrCache>> Connect(const std::string& connection_string);

  std::optional<std::string> Find(std::string_view page_hash,
                                  std::string_view document_hash) override;
  void Store(std::string_view page_hash, std::string_view document_hash,
             std::string_view text) override;

 private:
  explicit CatalogOcrCache(std::unique_ptr<store::Catalog> catalog)
      : catalog_(std::move(catalog)) {}

  std::mutex mutex_;
  std::unique_ptr<store::Catalog> catalog_;
};

}  // namespace wissen::app

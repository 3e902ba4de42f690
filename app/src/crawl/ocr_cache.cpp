#include "crawl/ocr_cache.h"

#include "wissen/core/log.h"

namespace wissen::app {

Result<std::unique_ptr<CatalogOcrCache>> CatalogOcrCache::Connect(
    const std::string& connection_string) {
  auto catalog = store::Catalog::Connect(connection_string);
  if (!catalog) return Fail(catalog.error());
  return std::unique_ptr<CatalogOcrCache>(new CatalogOcrCache(std::move(*catalog)));
}

std::optional<std::string> CatalogOcrCache::Find(std::string_view page_hash,
                                                 std::string_view document_hash) {
  std::lock_guard lock(mutex_);
  auto text = catalog_->FindOcrPage(std::string(page_hash), std::string(document_hash));
  if (!text) {
    log::Warn("ocr.cache_failed", {{"error", text.error().ToString()}});
    return std::nullopt;
  }
  return *text;
}

void CatalogOcrCache::Store(std::string_view page_hash, std::string_view document_hash,
                            std::string_view text) {
  std::lock_guard lock(mutex_);
  auto stored =
      catalog_->StoreOcrPage(std::string(page_hash), std::string(document_hash), std::string(text));
  if (!stored) log::Warn("ocr.cache_failed", {{"error", stored.error().ToString()}});
}

}  // namespace wissen::app

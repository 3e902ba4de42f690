// The Catalog's OCR page cache (table ocr_pages, migration 0008): recognised text by page
// hash, with the files that had each page, so the text of deleted scans can be pruned.
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "catalog_impl.h"
#include "pg_util.h"

namespace wissen::store {

Result<std::optional<std::string>> Catalog::FindOcrPage(const std::string& page_hash,
                                                        const std::string& content_hash) {
  using Out = std::optional<std::string>;
  return Guard("find an OCR page", [&]() -> Result<Out> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "UPDATE ocr_pages SET content_hashes = CASE WHEN $2 = ANY(content_hashes) THEN "
        "content_hashes ELSE array_append(content_hashes, $2) END WHERE page_hash = $1 "
        "RETURNING text",
        page_hash, content_hash);
    tx.commit();
    if (rows.empty()) return Out();
    return Out(rows[0][0].as<std::string>());
  });
}

Result<void> Catalog::StoreOcrPage(const std::string& page_hash, const std::string& content_hash,
                                   const std::string& text) {
  return Guard("store an OCR page", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "INSERT INTO ocr_pages (page_hash, text, content_hashes) VALUES ($1, $2, ARRAY[$3]) "
        "ON CONFLICT (page_hash) DO UPDATE SET text = EXCLUDED.text, content_hashes = CASE "
        "WHEN $3 = ANY(ocr_pages.content_hashes) THEN ocr_pages.content_hashes ELSE "
        "array_append(ocr_pages.content_hashes, $3) END",
        page_hash, text, content_hash);
    tx.commit();
    return {};
  });
}

Result<int64_t> Catalog::PruneOcrPages() {
  return Guard("prune OCR pages", [&]() -> Result<int64_t> {
    pqxx::work tx(impl_->connection);
    const auto result = tx.exec(
        "DELETE FROM ocr_pages o WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE "
        "d.deleted_at IS NULL AND d.content_hash = ANY(o.content_hashes))");
    tx.commit();
    return static_cast<int64_t>(result.affected_rows());
  });
}

}  // namespace wissen::store

// The Catalog's read side for the server: documents for readers, sources for admins.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "catalog_impl.h"
#include "pg_util.h"

namespace wissen::store {

Result<bool> Catalog::AllReadable(std::span<const int64_t> document_ids, const RoleSet& roles) {
  if (document_ids.empty()) return true;
  return Guard("check the documents of a cached answer", [&]() -> Result<bool> {
    pqxx::read_transaction tx(impl_->connection);
    const auto rows = tx.exec_params(
        "SELECT count(DISTINCT id) FROM documents WHERE id = ANY(string_to_array($1, "
        "',')::bigint[]) "
        "AND deleted_at IS NULL AND acl && string_to_array($2, ',')",
        JoinIds(document_ids), roles.Key());
    std::vector<int64_t> distinct(document_ids.begin(), document_ids.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    return rows[0][0].as<int64_t>() == static_cast<int64_t>(distinct.size());
  });
}

Result<std::optional<DocumentView>> Catalog::ReadDocument(int64_t document_id,
                                                          const RoleSet& roles) {
  using Out = std::optional<DocumentView>;
  return Guard("read the document", [&]() -> Result<Out> {
    pqxx::read_transaction tx(impl_->connection);
    // The ACL check is part of the query: an unreadable document is simply not found.
    auto rows = tx.exec_params(
        "SELECT d.id, s.name, s.kind, s.root, d.path, d.uri, d.title, d.language, d.mime, "
        "d.page_count, d.size_bytes, coalesce(extract(epoch from d.modified_at)::bigint, 0), "
        "extract(epoch from d.updated_at)::bigint, array_to_string(d.acl, ','), d.author, "
        "d.metadata::text FROM documents d "
        "JOIN sources s ON s.id = d.source_id WHERE d.id = $1 AND d.deleted_at IS NULL AND "
        "d.acl && string_to_array($2, ',')",
        document_id, roles.Key());
    if (rows.empty()) return Out();
    const auto& row = rows[0];
    DocumentView view;
    view.id = row[0].as<int64_t>();
    view.source = row[1].as<std::string>();
    view.source_kind = row[2].as<std::string>();
    view.source_root = row[3].as<std::string>();
    view.path = row[4].as<std::string>();
    view.uri = row[5].as<std::string>();
    view.title = row[6].as<std::string>();
    view.language = row[7].as<std::string>();
    view.mime = row[8].as<std::string>();
    view.page_count = row[9].as<int>();
    view.size_bytes = row[10].as<int64_t>();
    view.modified_unix = row[11].as<int64_t>();
    view.updated_unix = row[12].as<int64_t>();
    view.acl = ParseRoleList(row[13].as<std::string>());
    view.author = row[14].as<std::string>();
    // Written by ReplaceDocument from ParsedDocument::metadata: an array of [key, value].
    for (const auto& pair : nlohmann::json::parse(row[15].as<std::string>(), nullptr, false)) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        view.metadata.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
    int previous_end = 0;
    for (const auto& chunk :
         tx.exec_params("SELECT heading_path, page, text, char_start, char_end FROM chunks WHERE "
                        "document_id = $1 ORDER BY ordinal",
                        document_id)) {
      DocumentView::Section section;
      section.heading_path = chunk[0].as<std::string>();
      section.page = chunk[1].as<int>();
      section.text = chunk[2].as<std::string>();
      const int start = chunk[3].as<int>();
      const int end = chunk[4].as<int>();
      // Neighbouring chunks share a sentence of overlap; when the offsets describe the text
      // exactly, drop the shared part so the document reads once through.
      if (start < previous_end && end - start == static_cast<int>(section.text.size()) &&
          previous_end < end) {
        section.text.erase(0, static_cast<size_t>(previous_end - start));
        while (!section.text.empty() && section.text.front() == ' ') section.text.erase(0, 1);
      }
      previous_end = std::max(previous_end, end);
      view.sections.push_back(std::move(section));
    }
    return Out(std::move(view));
  });
}

Result<std::vector<SourceSummary>> Catalog::ListSources() {
  return Guard("list the sources", [&]() -> Result<std::vector<SourceSummary>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<SourceSummary> sources;
    for (const auto& row : tx.exec(
             "SELECT s.name, s.kind, s.root, (SELECT count(*) FROM documents d WHERE "
             "d.source_id = s.id AND d.deleted_at IS NULL), (SELECT count(*) FROM chunks c JOIN "
             "documents d ON d.id = c.document_id WHERE d.source_id = s.id AND d.deleted_at IS "
             "NULL) FROM sources s ORDER BY s.name")) {
      SourceSummary source;
      source.name = row[0].as<std::string>();
      source.kind = row[1].as<std::string>();
      source.root = row[2].as<std::string>();
      source.documents = row[3].as<int64_t>();
      source.chunks = row[4].as<int64_t>();
      sources.push_back(std::move(source));
    }
    return sources;
  });
}

}  // namespace wissen::store

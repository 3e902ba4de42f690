#include "acl/stored_version.h"

#include <utility>

namespace wissen::crawler {

void AddIssue(CrawlStats& stats, std::string where, std::string reason) {
  if (stats.issues.size() < kMaxIssuesKept) {
    stats.issues.push_back({std::move(where), std::move(reason)});
  }
}

void TouchStoredDocument(DocumentSink& sink, const store::StoredDocument& stored,
                         const DocumentInfo& info, CrawlStats& stats) {
  if (stored.acl != info.acl) ++stats.acl_changed;
  if (auto ok = sink.Touch(stored.id, info); !ok) {
    ++stats.failed;
    AddIssue(stats, info.path, ok.error().message);
  }
}

DocumentInfo WithStoredContent(DocumentInfo decided, const store::StoredDocument& stored) {
  decided.content_hash = stored.content_hash;
  decided.size_bytes = stored.size_bytes;
  decided.modified_unix = stored.modified_unix;
  return decided;
}

void ApplyNewAclToStoredVersion(DocumentSink& sink, const store::StoredDocument& stored,
                                const DocumentInfo& decided, CrawlStats& stats) {
  if (stored.acl == decided.acl && stored.acl_rule == decided.acl_rule) return;
  TouchStoredDocument(sink, stored, WithStoredContent(decided, stored), stats);
}

}  // namespace wissen::crawler

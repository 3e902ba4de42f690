// What a crawl does with a document it already stored when it cannot, or need not, index the
// new bytes: record the metadata it decided (ACL, rule, size, date) without touching the
// text. Shared by the file and web sources so both count and report alike.
#pragma once

#include <string>

#include "wissen/core/document_sink.h"
#include "wissen/crawler/fs_crawler.h"
#include "wissen/store/catalog.h"

namespace wissen::crawler {

// Issues kept in a crawl report; the counters still count every file.
inline constexpr size_t kMaxIssuesKept = 1000;

// Adds a skipped or failed file (or URL) with its reason to the report, up to kMaxIssuesKept.
void AddIssue(CrawlStats& stats, std::string where, std::string reason);

// Writes `info` (new ACL, rule, size or date) for `stored`, whose text stays indexed as it is.
// Counts acl_changed when the ACL differs; when the catalog write fails, counts the document
// as failed and reports it under `info.path`.
void TouchStoredDocument(DocumentSink& sink, const store::StoredDocument& stored,
                         const DocumentInfo& info, CrawlStats& stats);

// A stored document whose new version cannot be read or parsed keeps its text, hash, size and
// date (so the next crawl tries it again), but the ACL just decided in `decided` applies at
// once: access must never wait for a parse. Does nothing when ACL and rule are unchanged.
void ApplyNewAclToStoredVersion(DocumentSink& sink, const store::StoredDocument& stored,
                                const DocumentInfo& decided, CrawlStats& stats);

// `decided` with the stored version's hash, size and date: the metadata of a document whose
// content is the stored one (unchanged, 304, unchanged sitemap lastmod).
DocumentInfo WithStoredContent(DocumentInfo decided, const store::StoredDocument& stored);

}  // namespace wissen::crawler

// Catalog: the PostgreSQL repository of sources, documents, chunks, crawl runs and the
// index's identity. PostgreSQL is the source of truth: the vector and lexical index files
// are derived from what the catalog holds and can be rebuilt from it.
//
// One Catalog owns one database connection and is not thread-safe; give each thread its
// own. Every method maps libpqxx exceptions to an Error (kUnavailable when the database
// cannot be reached, kInternal otherwise) whose message contains no SQL and no document text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen::store {

// A document as the catalog knows it; what change detection compares against.
struct StoredDocument {
  int64_t id = 0;
  std::string path;
  std::string content_hash;
  int64_t size_bytes = 0;
  int64_t modified_unix = 0;
  Acl acl;
  std::string acl_rule;
  std::string title;
  std::string mime;
  int parser_version = 1;  // of the parser that produced its chunks
  bool deleted = false;
};

// What the indexer writes for one chunk.
struct ChunkRecord {
  Chunk chunk;
  std::vector<float> embedding;
};

// Document fields that come from parsing rather than from the file system.
struct ParsedFields {
  std::string title;
  std::string language;
  std::string mime;
  int page_count = 0;
  int parser_version = 1;
  std::string author;
  std::vector<std::pair<std::string, std::string>> metadata;  // ParsedDocument::metadata
};

// The embedder that built the stored embeddings, and the live index generation.
struct IndexState {
  std::string embedder_name;
  std::string embedder_version;
  int dimension = 0;
  int64_t generation = 0;
  int64_t chunk_count = 0;
  // Set while `wissen reindex` moves the embeddings to another embedder ("name version dim").
  std::string reindexing_to;
};

// One vector partition as the catalog sees it: the live chunks of every document with the
// same ACL. `fingerprint` (MD5 of the sorted chunk ids) changes whenever the set of chunk
// ids changes (chunks are never updated in place, only replaced by new ids), so an unchanged
// partition can be reused.
struct PartitionInfo {
  Acl acl;
  int64_t chunk_count = 0;
  std::string fingerprint;
};

struct PartitionIds {
  std::vector<int64_t> ids;  // ascending
  std::string fingerprint;
};

// A live chunk with what the lexical index needs.
struct LexicalChunk {
  int64_t chunk_id = 0;
  int64_t document_id = 0;
  std::string title;
  std::string heading_path;
  std::string text;
  std::string language;
  Acl acl;
};

struct CrawlRunSummary {
  int64_t id = 0;
  std::string started_at;
  std::string finished_at;
  std::string status;
  std::string stats_json;
  std::string error;
};

// A document as the server shows it to a reader.
struct DocumentView {
  int64_t id = 0;
  std::string source;
  std::string source_kind;  // "fs" or "web"
  std::string source_root;  // directory (fs) or first seed URL (web)
  std::string path;
  std::string uri;
  std::string title;
  std::string language;
  std::string mime;
  std::string author;
  std::vector<std::pair<std::string, std::string>> metadata;
  int page_count = 0;
  int64_t size_bytes = 0;
  int64_t modified_unix = 0;
  int64_t updated_unix = 0;
  Acl acl;
  struct Section {
    std::string heading_path;
    int page = 0;
    std::string text;  // the chunk's text without the sentences it shares with the one before
  };
  std::vector<Section> sections;
};

struct SourceSummary {
  std::string name;
  std::string kind;
  std::string root;
  int64_t documents = 0;
  int64_t chunks = 0;
};

// Holds the cluster-wide crawl lock while alive (a PostgreSQL session advisory lock on a
// dedicated connection). Released on destruction or when the process dies.
class CrawlLock {
 public:
  virtual ~CrawlLock() = default;
};

class Catalog {
 public:
  // Connects. Errors: kUnavailable with libpq's reason.
  static Result<std::unique_ptr<Catalog>> Connect(const std::string& connection_string);
  ~Catalog();

  // --- sources and documents (crawler, indexer) ---
  // Returns the source's id, creating or updating its row.
  Result<int> EnsureSource(const std::string& name, const std::string& kind,
                           const std::string& root);
  // Every document of the source, deleted ones included (their rows stay as tombstones).
  Result<std::vector<StoredDocument>> ListDocuments(int source_id);
  // Inserts or replaces a document and all its chunks in one transaction; undeletes a
  // tombstone. Returns the document id.
  Result<int64_t> ReplaceDocument(int source_id, const DocumentInfo& info,
                                  const ParsedFields& parsed,
                                  const std::vector<ChunkRecord>& chunks);
  // Updates ACL, rule, size and mtime of a document whose content did not change.
  // Records a change when the ACL differs.
  Result<void> UpdateDocumentMetadata(int64_t document_id, const DocumentInfo& info);
  // Marks the document deleted and removes its chunks' text at once.
  Result<void> MarkDeleted(int64_t document_id);
  // Looks up a live or deleted document by source name and relative path.
  Result<std::optional<StoredDocument>> FindDocument(const std::string& source,
                                                     const std::string& path);

  // --- OCR results by page hash (see crawler/ocr.h) ---
  // The text recognised for the page, nullopt when it never was; records that the file with
  // `content_hash` (hex SHA-256 of its bytes) has the page.
  Result<std::optional<std::string>> FindOcrPage(const std::string& page_hash,
                                                 const std::string& content_hash);
  Result<void> StoreOcrPage(const std::string& page_hash, const std::string& content_hash,
                            const std::string& text);
  // Deletes the pages no live document's content has any more (deleted or changed files), so
  // recognised text does not outlive its document. Returns how many went.
  Result<int64_t> PruneOcrPages();

  // --- crawl runs ---
  // Tries to take the crawl lock; kConflict when another crawl holds it.
  Result<std::unique_ptr<CrawlLock>> TryLockCrawl();
  // Records a new run. Runs still marked running (their process died) become failed: call
  // it only while holding the crawl lock.
  Result<int64_t> BeginCrawlRun(const std::vector<std::string>& sources);
  Result<void> FinishCrawlRun(int64_t run_id, const std::string& status,
                              const std::string& stats_json, const std::string& error);
  Result<std::vector<CrawlRunSummary>> RecentCrawlRuns(int limit);

  // --- index state and generation building (indexer) ---
  Result<std::optional<IndexState>> GetIndexState();
  // Records the embedder identity; used when the first embeddings are written or on reindex.
  Result<void> SetEmbedder(const std::string& name, const std::string& version, int dimension);
  Result<void> SetGeneration(int64_t generation, int64_t chunk_count);
  // Marks the start of a reindex towards `target` ("name version dimension"), or clears the
  // mark (empty target).
  Result<void> SetReindexing(const std::string& target);
  // Replaces the embeddings of the given chunks (row-major, ids.size() * dimension floats).
  Result<void> UpdateEmbeddings(std::span<const int64_t> ids, std::span<const float> vectors,
                                int dimension);
  Result<std::vector<PartitionInfo>> ListPartitions();
  // Calls `sink` with batches of (chunk ids, row-major embeddings) of the partition's live
  // chunks, ordered by chunk id.
  Result<void> ScanPartition(
      const Acl& acl,
      const std::function<void(std::span<const int64_t>, std::span<const float>)>& sink);
  // Ids of the partition's live chunks, ascending, with their fingerprint as ListPartitions
  // computes it (both from one snapshot).
  Result<PartitionIds> PartitionChunkIds(const Acl& acl);
  // Embeddings of these live chunks of the partition, row-major in the order given. Fails
  // (kConflict) when one of them is not a live chunk of the partition.
  Result<std::vector<float>> PartitionEmbeddings(const Acl& acl, std::span<const int64_t> chunk_ids,
                                                 int dimension);
  // Highest change sequence number, and the documents changed after `after_seq`.
  Result<int64_t> LatestChangeSeq();
  Result<std::vector<int64_t>> DocumentsChangedAfter(int64_t after_seq, int64_t up_to_seq);
  // Live chunks of the given documents (none for deleted ones).
  Result<std::vector<LexicalChunk>> LiveChunks(std::span<const int64_t> document_ids);
  // Calls `sink` for every live chunk, in batches ordered by id; for full rebuilds. No
  // transaction is open while `sink` runs, so it may call this catalog.
  Result<void> ScanLiveChunks(const std::function<void(std::vector<LexicalChunk>&&)>& sink);

  // --- retrieval ---
  // Fetches passages for chunk ids, keeping only chunks of live documents whose ACL
  // intersects `roles` (the final of the three ACL checks). Order follows `chunk_ids`.
  Result<std::vector<Passage>> FetchPassages(std::span<const int64_t> chunk_ids,
                                             const RoleSet& roles);

  // --- status ---
  struct Counts {
    int64_t documents = 0;
    int64_t deleted_documents = 0;
    int64_t chunks = 0;
  };
  Result<Counts> CountAll();

  // --- reading documents (server; catalog_read.cpp) ---
  // A live document `roles` may read, with its text; nullopt when it is unknown, deleted
  // or not readable (the caller cannot tell which, so existence is not revealed).
  Result<std::optional<DocumentView>> ReadDocument(int64_t document_id, const RoleSet& roles);
  // Whether every one of `document_ids` is still live and readable by `roles` (true for an
  // empty list): the check a cached answer passes before it is served again, so a deletion
  // or a withdrawn role applies to the cache at once, before any new index generation.
  Result<bool> AllReadable(std::span<const int64_t> document_ids, const RoleSet& roles);
  // Every source with its live document and chunk counts.
  Result<std::vector<SourceSummary>> ListSources();

 private:
  struct Impl;
  explicit Catalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

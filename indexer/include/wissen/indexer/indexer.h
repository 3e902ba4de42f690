// Indexer: the DocumentSink that chunks, embeds and stores documents, and the step that
// publishes a new index generation (vector partitions + lexical index) from the catalog.
#pragma once

#include <cstdint>
#include <filesystem>

#include "wissen/core/document_sink.h"
#include "wissen/engine/embedder.h"
#include "wissen/indexer/chunker.h"
#include "wissen/store/catalog.h"
#include "wissen/store/vector_index.h"

namespace wissen::indexer {

struct IndexerOptions {
  ChunkerOptions chunker;
  // Passages embedded per call; larger batches amortize a remote embedder's latency.
  // Default: 64.
  int embed_batch = 64;
};

// Writes documents into the catalog. Each Put replaces the document and its chunks in one
// transaction, so a crash leaves either the old or the new version, never half of one.
// Not thread-safe (one Catalog connection).
class Indexer final : public DocumentSink {
 public:
  Indexer(store::Catalog& catalog, const engine::Embedder& embedder, IndexerOptions options);

  // Checks that the catalog's embeddings were made by this embedder and records it when
  // the catalog has none yet. kConflict with "run `wissen reindex`" when they differ:
  // mixing vectors of two models in one index would make every score meaningless.
  Result<void> Prepare();

  Result<void> Put(const DocumentInfo& info, const ParsedDocument& parsed) override;
  Result<void> Touch(int64_t document_id, const DocumentInfo& info) override;
  Result<void> Delete(int64_t document_id) override;

 private:
  store::Catalog& catalog_;
  const engine::Embedder& embedder_;
  IndexerOptions options_;
};

struct PublishOptions {
  // <data.dir>/index: vectors/ (generations) and lexical/ live below it.
  std::filesystem::path index_root;
  store::VectorBuildOptions vectors;
  // Rebuild every partition and the whole lexical index instead of reusing what is
  // unchanged (reindex, repair). Default: false.
  bool full_rebuild = false;
};

struct PublishReport {
  bool published = false;  // false when nothing changed since the live generation
  int64_t generation = 0;  // the live generation after the call
  int64_t chunks = 0;      // vectors in it
  int partitions_built = 0;
  int partitions_reused = 0;
  int partitions_updated = 0;  // IVF partitions updated in place of a rebuild
  int64_t lexical_documents_updated = 0;
};

// Brings the index files in line with the catalog and makes the result live atomically.
// Idempotent: after a crash it simply redoes what is missing.
Result<PublishReport> PublishGeneration(store::Catalog& catalog,
                                        const engine::EmbedderInfo& embedder,
                                        const PublishOptions& options);

struct ReindexReport {
  int64_t chunks = 0;
  int64_t generation = 0;
  double seconds = 0;
};

// Re-embeds every stored chunk with `embedder`, records it as the catalog's embedder and
// publishes a fully rebuilt generation, which becomes live atomically: searches use the old
// generation until the new one is complete. The catalog carries a mark while this runs, so
// an interrupted reindex makes crawls refuse until `wissen reindex` is run again (it starts
// over; nothing is lost). The caller holds the crawl lock.
Result<ReindexReport> Reindex(store::Catalog& catalog, const engine::Embedder& embedder,
                              const PublishOptions& options, int batch_size = 256);

// The text an embedder sees for a chunk: its heading path tells what the passage is about
// even when its own sentences never name the topic.
std::string EmbeddingText(const std::string& heading_path, const std::string& text);

}  // namespace wissen::indexer

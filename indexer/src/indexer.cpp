#include "wissen/indexer/indexer.h"

#include <chrono>

#include "wissen/core/log.h"
#include "wissen/store/index_layout.h"
#include "wissen/store/lexical_index.h"

namespace wissen::indexer {
namespace fs = std::filesystem;

Indexer::Indexer(store::Catalog& catalog, const engine::Embedder& embedder, IndexerOptions options)
    : catalog_(catalog), embedder_(embedder), options_(options) {}

std::string EmbeddingText(const std::string& heading_path, const std::string& text) {
  return heading_path + "\n" + text;
}

namespace {

std::string IdentityKey(const engine::EmbedderInfo& info) {
  return info.name + " " + info.version + " " + std::to_string(info.dimension);
}

}  // namespace

Result<void> Indexer::Prepare() {
  const engine::EmbedderInfo info = embedder_.Info();
  auto state = catalog_.GetIndexState();
  if (!state) return Fail(state.error());
  if (!state->has_value()) return catalog_.SetEmbedder(info.name, info.version, info.dimension);
  const store::IndexState& s = **state;
  if (!s.reindexing_to.empty()) {
    return Fail(ErrorCode::kConflict, "a reindex to " + s.reindexing_to +
                                          " was interrupted; run `wissen reindex` to finish it");
  }
  if (s.embedder_name != info.name || s.embedder_version != info.version ||
      s.dimension != info.dimension) {
    return Fail(ErrorCode::kConflict,
                "the index was built with embedder " + s.embedder_name + " " + s.embedder_version +
                    " (" + std::to_string(s.dimension) + " dimensions) but " + info.name + " " +
                    info.version + " (" + std::to_string(info.dimension) +
                    " dimensions) is configured; run `wissen reindex` to re-embed everything");
  }
  return {};
}

Result<void> Indexer::Put(const DocumentInfo& info, const ParsedDocument& parsed) {
  std::vector<Chunk> chunks = ChunkDocument(parsed, options_.chunker);
  std::vector<store::ChunkRecord> records;
  records.reserve(chunks.size());
  const int dimension = embedder_.Info().dimension;
  const auto batch_size = static_cast<size_t>(std::max(1, options_.embed_batch));
  for (size_t begin = 0; begin < chunks.size(); begin += batch_size) {
    const size_t end = std::min(chunks.size(), begin + batch_size);
    std::vector<std::string> texts;
    texts.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      texts.push_back(EmbeddingText(chunks[i].heading_path, chunks[i].text));
    }
    auto vectors = embedder_.Embed(texts, engine::EmbedPurpose::kPassage);
    if (!vectors) return Fail(vectors.error());
    for (size_t i = begin; i < end; ++i) {
      const float* row = vectors->data() + (i - begin) * dimension;
      records.push_back({std::move(chunks[i]), std::vector<float>(row, row + dimension)});
    }
  }
  store::ParsedFields fields{parsed.title,      parsed.language,       parsed.mime,
                             parsed.page_count, parsed.parser_version, parsed.author,
                             parsed.metadata};
  auto id = catalog_.ReplaceDocument(info.source_id, info, fields, records);
  if (!id) return Fail(id.error());
  return {};
}

Result<void> Indexer::Touch(int64_t document_id, const DocumentInfo& info) {
  return catalog_.UpdateDocumentMetadata(document_id, info);
}

Result<void> Indexer::Delete(int64_t document_id) { return catalog_.MarkDeleted(document_id); }

Result<ReindexReport> Reindex(store::Catalog& catalog, const engine::Embedder& embedder,
                              const PublishOptions& options, int batch_size) {
  const auto started = std::chrono::steady_clock::now();
  const engine::EmbedderInfo info = embedder.Info();
  auto state = catalog.GetIndexState();
  if (!state) return Fail(state.error());
  if (!state->has_value()) {
    if (auto ok = catalog.SetEmbedder(info.name, info.version, info.dimension); !ok) {
      return Fail(ok.error());
    }
  }
  if (auto ok = catalog.SetReindexing(IdentityKey(info)); !ok) return Fail(ok.error());

  ReindexReport report;
  Result<void> status;
  std::vector<int64_t> ids;
  std::vector<std::string> texts;
  auto flush = [&]() {
    if (ids.empty() || !status) return;
    auto vectors = embedder.Embed(texts, engine::EmbedPurpose::kPassage);
    if (!vectors) {
      status = Fail(vectors.error());
      return;
    }
    status = catalog.UpdateEmbeddings(ids, *vectors, info.dimension);
    report.chunks += static_cast<int64_t>(ids.size());
    ids.clear();
    texts.clear();
  };
  auto scanned = catalog.ScanLiveChunks([&](std::vector<store::LexicalChunk>&& batch) {
    for (auto& chunk : batch) {
      ids.push_back(chunk.chunk_id);
      texts.push_back(EmbeddingText(chunk.heading_path, chunk.text));
      if (static_cast<int>(ids.size()) >= batch_size) flush();
    }
  });
  flush();
  if (!scanned) return Fail(scanned.error());
  if (!status) return Fail(status.error());
  if (auto ok = catalog.SetEmbedder(info.name, info.version, info.dimension); !ok) {
    return Fail(ok.error());
  }
  PublishOptions full = options;
  full.full_rebuild = true;
  auto published = PublishGeneration(catalog, info, full);
  if (!published) return Fail(published.error());
  if (auto ok = catalog.SetReindexing(""); !ok) return Fail(ok.error());
  report.generation = published->generation;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {

// Compacts the committed lexical index when the writer says it is worth it. A failure costs
// only speed: the index stays as committed, so it is logged and publishing goes on.
void CompactIfWorthIt(store::LexicalWriter& writer) {
  if (!writer.NeedsCompaction()) return;
  const auto started = std::chrono::steady_clock::now();
  if (auto compacted = writer.Compact(); !compacted) {
    log::Warn("index.lexical_compaction_failed", {{"error", compacted.error().ToString()}});
    return;
  }
  log::Info("index.lexical_compacted",
            {{"dir", writer.directory().string()},
             {"chunks", writer.size()},
             {"seconds",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
}

// Applies the catalog's change log to the lexical index and compacts it when that is worth
// it. Returns documents updated.
Result<int64_t> SyncLexical(store::Catalog& catalog, const fs::path& root, bool full_rebuild) {
  auto writer = store::LexicalWriter::Open(root);
  if (!writer) return Fail(writer.error());
  auto latest = catalog.LatestChangeSeq();
  if (!latest) return Fail(latest.error());
  const int64_t applied = (*writer)->applied_seq();
  // An index of an older layout is rebuilt once, whatever changed.
  full_rebuild = full_rebuild || (*writer)->NeedsRebuild();
  if (!full_rebuild && applied == *latest) {
    // Nothing to apply, but an index never compacted (an older version's) is compacted now.
    CompactIfWorthIt(**writer);
    return 0;
  }

  auto to_lexical = [](store::LexicalChunk&& c) {
    return store::LexicalDocument{
        c.chunk_id,        c.document_id,         std::move(c.title), std::move(c.heading_path),
        std::move(c.text), std::move(c.language), std::move(c.acl)};
  };
  int64_t updated = 0;
  // A full rebuild when asked, on first use, or when the catalog is older than the index
  // (restored from a backup): the change log cannot tell what to remove then.
  if (full_rebuild || applied == 0 || applied > *latest) {
    (*writer)->StartFullRebuild();
    Result<void> add_status;
    auto scanned = catalog.ScanLiveChunks([&](std::vector<store::LexicalChunk>&& batch) {
      for (auto& chunk : batch) {
        if (!add_status) return;
        add_status = (*writer)->Add(to_lexical(std::move(chunk)));
      }
      updated += static_cast<int64_t>(batch.size());
    });
    if (!scanned) return Fail(scanned.error());
    if (!add_status) return Fail(add_status.error());
  } else {
    auto changed = catalog.DocumentsChangedAfter(applied, *latest);
    if (!changed) return Fail(changed.error());
    if (auto ok = (*writer)->RemoveDocuments(*changed); !ok) return Fail(ok.error());
    auto chunks = catalog.LiveChunks(*changed);
    if (!chunks) return Fail(chunks.error());
    for (auto& chunk : *chunks) {
      if (auto ok = (*writer)->Add(to_lexical(std::move(chunk))); !ok) return Fail(ok.error());
    }
    updated = static_cast<int64_t>(changed->size());
  }
  if (auto ok = (*writer)->Commit(*latest); !ok) return Fail(ok.error());
  CompactIfWorthIt(**writer);
  return updated;
}

// Whether `partition` is worth trying VectorIndexBuilder::Update for: it stays large enough
// for IVF, and the previous generation holds it as IVF of 8-bit codes. Update itself decides
// whether the change is small enough.
bool IsUpdatableIvf(const store::VectorIndex* previous, const store::PartitionInfo& partition,
                    const store::VectorBuildOptions& options) {
  if (previous == nullptr ||
      store::PartitionKindFor(partition.chunk_count, options) != store::PartitionKind::kIvf) {
    return false;
  }
  for (const auto& built : previous->partitions()) {
    if (built.acl == partition.acl) {
      return built.kind == store::PartitionKind::kIvf && !built.outdated;
    }
  }
  return false;
}

}  // namespace

Result<PublishReport> PublishGeneration(store::Catalog& catalog,
                                        const engine::EmbedderInfo& embedder,
                                        const PublishOptions& options) {
  PublishReport report;
  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  };
  auto lexical_updates = SyncLexical(catalog, store::index_layout::LexicalRoot(options.index_root),
                                     options.full_rebuild);
  if (!lexical_updates) return Fail(lexical_updates.error());
  report.lexical_documents_updated = *lexical_updates;
  log::Info("index.lexical_synced",
            {{"updated", *lexical_updates}, {"seconds", seconds_since(started)}});
  const auto vectors_started = std::chrono::steady_clock::now();

  auto state = catalog.GetIndexState();
  if (!state) return Fail(state.error());
  const int64_t live_generation = state->has_value() ? (*state)->generation : 0;
  auto partitions = catalog.ListPartitions();
  if (!partitions) return Fail(partitions.error());

  const fs::path vector_root = store::index_layout::VectorRoot(options.index_root);
  std::shared_ptr<const store::VectorIndex> previous;
  if (!options.full_rebuild) {
    auto loaded = store::VectorIndex::LoadCurrent(vector_root);
    if (loaded) {
      previous = *loaded;
    } else {
      log::Warn("index.previous_unreadable", {{"error", loaded.error().ToString()}});
    }
  }
  const store::VectorIdentity identity{embedder.name, embedder.version, embedder.dimension};

  // Nothing to do when the live generation already holds exactly these partitions, each of
  // the kind the options ask for (a changed index.approximate_index rebuilds) and of a layout
  // this version builds.
  bool unchanged = previous != nullptr && previous->identity() == identity &&
                   previous->partitions().size() == partitions->size();
  if (unchanged) {
    for (const auto& built : previous->partitions()) {
      unchanged = unchanged && !built.outdated &&
                  built.kind == store::PartitionKindFor(built.vectors, options.vectors);
    }
  }
  for (const auto& partition : *partitions) {
    if (!unchanged) break;
    unchanged = store::PartitionFingerprint(*previous, partition.acl) == partition.fingerprint;
  }
  if (unchanged && previous->generation() == live_generation) {
    report.generation = live_generation;
    report.chunks = previous->size();
    return report;
  }

  const int64_t generation = std::max(live_generation, previous ? previous->generation() : 0) + 1;
  store::VectorIndexBuilder builder(vector_root, generation, identity, options.vectors);
  for (const auto& partition : *partitions) {
    auto reused = builder.Reuse(previous.get(), partition.acl, partition.fingerprint);
    if (!reused) return Fail(reused.error());
    if (*reused) {
      ++report.partitions_reused;
      report.chunks += partition.chunk_count;
      continue;
    }
    // A large partition that changed a little keeps its trained IVF lists: only the vectors
    // of removed and added chunks are touched (VectorIndexBuilder::Update).
    if (IsUpdatableIvf(previous.get(), partition, options.vectors)) {
      auto current = catalog.PartitionChunkIds(partition.acl);
      if (!current) return Fail(current.error());
      // The ids must be the ones the fingerprint describes (they are read in another
      // transaction; the crawl lock keeps writers out, this makes sure of it).
      if (current->fingerprint == partition.fingerprint) {
        auto updated = builder.Update(previous.get(), partition.acl, partition.fingerprint,
                                      current->ids, [&](std::span<const int64_t> chunk_ids) {
                                        return catalog.PartitionEmbeddings(partition.acl, chunk_ids,
                                                                           embedder.dimension);
                                      });
        if (!updated) return Fail(updated.error());
        if (*updated) {
          ++report.partitions_updated;
          report.chunks += static_cast<int64_t>(current->ids.size());
          continue;
        }
      }
    }
    std::vector<int64_t> ids;
    std::vector<float> vectors;
    ids.reserve(static_cast<size_t>(partition.chunk_count));
    vectors.reserve(static_cast<size_t>(partition.chunk_count) * embedder.dimension);
    bool dimension_mismatch = false;
    auto scanned = catalog.ScanPartition(
        partition.acl, [&](std::span<const int64_t> batch_ids, std::span<const float> batch) {
          if (batch.size() != batch_ids.size() * static_cast<size_t>(embedder.dimension)) {
            dimension_mismatch = true;
            return;
          }
          ids.insert(ids.end(), batch_ids.begin(), batch_ids.end());
          vectors.insert(vectors.end(), batch.begin(), batch.end());
        });
    if (!scanned) return Fail(scanned.error());
    if (dimension_mismatch) {
      return Fail(ErrorCode::kConflict,
                  "stored embeddings do not have the configured dimension; run `wissen reindex`");
    }
    if (auto ok = builder.Add(partition.acl, partition.fingerprint, ids, vectors); !ok) {
      return Fail(ok.error());
    }
    ++report.partitions_built;
    report.chunks += static_cast<int64_t>(ids.size());
  }
  auto dir = builder.Commit();
  if (!dir) return Fail(dir.error());
  if (auto ok = catalog.SetGeneration(generation, report.chunks); !ok) return Fail(ok.error());
  report.published = true;
  report.generation = generation;
  log::Info("index.published", {{"generation", generation},
                                {"chunks", report.chunks},
                                {"partitions_built", report.partitions_built},
                                {"partitions_reused", report.partitions_reused},
                                {"partitions_updated", report.partitions_updated},
                                {"vector_seconds", seconds_since(vectors_started)},
                                {"seconds", seconds_since(started)}});
  return report;
}

}  // namespace wissen::indexer

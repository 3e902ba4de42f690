// VectorIndex: FAISS vectors partitioned by ACL, one index file per distinct ACL.
//
// A query searches only the partitions whose ACL intersects the principal's roles, so an
// unreadable partition is never touched and a selective role cannot starve top-k. Small
// partitions are exact (inner product over all vectors); partitions of at least
// `ann_threshold` vectors get an approximate index: IVF lists trained on the partition's own
// vectors, holding 8-bit codes of them (the default), or an HNSW graph over the full vectors. A
// generation loads and is searched with whatever kind its files hold, so changing the setting takes
// effect as partitions are rebuilt.
//
// On disk, each generation is a directory <root>/gen-NNNNNNNN/ with a manifest.json and one
// file per partition; <root>/CURRENT names the live generation and is replaced atomically
// (write + fsync + rename), so a crash while writing a generation leaves the previous one
// live and loadable. A loaded VectorIndex is immutable and thread-safe for concurrent
// searches; the server swaps generations by swapping std::shared_ptr<const VectorIndex>.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/result.h"

namespace wissen::store {

// Which embedder produced the vectors; stored in the manifest.
struct VectorIdentity {
  std::string embedder_name;
  std::string embedder_version;
  int dimension = 0;

  friend bool operator==(const VectorIdentity&, const VectorIdentity&) = default;
};

struct ScoredId {
  int64_t id = 0;
  float score = 0;
};

// How a partition is searched. The manifest records it as "flat", "ivf" or "hnsw".
enum class PartitionKind {
  kFlat,  // exact inner product over every vector
  kIvf,   // IVF lists (k-means on the partition's own vectors) of 8-bit codes
  kHnsw,  // HNSW graph over the full vectors
};

// "flat", "ivf" or "hnsw".
const char* PartitionKindName(PartitionKind kind);
// The kind named "ivf" or "hnsw" (the approximate kinds), or nullopt.
std::optional<PartitionKind> ApproximateKindNamed(std::string_view name);

struct PartitionStats {
  Acl acl;
  int64_t vectors = 0;
  PartitionKind kind = PartitionKind::kFlat;
  // Of a layout this version searches but no longer builds (IVF lists of full vectors):
  // rebuilt at the next publish.
  bool outdated = false;
};

struct VectorSearchOptions {
  // Candidate list length of the HNSW search (FAISS efSearch; at least k is used). Recall
  // and cost grow with it. Default: 256 (200,000 chunks of the built-in embedder, the
  // benchmark's queries: recall@10 0.85 in 3.5 ms; 128: 0.81 in 1.9 ms; 512: 0.90 in
  // 5.9 ms; bench/results/query.md).
  int ef_search = 256;
  // IVF lists probed per query (of about 4·√n lists). Recall and cost grow with it.
  // Default: 256 (a million chunks of the built-in embedder, 800,000 of them in one partition
  // of 3,578 lists, the benchmark's queries, 8-bit codes: recall@10 0.954, vector stage
  // 2.7 ms; 192: 0.947; 64: 0.921 in a third of the time; bench/results/query.md).
  int nprobe = 256;
  // IVF partitions of 8-bit codes on a CPU with AVX2: a first pass ranks the probed codes
  // with integer weights, and only the best k · ivf_rerank of them are scored exactly.
  // 0 or 1 = every probed code scored exactly. Default: 4.
  int ivf_rerank = 4;
};

class VectorIndex {
 public:
  ~VectorIndex();

  // Loads the generation CURRENT names under `root`. Returns nullptr (not an error) when no
  // generation was ever written. Errors: kIo/kInternal for unreadable or corrupt files.
  static Result<std::shared_ptr<const VectorIndex>> LoadCurrent(const std::filesystem::path& root);
  // Loads one generation directory.
  static Result<std::shared_ptr<const VectorIndex>> Load(const std::filesystem::path& dir);

  // Top-k over the readable partitions, merged by score (inner product, higher is better).
  // `query` must have identity().dimension floats.
  std::vector<ScoredId> Search(std::span<const float> query, int k, const RoleSet& roles,
                               const VectorSearchOptions& options = {}) const;

  int64_t generation() const;
  const VectorIdentity& identity() const;
  std::vector<PartitionStats> partitions() const;
  int64_t size() const;

 private:
  friend class VectorIndexBuilder;
  friend std::string PartitionFingerprint(const VectorIndex& index, const Acl& acl);
  struct Impl;
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct VectorBuildOptions {
  // Partitions with at least this many vectors get the approximate index `approximate_kind`;
  // smaller ones are searched exactly. Default: 20,000 (an exact scan of 20k 384-d vectors
  // takes ~3 ms).
  int64_t ann_threshold = 20000;
  // kIvf or kHnsw. Default: kIvf. On the built-in embedder's vectors, whose neighbourhoods
  // are flat (hundreds of passages of one topic score almost alike), IVF reached recall@10
  // 0.954 at a million chunks in 4.0 ms where an HNSW graph (M 16) stayed at 0.75 in 3.7 ms,
  // in 400 instead of 1,700 bytes a chunk, and it builds in a fraction of the time
  // (bench/results/query.md). HNSW suits the clustered vectors of a semantic embedder.
  PartitionKind approximate_kind = PartitionKind::kIvf;
  // Neighbours per graph node (FAISS's M; 2·M on the bottom level). Resident memory per
  // vector is about 4·dimension + 8·M + 24 bytes. Default: 16.
  int hnsw_m = 16;
  // Candidate list length while building (FAISS efConstruction). The built-in embedder's
  // vectors need a well-built graph: on 40,000 of them, with held-out passages as queries,
  // recall@10 at efSearch 128 was 0.95 with 64, 0.98 with 100 and 0.99 with 200, at 1, 1.4
  // and about 2.5 times the build time.
  // Default: 100.
  int hnsw_ef_construction = 100;
};

// Writes one new generation. Not thread-safe; one builder at a time per root (the crawl
// lock guarantees it).
class VectorIndexBuilder {
 public:
  VectorIndexBuilder(std::filesystem::path root, int64_t generation, VectorIdentity identity,
                     VectorBuildOptions options = {});
  ~VectorIndexBuilder();

  // Reuses the partition file of `previous` for this ACL when its fingerprint matches and
  // it is of the kind Add would build now (hard link, no copy), so a partition built with
  // other settings is rebuilt. Returns false when it cannot be reused.
  Result<bool> Reuse(const VectorIndex* previous, const Acl& acl, const std::string& fingerprint);
  // Builds a partition from ids and row-major vectors (ids.size() * dimension floats):
  // exact below `ann_threshold` vectors, `approximate_kind` from there on (built with FAISS's
  // OpenMP threads; IVF trains k-means on a deterministic sample of the partition).
  Result<void> Add(const Acl& acl, const std::string& fingerprint, std::span<const int64_t> ids,
                   std::span<const float> vectors);
  // Vectors of the given chunk ids, row-major, in the order asked.
  using FetchVectors =
      std::function<Result<std::vector<float>>(std::span<const int64_t> chunk_ids)>;
  // Builds an IVF partition from the previous generation's instead of training it anew: the
  // vectors of chunks no longer in `ids` (all chunk ids the partition has now) are removed, and
  // those of new ids are fetched and added to the trained lists. Returns false (nothing
  // written; call Add) unless the previous partition of this ACL is IVF of 8-bit codes, the
  // partition stays large enough for IVF, and the vectors added and removed since it was
  // trained stay within a fifth of its training set. Chunk ids are never reused for other text,
  // so an id in both holds the same vector (`wissen reindex` rewrites embeddings under the same
  // ids, but it always rebuilds in full, and crawls refuse while a reindex is unfinished).
  // Anything unexpected while updating (an unreadable file, ids that do not come out exactly
  // as `ids`) also returns false; only a failed `fetch` is an error.
  Result<bool> Update(const VectorIndex* previous, const Acl& acl, const std::string& fingerprint,
                      std::span<const int64_t> ids, const FetchVectors& fetch);
  // Writes the manifest, makes the generation live and removes all but the two newest
  // older generations. Returns the generation directory.
  Result<std::filesystem::path> Commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The kind VectorIndexBuilder::Add builds for a partition of `vectors` vectors.
PartitionKind PartitionKindFor(int64_t vectors, const VectorBuildOptions& options);

// The fingerprint a partition was built from, as recorded in the manifest ("" if absent).
std::string PartitionFingerprint(const VectorIndex& index, const Acl& acl);

}  // namespace wissen::store

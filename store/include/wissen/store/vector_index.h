// VectorIndex: FAISS vectors partitioned by ACL, one index file per distinct ACL.
//
// A query searches only the partitions whose ACL intersects the principal's roles, so an
// unreadable partition is never touched and a selective role cannot starve top-k. Small
// partitions are exact (inner product over all vectors); partitions above
// `ivf_threshold` vectors use an IVF index trained on their own vectors.
//
// On disk, each generation is a directory <root>/gen-NNNNNNNN/ with a manifest.json and one
// file per partition; <root>/CURRENT names the live generation and is replaced atomically
// (write + fsync + rename), so a crash while writing a generation leaves the previous one
// live and loadable. A loaded VectorIndex is immutable and thread-safe for concurrent
// searches; the server swaps generations by swapping std::shared_ptr<const VectorIndex>.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
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

struct PartitionStats {
  Acl acl;
  int64_t vectors = 0;
  bool ivf = false;
};

struct VectorSearchOptions {
  // IVF lists probed per query in IVF partitions (of about √n lists). Default: 32.
  int nprobe = 32;
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
  // Partitions with at least this many vectors get an IVF index; smaller ones are searched
  // exactly. Default: 20,000 (an exact scan of 20k 384-d vectors takes ~3 ms).
  int64_t ivf_threshold = 20000;
};

// Writes one new generation. Not thread-safe; one builder at a time per root (the crawl
// lock guarantees it).
class VectorIndexBuilder {
 public:
  VectorIndexBuilder(std::filesystem::path root, int64_t generation, VectorIdentity identity,
                     VectorBuildOptions options = {});
  ~VectorIndexBuilder();

  // Reuses the partition file of `previous` for this ACL when its fingerprint matches
  // (hard link, no copy). Returns false when it cannot be reused.
  Result<bool> Reuse(const VectorIndex* previous, const Acl& acl, const std::string& fingerprint);
  // Builds a partition from ids and row-major vectors (ids.size() * dimension floats).
  Result<void> Add(const Acl& acl, const std::string& fingerprint, std::span<const int64_t> ids,
                   std::span<const float> vectors);
  // Writes the manifest, makes the generation live and removes all but the two newest
  // older generations. Returns the generation directory.
  Result<std::filesystem::path> Commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The fingerprint a partition was built from, as recorded in the manifest ("" if absent).
std::string PartitionFingerprint(const VectorIndex& index, const Acl& acl);

}  // namespace wissen::store

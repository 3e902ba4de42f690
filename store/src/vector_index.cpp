#include "wissen/store/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>

#include "durable_file.h"
#include "ivf_sq8.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"
#include "wissen/store/index_layout.h"

namespace wissen::store {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "manifest.json";

struct Partition {
  Acl acl;
  std::string file;
  std::string fingerprint;
  int64_t vectors = 0;
  PartitionKind kind = PartitionKind::kFlat;
  std::unique_ptr<faiss::Index> index;
  // For kHnsw: the graph and vectors inside `index` (an IndexIDMap) and its label -> chunk
  // id table, for SearchHnsw.
  const faiss::HNSW* graph = nullptr;
  const float* graph_vectors = nullptr;
  const faiss::Index::idx_t* graph_ids = nullptr;
  // For kIvf partitions of 8-bit codes (those built now): searched by detail::SearchIvfSq8.
  // Null for IVF partitions of full vectors (built on 2026-12-06 before codes), which FAISS
  // searches.
  const faiss::IndexIVFScalarQuantizer* sq8 = nullptr;
  // For kIvf: how many vectors its lists were trained on, and how many were added or removed
  // since (VectorIndexBuilder::Update). Manifests before incremental updates lack them: the
  // partition's size, 0.
  int64_t trained_vectors = 0;
  int64_t changed_since_training = 0;
};

// Share of its training set an IVF partition may change by through incremental updates before
// it is trained anew: its lists drift from the data as documents come and go.
constexpr double kRetrainAfterChangedShare = 0.2;

// Marks visited graph nodes for one thread; clearing is a counter increment, not a memset
// of the whole table per query.
class VisitedNodes {
 public:
  void Start(size_t nodes) {
    if (marks_.size() < nodes) marks_.assign(nodes, 0);
    if (++epoch_ == 0) {
      std::fill(marks_.begin(), marks_.end(), 0);
      epoch_ = 1;
    }
  }
  // True the first time `node` is seen since Start.
  bool Visit(int node) {
    if (marks_[node] == epoch_) return false;
    marks_[node] = epoch_;
    return true;
  }

 private:
  std::vector<uint16_t> marks_;
  uint16_t epoch_ = 0;
};

// Top-k by inner product over a FAISS HNSW graph: greedy descent through the upper levels,
// then a best-first search on the bottom level keeping the `ef` best nodes (Malkov &
// Yashunin, algorithms 2 and 5). FAISS 1.7.3's own search takes the candidate list length
// from the index's efSearch member, not from SearchParametersHNSW, so a shared immutable
// index could not vary it per query; this search also runs on the calling thread only
// instead of opening an OpenMP team for one query. Returns (score, label), best first.
std::vector<std::pair<float, faiss::Index::idx_t>> SearchHnsw(const Partition& partition,
                                                              const float* query, int dimension,
                                                              int k, int ef) {
  using Scored = std::pair<float, int>;
  const faiss::HNSW& graph = *partition.graph;
  std::vector<std::pair<float, faiss::Index::idx_t>> top;
  if (graph.entry_point < 0) return top;
  auto score = [&](int node) {
    return faiss::fvec_inner_product(query, partition.graph_vectors + size_t(node) * dimension,
                                     dimension);
  };
  int current = graph.entry_point;
  float current_score = score(current);
  for (int level = graph.max_level; level > 0; --level) {
    for (bool moved = true; moved;) {
      moved = false;
      size_t begin = 0, end = 0;
      graph.neighbor_range(current, level, &begin, &end);
      for (size_t j = begin; j < end && graph.neighbors[j] >= 0; ++j) {
        const float s = score(graph.neighbors[j]);
        if (s > current_score) {
          current_score = s;
          current = graph.neighbors[j];
          moved = true;
        }
      }
    }
  }

  thread_local VisitedNodes visited;
  visited.Start(graph.levels.size());
  visited.Visit(current);
  std::priority_queue<Scored> candidates;                                 // best first
  std::priority_queue<Scored, std::vector<Scored>, std::greater<>> kept;  // worst first
  candidates.emplace(current_score, current);
  kept.emplace(current_score, current);
  while (!candidates.empty()) {
    const auto [candidate_score, candidate] = candidates.top();
    if (candidate_score < kept.top().first && static_cast<int>(kept.size()) >= ef) break;
    candidates.pop();
    size_t begin = 0, end = 0;
    graph.neighbor_range(candidate, 0, &begin, &end);
    for (size_t j = begin; j < end && graph.neighbors[j] >= 0; ++j) {
      const int node = graph.neighbors[j];
      if (!visited.Visit(node)) continue;
      const float s = score(node);
      if (static_cast<int>(kept.size()) < ef || s > kept.top().first) {
        candidates.emplace(s, node);
        kept.emplace(s, node);
        if (static_cast<int>(kept.size()) > ef) kept.pop();
      }
    }
  }
  while (static_cast<int>(kept.size()) > k) kept.pop();
  for (; !kept.empty(); kept.pop()) top.emplace_back(kept.top().first, kept.top().second);
  std::reverse(top.begin(), top.end());
  return top;
}

// An IVF index over `n` row-major vectors with their chunk ids as labels. About 4·√n lists
// keeps each list a few hundred vectors long at a million vectors; k-means wants at least ~39
// training points per list, which bounds the list count for mid-sized partitions. The lists
// hold 8-bit codes of the vectors themselves (not of their residuals), one byte a dimension
// with a range per dimension: a quarter of the memory of floats, and a quarter of the bytes
// a query reads (detail::SearchIvfSq8).
std::unique_ptr<faiss::Index> BuildIvf(int d, int64_t n, const float* vectors,
                                       const faiss::Index::idx_t* labels) {
  const auto nlist = static_cast<size_t>(
      std::clamp<double>(std::min(4 * std::sqrt(double(n)), double(n) / 39.0), 1, 65536));
  auto index = std::make_unique<faiss::IndexIVFScalarQuantizer>(
      new faiss::IndexFlatIP(d), d, nlist, faiss::ScalarQuantizer::QT_8bit,
      faiss::METRIC_INNER_PRODUCT, /*encode_residual=*/false);
  index->own_fields = true;
  // A deterministic, evenly spread sample of 64 points per list: enough for k-means, and the
  // same vectors give the same lists in every build.
  const int64_t sample = std::min<int64_t>(n, static_cast<int64_t>(nlist) * 64);
  const int64_t stride = std::max<int64_t>(1, n / sample);
  std::vector<float> training(static_cast<size_t>(sample) * d);
  for (int64_t i = 0; i < sample; ++i) {
    std::copy_n(vectors + (i * stride % n) * d, d, training.data() + i * d);
  }
  index->cp.seed = 1234;
  index->train(sample, training.data());
  index->add_with_ids(n, vectors, labels);
  return index;
}

// Every id the lists of `ivf` hold, ascending.
std::vector<int64_t> IdsOf(const faiss::IndexIVF& ivf) {
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(ivf.ntotal));
  const faiss::InvertedLists* lists = ivf.invlists;
  for (size_t list = 0; list < lists->nlist; ++list) {
    faiss::InvertedLists::ScopedIds list_ids(lists, list);
    ids.insert(ids.end(), list_ids.get(), list_ids.get() + lists->list_size(list));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The kind a loaded FAISS index is searched as; sets the HNSW shortcuts. Returns false for
// an index type this code never writes.
bool ClassifyIndex(Partition& partition) {
  if (dynamic_cast<const faiss::IndexIVF*>(partition.index.get()) != nullptr) {
    partition.kind = PartitionKind::kIvf;
    const auto* sq8 = dynamic_cast<const faiss::IndexIVFScalarQuantizer*>(partition.index.get());
    if (sq8 != nullptr) {
      // Other quantizer settings are never written; refuse rather than mis-score them.
      partition.sq8 = sq8;
      return detail::IsPlainSq8(*sq8);
    }
    return true;
  }
  const auto* map = dynamic_cast<const faiss::IndexIDMap*>(partition.index.get());
  if (map == nullptr) return false;
  if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(map->index)) {
    const auto* storage = dynamic_cast<const faiss::IndexFlatIP*>(hnsw->storage);
    partition.kind = PartitionKind::kHnsw;
    partition.graph = &hnsw->hnsw;
    partition.graph_vectors = storage != nullptr ? storage->get_xb() : nullptr;
    partition.graph_ids = map->id_map.data();
    return storage != nullptr && storage->ntotal == hnsw->ntotal &&
           static_cast<int64_t>(map->id_map.size()) == hnsw->ntotal &&
           static_cast<int64_t>(hnsw->hnsw.levels.size()) == hnsw->ntotal;
  }
  partition.kind = PartitionKind::kFlat;
  return dynamic_cast<const faiss::IndexFlat*>(map->index) != nullptr;
}

std::string GenerationName(int64_t generation) {
  char name[32];
  std::snprintf(name, sizeof name, "gen-%08lld", static_cast<long long>(generation));
  return name;
}

// File names must not depend on role names' characters; a hash of the ACL key is stable.
std::string PartitionFileName(const Acl& acl) {
  return "p-" + Sha256Hex(acl.Key()).substr(0, 16) + ".faiss";
}

}  // namespace

PartitionKind PartitionKindFor(int64_t vectors, const VectorBuildOptions& options) {
  return vectors >= options.ann_threshold ? options.approximate_kind : PartitionKind::kFlat;
}

std::optional<PartitionKind> ApproximateKindNamed(std::string_view name) {
  if (name == "ivf") return PartitionKind::kIvf;
  if (name == "hnsw") return PartitionKind::kHnsw;
  return std::nullopt;
}

const char* PartitionKindName(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::kFlat:
      return "flat";
    case PartitionKind::kIvf:
      return "ivf";
    case PartitionKind::kHnsw:
      return "hnsw";
  }
  return "flat";
}

struct VectorIndex::Impl {
  int64_t generation = 0;
  VectorIdentity identity;
  std::vector<Partition> partitions;
  fs::path dir;
};

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;

Result<std::shared_ptr<const VectorIndex>> VectorIndex::LoadCurrent(const fs::path& root) {
  std::ifstream current(root / index_layout::kVectorPointerName);
  if (!current) return std::shared_ptr<const VectorIndex>();
  std::string name;
  std::getline(current, name);
  name = std::string(TrimAscii(name));
  if (name.empty() || name.find('/') != std::string::npos) {
    return Fail(ErrorCode::kInternal, "index pointer " +
                                          (root / index_layout::kVectorPointerName).string() +
                                          " is damaged; run `wissen reindex`");
  }
  return Load(root / name);
}

Result<std::shared_ptr<const VectorIndex>> VectorIndex::Load(const fs::path& dir) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  try {
    std::ifstream in(dir / kManifest);
    if (!in) return Fail(ErrorCode::kIo, "index manifest missing in " + dir.string());
    const nlohmann::json manifest = nlohmann::json::parse(in);
    impl->generation = manifest.at("generation").get<int64_t>();
    impl->identity.embedder_name = manifest.at("embedder").at("name").get<std::string>();
    impl->identity.embedder_version = manifest.at("embedder").at("version").get<std::string>();
    impl->identity.dimension = manifest.at("embedder").at("dimension").get<int>();
    for (const auto& entry : manifest.at("partitions")) {
      Partition partition;
      partition.acl = Acl(entry.at("acl").get<std::vector<std::string>>());
      partition.file = entry.at("file").get<std::string>();
      partition.fingerprint = entry.value("fingerprint", "");
      partition.vectors = entry.at("vectors").get<int64_t>();
      partition.trained_vectors = entry.value("trained_vectors", partition.vectors);
      partition.changed_since_training = entry.value("changed_since_training", int64_t{0});
      partition.index.reset(faiss::read_index((dir / partition.file).c_str()));
      if (partition.index->d != impl->identity.dimension) {
        return Fail(ErrorCode::kInternal, "partition " + partition.file + " has dimension " +
                                              std::to_string(partition.index->d));
      }
      // The file says what it is; the manifest's "kind" (or the older "ivf" flag) must agree.
      const std::string recorded = entry.contains("kind")
                                       ? entry.at("kind").get<std::string>()
                                       : (entry.value("ivf", false) ? "ivf" : "flat");
      if (!ClassifyIndex(partition) || recorded != PartitionKindName(partition.kind) ||
          partition.index->ntotal != partition.vectors) {
        return Fail(ErrorCode::kInternal, "partition " + partition.file + " in " + dir.string() +
                                              " does not match its manifest entry; run "
                                              "`wissen reindex`");
      }
      impl->partitions.push_back(std::move(partition));
    }
  } catch (const std::exception& e) {
    log::Error("index.load_failed", {{"dir", dir.string()}, {"detail", e.what()}});
    return Fail(ErrorCode::kInternal,
                "cannot load vector index " + dir.string() + "; run `wissen reindex`");
  }
  return std::shared_ptr<const VectorIndex>(new VectorIndex(std::move(impl)));
}

std::vector<ScoredId> VectorIndex::Search(std::span<const float> query, int k, const RoleSet& roles,
                                          const VectorSearchOptions& options) const {
  std::vector<ScoredId> merged;
  if (k <= 0 || static_cast<int>(query.size()) != impl_->identity.dimension) return merged;
  std::vector<float> distances(k);
  std::vector<faiss::Index::idx_t> labels(k);
  for (const auto& partition : impl_->partitions) {
    // The first of the three ACL checks: a partition the principal may not read is skipped
    // before FAISS sees the query.
    if (!roles.Intersects(partition.acl) || partition.vectors == 0) continue;
    std::fill(labels.begin(), labels.end(), -1);
    switch (partition.kind) {
      case PartitionKind::kHnsw: {
        const auto top = SearchHnsw(partition, query.data(), impl_->identity.dimension, k,
                                    std::max(options.ef_search, k));
        for (size_t i = 0; i < top.size(); ++i) {
          distances[i] = top[i].first;
          labels[i] = partition.graph_ids[top[i].second];
        }
        break;
      }
      case PartitionKind::kIvf: {
        if (partition.sq8 != nullptr) {
          const int rerank = options.ivf_rerank > 0 ? k * options.ivf_rerank : 0;
          const auto top =
              detail::SearchIvfSq8(*partition.sq8, query.data(), k, options.nprobe, rerank);
          for (size_t i = 0; i < top.size(); ++i) {
            distances[i] = top[i].first;
            labels[i] = top[i].second;
          }
          break;
        }
        faiss::SearchParametersIVF params;
        params.nprobe = static_cast<size_t>(std::max(1, options.nprobe));
        partition.index->search(1, query.data(), k, distances.data(), labels.data(), &params);
        break;
      }
      case PartitionKind::kFlat:
        partition.index->search(1, query.data(), k, distances.data(), labels.data());
        break;
    }
    for (int i = 0; i < k; ++i) {
      if (labels[i] >= 0) merged.push_back({labels[i], distances[i]});
    }
  }
  std::sort(merged.begin(), merged.end(), [](const ScoredId& a, const ScoredId& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  if (static_cast<int>(merged.size()) > k) merged.resize(k);
  return merged;
}

int64_t VectorIndex::generation() const { return impl_->generation; }
const VectorIdentity& VectorIndex::identity() const { return impl_->identity; }

std::vector<PartitionStats> VectorIndex::partitions() const {
  std::vector<PartitionStats> stats;
  for (const auto& p : impl_->partitions) {
    stats.push_back({p.acl, p.vectors, p.kind, p.kind == PartitionKind::kIvf && p.sq8 == nullptr});
  }
  return stats;
}

int64_t VectorIndex::size() const {
  int64_t total = 0;
  for (const auto& p : impl_->partitions) total += p.vectors;
  return total;
}

std::string PartitionFingerprint(const VectorIndex& index, const Acl& acl) {
  for (const auto& p : index.impl_->partitions) {
    if (p.acl == acl) return p.fingerprint;
  }
  return "";
}

struct VectorIndexBuilder::Impl {
  fs::path root;
  fs::path dir;
  int64_t generation = 0;
  VectorIdentity identity;
  VectorBuildOptions options;
  nlohmann::json partitions = nlohmann::json::array();
  bool committed = false;
};

VectorIndexBuilder::VectorIndexBuilder(fs::path root, int64_t generation, VectorIdentity identity,
                                       VectorBuildOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->root = std::move(root);
  impl_->generation = generation;
  impl_->dir = impl_->root / GenerationName(generation);
  impl_->identity = std::move(identity);
  impl_->options = options;
  std::error_code ec;
  // Leftovers of a crashed attempt at the same generation are never live; start clean.
  fs::remove_all(impl_->dir, ec);
  fs::create_directories(impl_->dir, ec);
}

VectorIndexBuilder::~VectorIndexBuilder() {
  if (!impl_->committed) {
    std::error_code ec;
    fs::remove_all(impl_->dir, ec);
  }
}

Result<bool> VectorIndexBuilder::Reuse(const VectorIndex* previous, const Acl& acl,
                                       const std::string& fingerprint) {
  if (previous == nullptr || previous->identity() != impl_->identity) return false;
  for (const auto& p : previous->impl_->partitions) {
    if (p.acl != acl || p.fingerprint != fingerprint || fingerprint.empty()) continue;
    if (p.kind != PartitionKindFor(p.vectors, impl_->options)) return false;
    if (p.kind == PartitionKind::kIvf && p.sq8 == nullptr) return false;  // full vectors
    const fs::path target = impl_->dir / p.file;
    std::error_code ec;
    fs::create_hard_link(previous->impl_->dir / p.file, target, ec);
    if (ec) fs::copy_file(previous->impl_->dir / p.file, target, ec);
    if (ec) return false;
    impl_->partitions.push_back({{"acl", acl.roles()},
                                 {"file", p.file},
                                 {"fingerprint", fingerprint},
                                 {"vectors", p.vectors},
                                 {"kind", PartitionKindName(p.kind)},
                                 {"trained_vectors", p.trained_vectors},
                                 {"changed_since_training", p.changed_since_training}});
    return true;
  }
  return false;
}

Result<void> VectorIndexBuilder::Add(const Acl& acl, const std::string& fingerprint,
                                     std::span<const int64_t> ids, std::span<const float> vectors) {
  const int d = impl_->identity.dimension;
  const auto n = static_cast<int64_t>(ids.size());
  if (static_cast<int64_t>(vectors.size()) != n * d) {
    return Fail(ErrorCode::kInternal, "vector count does not match id count");
  }
  const std::string file = PartitionFileName(acl);
  const PartitionKind kind = PartitionKindFor(n, impl_->options);
  try {
    std::vector<faiss::Index::idx_t> labels(ids.begin(), ids.end());
    if (kind == PartitionKind::kIvf) {
      // IVF lists carry the ids themselves; no IndexIDMap around them.
      const auto ivf = BuildIvf(d, n, vectors.data(), labels.data());
      faiss::write_index(ivf.get(), (impl_->dir / file).c_str());
    } else {
      std::unique_ptr<faiss::Index> inner;
      if (kind == PartitionKind::kHnsw) {
        auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(d, impl_->options.hnsw_m,
                                                           faiss::METRIC_INNER_PRODUCT);
        hnsw->hnsw.efConstruction = impl_->options.hnsw_ef_construction;
        inner = std::move(hnsw);
      } else {
        inner = std::make_unique<faiss::IndexFlatIP>(d);
      }
      // IndexIDMap (not IDMap2): a plain id array, no reverse hash map of ~50 bytes a vector.
      faiss::IndexIDMap map(inner.get());
      map.add_with_ids(n, vectors.data(), labels.data());
      faiss::write_index(&map, (impl_->dir / file).c_str());
    }
  } catch (const std::exception& e) {
    log::Error("index.write_failed", {{"file", file}, {"detail", e.what()}});
    return Fail(ErrorCode::kInternal, "cannot build vector partition " + file);
  }
  if (auto synced = SyncFile(impl_->dir / file); !synced) return synced;
  impl_->partitions.push_back({{"acl", acl.roles()},
                               {"file", file},
                               {"fingerprint", fingerprint},
                               {"vectors", n},
                               {"kind", PartitionKindName(kind)},
                               {"trained_vectors", n},
                               {"changed_since_training", 0}});
  return {};
}

Result<bool> VectorIndexBuilder::Update(const VectorIndex* previous, const Acl& acl,
                                        const std::string& fingerprint,
                                        std::span<const int64_t> ids, const FetchVectors& fetch) {
  if (previous == nullptr || previous->identity() != impl_->identity) return false;
  const Partition* old = nullptr;
  for (const auto& p : previous->impl_->partitions) {
    if (p.acl == acl) old = &p;
  }
  const auto n = static_cast<int64_t>(ids.size());
  if (old == nullptr || old->kind != PartitionKind::kIvf || old->sq8 == nullptr ||
      PartitionKindFor(n, impl_->options) != PartitionKind::kIvf) {
    return false;
  }
  // What changed: the ids the lists hold against the ids the partition has now.
  const std::vector<int64_t> before = IdsOf(*old->sq8);
  std::vector<int64_t> now(ids.begin(), ids.end());
  std::sort(now.begin(), now.end());
  std::vector<faiss::Index::idx_t> removed;
  std::vector<faiss::Index::idx_t> added;
  std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                      std::back_inserter(removed));
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  const int64_t changed = old->changed_since_training + static_cast<int64_t>(removed.size()) +
                          static_cast<int64_t>(added.size());
  if (static_cast<double>(changed) >
      kRetrainAfterChangedShare * static_cast<double>(old->trained_vectors)) {
    return false;  // train anew (Add)
  }
  auto vectors = fetch(added);
  if (!vectors) return Fail(vectors.error());
  const int d = impl_->identity.dimension;
  if (vectors->size() != added.size() * static_cast<size_t>(d)) {
    return Fail(ErrorCode::kConflict,
                "stored embeddings do not have the configured dimension; run `wissen reindex`");
  }
  const std::string file = PartitionFileName(acl);
  // Anything unexpected from here on falls back to a full build of the partition (Add):
  // an update is only an optimisation, and a stuck one must not block publishing.
  auto give_up = [&](const std::string& why) {
    log::Warn("index.update_declined", {{"file", file}, {"detail", why}});
    std::error_code ec;
    fs::remove(impl_->dir / file, ec);
    return false;
  };
  try {
    // A private copy from the previous generation's file: the loaded one is shared with
    // searches and immutable.
    std::unique_ptr<faiss::Index> index(
        faiss::read_index((previous->impl_->dir / old->file).c_str()));
    auto* ivf = dynamic_cast<faiss::IndexIVFScalarQuantizer*>(index.get());
    if (ivf == nullptr || !detail::IsPlainSq8(*ivf)) return give_up("not IVF of 8-bit codes");
    if (!removed.empty()) {
      const faiss::IDSelectorBatch selector(removed.size(), removed.data());
      ivf->remove_ids(selector);
    }
    if (!added.empty()) {
      ivf->add_with_ids(static_cast<faiss::Index::idx_t>(added.size()), vectors->data(),
                        added.data());
    }
    // Exactly the partition's chunks, or nothing: a vector of a chunk this ACL no longer
    // covers must never stay searchable under it.
    if (ivf->ntotal != n || IdsOf(*ivf) != now) return give_up("ids differ after the update");
    faiss::write_index(ivf, (impl_->dir / file).c_str());
  } catch (const std::exception& e) {
    return give_up(e.what());
  }
  if (auto synced = SyncFile(impl_->dir / file); !synced) return Fail(synced.error());
  impl_->partitions.push_back({{"acl", acl.roles()},
                               {"file", file},
                               {"fingerprint", fingerprint},
                               {"vectors", n},
                               {"kind", PartitionKindName(PartitionKind::kIvf)},
                               {"trained_vectors", old->trained_vectors},
                               {"changed_since_training", changed}});
  return true;
}

Result<fs::path> VectorIndexBuilder::Commit() {
  const nlohmann::json manifest = {{"generation", impl_->generation},
                                   {"embedder",
                                    {{"name", impl_->identity.embedder_name},
                                     {"version", impl_->identity.embedder_version},
                                     {"dimension", impl_->identity.dimension}}},
                                   {"partitions", impl_->partitions}};
  if (auto ok = WriteFileAtomically(impl_->dir / kManifest, manifest.dump(2)); !ok) {
    return Fail(ok.error());
  }
  if (auto ok = WriteFileAtomically(impl_->root / index_layout::kVectorPointerName,
                                    GenerationName(impl_->generation));
      !ok) {
    return Fail(ok.error());
  }
  impl_->committed = true;

  // Keep the live generation and the two before it, so a reader still holding an older
  // one can finish; anything older (and any uncommitted newer leftover) goes.
  std::vector<fs::path> generations;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(impl_->root, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with("gen-")) generations.push_back(entry.path());
  }
  std::sort(generations.begin(), generations.end());
  const std::string live = GenerationName(impl_->generation);
  int kept_older = 0;
  for (auto it = generations.rbegin(); it != generations.rend(); ++it) {
    const std::string name = it->filename().string();
    if (name == live) continue;
    if (name < live && kept_older < 2) {
      ++kept_older;
      continue;
    }
    fs::remove_all(*it, ec);
  }
  return impl_->dir;
}

}  // namespace wissen::store

#include "wissen/store/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/index_io.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::store {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kCurrent = "CURRENT";

struct Partition {
  Acl acl;
  std::string file;
  std::string fingerprint;
  int64_t vectors = 0;
  bool ivf = false;
  std::unique_ptr<faiss::Index> index;
};

std::string GenerationName(int64_t generation) {
  char name[32];
  std::snprintf(name, sizeof name, "gen-%08lld", static_cast<long long>(generation));
  return name;
}

// Writes `content` to `path` durably: temp file, fsync, rename, fsync of the directory.
Result<void> WriteFileAtomically(const fs::path& path, const std::string& content) {
  const fs::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot write " + temp.string());
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return Fail(ErrorCode::kIo, "cannot write " + temp.string());
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Fail(ErrorCode::kIo, "cannot sync " + temp.string());
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return Fail(ErrorCode::kIo, "cannot rename " + temp.string());
  }
  const int dir_fd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

Result<void> SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot open " + path.string());
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Fail(ErrorCode::kIo, "cannot sync " + path.string());
  return {};
}

// File names must not depend on role names' characters; a hash of the ACL key is stable.
std::string PartitionFileName(const Acl& acl) {
  return "p-" + Sha256Hex(acl.Key()).substr(0, 16) + ".faiss";
}

}  // namespace

struct VectorIndex::Impl {
  int64_t generation = 0;
  VectorIdentity identity;
  std::vector<Partition> partitions;
  fs::path dir;
};

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;

Result<std::shared_ptr<const VectorIndex>> VectorIndex::LoadCurrent(const fs::path& root) {
  std::ifstream current(root / kCurrent);
  if (!current) return std::shared_ptr<const VectorIndex>();
  std::string name;
  std::getline(current, name);
  name = std::string(TrimAscii(name));
  if (name.empty() || name.find('/') != std::string::npos) {
    return Fail(ErrorCode::kInternal, "index pointer " + (root / kCurrent).string() +
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
      partition.ivf = entry.value("ivf", false);
      partition.index.reset(faiss::read_index((dir / partition.file).c_str()));
      if (partition.index->d != impl->identity.dimension) {
        return Fail(ErrorCode::kInternal, "partition " + partition.file + " has dimension " +
                                              std::to_string(partition.index->d));
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
    if (partition.ivf) {
      faiss::SearchParametersIVF params;
      params.nprobe = static_cast<size_t>(std::max(1, options.nprobe));
      partition.index->search(1, query.data(), k, distances.data(), labels.data(), &params);
    } else {
      partition.index->search(1, query.data(), k, distances.data(), labels.data());
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
  for (const auto& p : impl_->partitions) stats.push_back({p.acl, p.vectors, p.ivf});
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
    const fs::path target = impl_->dir / p.file;
    std::error_code ec;
    fs::create_hard_link(previous->impl_->dir / p.file, target, ec);
    if (ec) fs::copy_file(previous->impl_->dir / p.file, target, ec);
    if (ec) return false;
    impl_->partitions.push_back({{"acl", acl.roles()},
                                 {"file", p.file},
                                 {"fingerprint", fingerprint},
                                 {"vectors", p.vectors},
                                 {"ivf", p.ivf}});
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
  const bool ivf = n >= impl_->options.ivf_threshold;
  try {
    std::unique_ptr<faiss::Index> index;
    std::vector<faiss::Index::idx_t> labels(ids.begin(), ids.end());
    if (ivf) {
      // About 4·√n lists keeps lists a few hundred vectors long at a million vectors; k-means
      // wants at least ~39 training points per list, which bounds nlist for mid-sized n.
      const auto nlist =
          static_cast<size_t>(std::clamp<double>(std::min(4 * std::sqrt(n), n / 39.0), 1, 65536));
      auto quantizer = new faiss::IndexFlatIP(d);
      auto ivf_index =
          std::make_unique<faiss::IndexIVFFlat>(quantizer, d, nlist, faiss::METRIC_INNER_PRODUCT);
      ivf_index->own_fields = true;
      // Train on a deterministic sample: k-means needs ~40 points per list, not all of them.
      const int64_t sample = std::min<int64_t>(n, static_cast<int64_t>(nlist) * 64);
      std::vector<float> training(static_cast<size_t>(sample) * d);
      const int64_t stride = std::max<int64_t>(1, n / sample);
      for (int64_t i = 0; i < sample; ++i) {
        std::copy_n(vectors.data() + (i * stride % n) * d, d, training.data() + i * d);
      }
      ivf_index->train(sample, training.data());
      ivf_index->add_with_ids(n, vectors.data(), labels.data());
      index = std::move(ivf_index);
    } else {
      auto map = std::make_unique<faiss::IndexIDMap2>(new faiss::IndexFlatIP(d));
      map->own_fields = true;
      map->add_with_ids(n, vectors.data(), labels.data());
      index = std::move(map);
    }
    faiss::write_index(index.get(), (impl_->dir / file).c_str());
  } catch (const std::exception& e) {
    log::Error("index.write_failed", {{"file", file}, {"detail", e.what()}});
    return Fail(ErrorCode::kInternal, "cannot build vector partition " + file);
  }
  if (auto synced = SyncFile(impl_->dir / file); !synced) return synced;
  impl_->partitions.push_back({{"acl", acl.roles()},
                               {"file", file},
                               {"fingerprint", fingerprint},
                               {"vectors", n},
                               {"ivf", ivf}});
  return {};
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
  if (auto ok = WriteFileAtomically(impl_->root / kCurrent, GenerationName(impl_->generation));
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

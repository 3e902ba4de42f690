#include "wissen/store/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/index_io.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "test_vectors.h"

namespace wissen::store {
namespace {
namespace fs = std::filesystem;

constexpr int kDim = 16;

std::vector<float> RandomUnitVectors(int n, uint32_t seed, int dim = kDim) {
  return test_data::RandomUnitVectors(n, seed, dim);
}

// Ids that are neither 0-based nor contiguous, so a label that is not mapped to its id shows.
std::vector<int64_t> SparseIds(int n, int64_t first) {
  std::vector<int64_t> ids(n);
  for (int i = 0; i < n; ++i) ids[i] = first + 7 * i;
  return ids;
}

// The ids of the exact top-k by inner product.
std::set<int64_t> ExactTopK(const std::vector<float>& vectors, const std::vector<int64_t>& ids,
                            const float* query, int dim, int k) {
  std::vector<std::pair<float, int64_t>> scored;
  for (size_t i = 0; i < ids.size(); ++i) {
    float dot = 0;
    for (int d = 0; d < dim; ++d) dot += query[d] * vectors[i * dim + d];
    scored.emplace_back(dot, ids[i]);
  }
  std::partial_sort(scored.begin(), scored.begin() + k, scored.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::set<int64_t> top;
  for (int i = 0; i < k; ++i) top.insert(scored[i].second);
  return top;
}

class VectorIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("wissen-vec-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  const VectorIdentity identity_{"test", "1", kDim};
  fs::path root_;
};

TEST_F(VectorIndexTest, SearchesOnlyReadablePartitions) {
  const auto public_vectors = RandomUnitVectors(50, 1);
  const auto hr_vectors = RandomUnitVectors(50, 2);
  std::vector<int64_t> public_ids, hr_ids;
  for (int i = 0; i < 50; ++i) {
    public_ids.push_back(1000 + i);
    hr_ids.push_back(2000 + i);
  }
  VectorIndexBuilder builder(root_, 1, identity_);
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "f1", public_ids, public_vectors));
  ASSERT_TRUE(builder.Add(Acl({"hr"}), "f2", hr_ids, hr_vectors));
  ASSERT_TRUE(builder.Commit());

  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  // The query is exactly an hr vector: a user without hr must still get nothing from hr.
  const std::span<const float> query(hr_vectors.data(), kDim);
  for (const auto& hit : (*index)->Search(query, 20, RoleSet({"everyone"}))) {
    EXPECT_LT(hit.id, 2000) << "hr vector returned to a user without hr";
  }
  auto for_hr = (*index)->Search(query, 5, RoleSet({"everyone", "hr"}));
  ASSERT_FALSE(for_hr.empty());
  EXPECT_EQ(for_hr.front().id, 2000);
  // A user with only the rare role gets a full top-k from that partition.
  EXPECT_EQ((*index)->Search(query, 10, RoleSet({"hr"})).size(), 10u);
}

TEST_F(VectorIndexTest, NoGenerationYetIsNotAnError) {
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index);
  EXPECT_EQ(*index, nullptr);
}

TEST_F(VectorIndexTest, UncommittedGenerationLeavesPreviousLive) {
  const auto vectors = RandomUnitVectors(10, 3);
  std::vector<int64_t> ids(10);
  for (int i = 0; i < 10; ++i) ids[i] = i + 1;
  {
    VectorIndexBuilder first(root_, 1, identity_);
    ASSERT_TRUE(first.Add(Acl({"everyone"}), "a", ids, vectors));
    ASSERT_TRUE(first.Commit());
  }
  {
    // A writer that dies before Commit (simulated by destruction) must not disturb gen 1.
    VectorIndexBuilder crashed(root_, 2, identity_);
    ASSERT_TRUE(crashed.Add(Acl({"everyone"}), "b", ids, vectors));
  }
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  EXPECT_EQ((*index)->generation(), 1);
  EXPECT_EQ((*index)->size(), 10);
}

TEST_F(VectorIndexTest, ReusesUnchangedPartitionsByFingerprint) {
  const auto vectors = RandomUnitVectors(10, 4);
  std::vector<int64_t> ids(10);
  for (int i = 0; i < 10; ++i) ids[i] = i + 1;
  VectorIndexBuilder first(root_, 1, identity_);
  ASSERT_TRUE(first.Add(Acl({"everyone"}), "same", ids, vectors));
  ASSERT_TRUE(first.Commit());
  auto previous = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(previous && *previous);

  VectorIndexBuilder second(root_, 2, identity_);
  auto reused = second.Reuse(previous->get(), Acl({"everyone"}), "same");
  ASSERT_TRUE(reused);
  EXPECT_TRUE(*reused);
  auto not_reused = second.Reuse(previous->get(), Acl({"everyone"}), "different");
  ASSERT_TRUE(not_reused);
  EXPECT_FALSE(*not_reused);
  ASSERT_TRUE(second.Commit());
  auto current = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(current && *current);
  EXPECT_EQ((*current)->generation(), 2);
  EXPECT_EQ((*current)->size(), 10);
}

// Recall@10 of the index against exact search, over `queries` random queries.
double RecallAt10(const VectorIndex& index, const std::vector<float>& vectors,
                  const std::vector<int64_t>& ids, int dim, const RoleSet& roles,
                  const VectorSearchOptions& options) {
  const int queries = 50;
  const auto query_vectors = RandomUnitVectors(queries, 99, dim);
  int found = 0;
  for (int q = 0; q < queries; ++q) {
    const float* query = query_vectors.data() + q * dim;
    const auto truth = ExactTopK(vectors, ids, query, dim, 10);
    const auto hits = index.Search(std::span<const float>(query, dim), 10, roles, options);
    for (const auto& hit : hits) found += truth.contains(hit.id) ? 1 : 0;
  }
  return found / (10.0 * queries);
}

// Partitions of 1,000 or more vectors (of 32 dimensions here) get the approximate index `kKind`.
template <PartitionKind kKind>
class ApproximateIndexTest : public VectorIndexTest {
 protected:
  static constexpr int kBigDim = 32;
  const VectorIdentity big_identity_{"test", "1", kBigDim};
  VectorBuildOptions LowThreshold() const {
    VectorBuildOptions options;
    options.ann_threshold = 1000;
    options.approximate_kind = kKind;
    return options;
  }
};
using HnswTest = ApproximateIndexTest<PartitionKind::kHnsw>;
using IvfTest = ApproximateIndexTest<PartitionKind::kIvf>;

TEST_F(HnswTest, LargePartitionIsHnswWithRecallOfExactSearch) {
  const int n = 4000;
  const auto vectors = RandomUnitVectors(n, 5, kBigDim);
  const auto ids = SparseIds(n, 100000);
  VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "big", ids, vectors));
  ASSERT_TRUE(builder.Commit());
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  ASSERT_EQ((*index)->partitions().size(), 1u);
  EXPECT_EQ((*index)->partitions().front().kind, PartitionKind::kHnsw);
  EXPECT_EQ((*index)->size(), n);

  const RoleSet roles({"everyone"});
  EXPECT_GE(RecallAt10(**index, vectors, ids, kBigDim, roles, {}), 0.95);
  // A stored vector finds itself, under its own id, with its own score first.
  const std::span<const float> own(vectors.data() + 1234 * kBigDim, kBigDim);
  const auto hits = (*index)->Search(own, 10, roles);
  ASSERT_EQ(hits.size(), 10u);
  EXPECT_EQ(hits.front().id, ids[1234]);
  EXPECT_NEAR(hits.front().score, 1.0f, 1e-4);
  for (size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].score, hits[i].score);
}

TEST_F(HnswTest, SmallPartitionStaysExact) {
  const int n = 999;
  const auto vectors = RandomUnitVectors(n, 6, kBigDim);
  const auto ids = SparseIds(n, 1);
  VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "small", ids, vectors));
  ASSERT_TRUE(builder.Commit());
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  EXPECT_EQ((*index)->partitions().front().kind, PartitionKind::kFlat);
  EXPECT_EQ(RecallAt10(**index, vectors, ids, kBigDim, RoleSet({"everyone"}), {}), 1.0);
}

TEST_F(HnswTest, ReusedHnswPartitionSearchesAlikeAndKindChangeRebuilds) {
  const int n = 2000;
  const auto vectors = RandomUnitVectors(n, 7, kBigDim);
  const auto ids = SparseIds(n, 5000);
  {
    VectorIndexBuilder first(root_, 1, big_identity_, LowThreshold());
    ASSERT_TRUE(first.Add(Acl({"hr"}), "hr-1", ids, vectors));
    ASSERT_TRUE(first.Commit());
  }
  auto previous = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(previous && *previous);
  const RoleSet roles({"hr"});
  const auto queries = RandomUnitVectors(20, 8, kBigDim);
  auto search_all = [&](const VectorIndex& index) {
    std::vector<int64_t> found;
    for (int q = 0; q < 20; ++q) {
      for (const auto& hit :
           index.Search(std::span<const float>(queries.data() + q * kBigDim, kBigDim), 10, roles)) {
        found.push_back(hit.id);
      }
    }
    return found;
  };
  {
    VectorIndexBuilder second(root_, 2, big_identity_, LowThreshold());
    auto reused = second.Reuse(previous->get(), Acl({"hr"}), "hr-1");
    ASSERT_TRUE(reused);
    EXPECT_TRUE(*reused);
    ASSERT_TRUE(second.Commit());
  }
  auto current = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(current && *current);
  EXPECT_EQ((*current)->generation(), 2);
  EXPECT_EQ((*current)->partitions().front().kind, PartitionKind::kHnsw);
  EXPECT_EQ(search_all(**current), search_all(**previous));

  // Under a threshold that makes this partition exact, the HNSW file is not reused.
  VectorBuildOptions high = LowThreshold();
  high.ann_threshold = 100000;
  VectorIndexBuilder third(root_, 3, big_identity_, high);
  auto reused = third.Reuse(current->get(), Acl({"hr"}), "hr-1");
  ASSERT_TRUE(reused);
  EXPECT_FALSE(*reused);
}

TEST_F(HnswTest, UnreadableAndEmptyPartitionsAreNotSearched) {
  const auto secret = RandomUnitVectors(1500, 9, kBigDim);
  const auto secret_ids = SparseIds(1500, 900000);
  const auto open = RandomUnitVectors(100, 10, kBigDim);
  const auto open_ids = SparseIds(100, 1);
  VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
  ASSERT_TRUE(builder.Add(Acl({"rnd"}), "rnd", secret_ids, secret));
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "open", open_ids, open));
  ASSERT_TRUE(builder.Add(Acl({"hr"}), "empty", {}, {}));
  ASSERT_TRUE(builder.Commit());
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  ASSERT_EQ((*index)->partitions().size(), 3u);

  // The query is exactly a secret vector; without rnd it must not come back.
  const std::span<const float> query(secret.data(), kBigDim);
  const auto without = (*index)->Search(query, 50, RoleSet({"everyone", "hr"}));
  EXPECT_EQ(without.size(), 50u);
  for (const auto& hit : without) EXPECT_LT(hit.id, 900000) << "rnd vector without rnd";
  const auto with = (*index)->Search(query, 5, RoleSet({"rnd"}));
  ASSERT_EQ(with.size(), 5u);
  EXPECT_EQ(with.front().id, 900000);
  for (const auto& hit : with) EXPECT_GE(hit.id, 900000);
  EXPECT_TRUE((*index)->Search(query, 10, RoleSet({"hr"})).empty());
}

TEST_F(IvfTest, LargePartitionIsIvfTrainedOnItsOwnVectors) {
  const int n = 6000;
  const auto vectors = RandomUnitVectors(n, 21, kBigDim);
  const auto ids = SparseIds(n, 100000);
  const auto secret = RandomUnitVectors(2000, 22, kBigDim);
  const auto secret_ids = SparseIds(2000, 900000);
  VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "big", ids, vectors));
  ASSERT_TRUE(builder.Add(Acl({"rnd"}), "secret", secret_ids, secret));
  ASSERT_TRUE(
      builder.Add(Acl({"hr"}), "small", SparseIds(10, 1), RandomUnitVectors(10, 23, kBigDim)));
  ASSERT_TRUE(builder.Commit());
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  const auto partitions = (*index)->partitions();
  ASSERT_EQ(partitions.size(), 3u);
  EXPECT_EQ(partitions[0].kind, PartitionKind::kIvf);
  EXPECT_EQ(partitions[1].kind, PartitionKind::kIvf);
  EXPECT_EQ(partitions[2].kind, PartitionKind::kFlat);

  // min(4·√6000, 6000/39) = 153 lists. Probing all of them leaves only the 8-bit codes'
  // rounding between this and exact search; probing one list misses much more.
  const RoleSet everyone({"everyone"});
  VectorSearchOptions all_lists;
  all_lists.nprobe = 1000;
  EXPECT_GE(RecallAt10(**index, vectors, ids, kBigDim, everyone, all_lists), 0.97);
  VectorSearchOptions one_list;
  one_list.nprobe = 1;
  EXPECT_LT(RecallAt10(**index, vectors, ids, kBigDim, everyone, one_list), 0.9);
  const std::span<const float> own(vectors.data() + 4321 * kBigDim, kBigDim);
  EXPECT_EQ((*index)->Search(own, 1, everyone, one_list).front().id, ids[4321]);

  // The query is exactly a secret vector; without rnd it must not come back.
  const std::span<const float> query(secret.data(), kBigDim);
  for (const auto& hit : (*index)->Search(query, 50, RoleSet({"everyone", "hr"}), all_lists)) {
    EXPECT_LT(hit.id, 900000) << "rnd vector without rnd";
  }
  EXPECT_EQ((*index)->Search(query, 1, RoleSet({"rnd"})).front().id, 900000);
}

TEST_F(IvfTest, PartitionIsReusedOnlyWhileItsKindIsConfigured) {
  const auto vectors = RandomUnitVectors(1500, 24, kBigDim);
  const auto ids = SparseIds(1500, 7);
  {
    VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
    ASSERT_TRUE(builder.Add(Acl({"hr"}), "hr-1", ids, vectors));
    ASSERT_TRUE(builder.Commit());
  }
  auto first = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(first && *first);
  {
    VectorIndexBuilder same(root_, 2, big_identity_, LowThreshold());
    auto reused = same.Reuse(first->get(), Acl({"hr"}), "hr-1");
    ASSERT_TRUE(reused);
    EXPECT_TRUE(*reused);
    ASSERT_TRUE(same.Commit());
  }
  auto second = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->partitions().front().kind, PartitionKind::kIvf);

  VectorBuildOptions graph = LowThreshold();
  graph.approximate_kind = PartitionKind::kHnsw;
  VectorIndexBuilder switched(root_, 3, big_identity_, graph);
  auto reused = switched.Reuse(second->get(), Acl({"hr"}), "hr-1");
  ASSERT_TRUE(reused);
  EXPECT_FALSE(*reused);
}

TEST_F(IvfTest, ASmallChangeUpdatesTheTrainedListsInsteadOfRetraining) {
  const int n = 5000;
  const auto vectors = RandomUnitVectors(n, 31, kBigDim);
  const auto ids = SparseIds(n, 100);
  {
    VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
    ASSERT_TRUE(builder.Add(Acl({"everyone"}), "v1", ids, vectors));
    ASSERT_TRUE(builder.Commit());
  }
  auto first = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(first && *first);

  // The first 200 chunks are gone, 300 new ones came.
  const int kRemoved = 200;
  const int kAdded = 300;
  const auto new_vectors = RandomUnitVectors(kAdded, 32, kBigDim);
  const auto new_ids = SparseIds(kAdded, 10000000);
  std::map<int64_t, std::span<const float>> stored;
  std::vector<int64_t> now_ids(ids.begin() + kRemoved, ids.end());
  std::vector<float> now_vectors(vectors.begin() + kRemoved * kBigDim, vectors.end());
  for (int i = 0; i < kAdded; ++i) {
    stored[new_ids[i]] = std::span<const float>(new_vectors.data() + i * kBigDim, kBigDim);
    now_ids.push_back(new_ids[i]);
  }
  now_vectors.insert(now_vectors.end(), new_vectors.begin(), new_vectors.end());
  std::vector<int64_t> fetched;
  auto fetch = [&](std::span<const int64_t> chunk_ids) -> Result<std::vector<float>> {
    std::vector<float> rows;
    for (int64_t id : chunk_ids) {
      fetched.push_back(id);
      rows.insert(rows.end(), stored.at(id).begin(), stored.at(id).end());
    }
    return rows;
  };
  {
    VectorIndexBuilder builder(root_, 2, big_identity_, LowThreshold());
    auto updated = builder.Update(first->get(), Acl({"everyone"}), "v2", now_ids, fetch);
    ASSERT_TRUE(updated) << updated.error().message;
    ASSERT_TRUE(*updated);
    ASSERT_TRUE(builder.Commit());
  }
  EXPECT_EQ(std::set<int64_t>(fetched.begin(), fetched.end()),
            std::set<int64_t>(new_ids.begin(), new_ids.end()))
      << "only the added chunks' vectors are read";
  auto second = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(second && *second);
  ASSERT_EQ((*second)->partitions().size(), 1u);
  EXPECT_EQ((*second)->partitions()[0].kind, PartitionKind::kIvf);
  EXPECT_EQ((*second)->size(), n - kRemoved + kAdded);
  EXPECT_EQ(PartitionFingerprint(**second, Acl({"everyone"})), "v2");

  const RoleSet everyone({"everyone"});
  VectorSearchOptions all_lists;
  all_lists.nprobe = 1000;
  EXPECT_GE(RecallAt10(**second, now_vectors, now_ids, kBigDim, everyone, all_lists), 0.97);
  for (int i = 0; i < kRemoved; ++i) {
    const std::span<const float> removed(vectors.data() + i * kBigDim, kBigDim);
    for (const auto& hit : (*second)->Search(removed, 10, everyone, all_lists)) {
      EXPECT_GE(hit.id, ids[kRemoved]) << "a removed chunk came back";
    }
  }
  const std::span<const float> added(new_vectors.data() + 123 * kBigDim, kBigDim);
  EXPECT_EQ((*second)->Search(added, 1, everyone, all_lists).front().id, new_ids[123]);

  // 500 of the 5,000 training vectors changed so far; 600 more removed pass a fifth: the next
  // publish trains anew, and Update leaves it to Add.
  std::vector<int64_t> fewer(now_ids.begin() + 600, now_ids.end());
  VectorIndexBuilder third(root_, 3, big_identity_, LowThreshold());
  auto updated = third.Update(second->get(), Acl({"everyone"}), "v3", fewer, fetch);
  ASSERT_TRUE(updated);
  EXPECT_FALSE(*updated);
}

// Builds generation 1 of one IVF partition ("everyone", 2,000 vectors) under root_.
class IvfUpdateTest : public IvfTest {
 protected:
  void SetUp() override {
    IvfTest::SetUp();
    vectors_ = RandomUnitVectors(2000, 41, kBigDim);
    ids_ = SparseIds(2000, 50);
    VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
    ASSERT_TRUE(builder.Add(Acl({"everyone"}), "v1", ids_, vectors_));
    ASSERT_TRUE(builder.Commit());
  }
  // Publishes `generation` from the live one with the partition's ids now `ids` (only
  // removals, so nothing is fetched). Returns Update's answer.
  bool UpdateTo(int64_t generation, const std::vector<int64_t>& ids) {
    auto live = VectorIndex::LoadCurrent(root_);
    EXPECT_TRUE(live && *live);
    VectorIndexBuilder builder(root_, generation, big_identity_, LowThreshold());
    auto updated = builder.Update(live->get(), Acl({"everyone"}), "v", ids,
                                  [](std::span<const int64_t>) -> Result<std::vector<float>> {
                                    return std::vector<float>();
                                  });
    EXPECT_TRUE(updated);
    if (!updated || !*updated) return false;
    EXPECT_TRUE(builder.Commit());
    return true;
  }
  std::vector<float> vectors_;
  std::vector<int64_t> ids_;
};

TEST_F(IvfUpdateTest, AFifthOfTheTrainingSetMayChangeBeforeItIsTrainedAnew) {
  EXPECT_TRUE(UpdateTo(2, std::vector<int64_t>(ids_.begin() + 400, ids_.end())))
      << "400 of 2,000: exactly a fifth";
  EXPECT_FALSE(UpdateTo(3, std::vector<int64_t>(ids_.begin() + 401, ids_.end())))
      << "401 of 2,000 since training, counted across generations";
}

TEST_F(IvfUpdateTest, AManifestWithoutTrainingFiguresCountsTheWholePartitionAsTrained) {
  // As written before incremental updates existed.
  const fs::path manifest_file = root_ / "gen-00000001" / "manifest.json";
  nlohmann::json manifest = nlohmann::json::parse(std::ifstream(manifest_file));
  for (auto& partition : manifest["partitions"]) {
    partition.erase("trained_vectors");
    partition.erase("changed_since_training");
  }
  std::ofstream(manifest_file) << manifest.dump(2);
  ASSERT_TRUE(UpdateTo(2, std::vector<int64_t>(ids_.begin() + 100, ids_.end())));
  const nlohmann::json updated =
      nlohmann::json::parse(std::ifstream(root_ / "gen-00000002" / "manifest.json"));
  EXPECT_EQ(updated["partitions"][0]["trained_vectors"], 2000);
  EXPECT_EQ(updated["partitions"][0]["changed_since_training"], 100);
}

TEST_F(IvfUpdateTest, AFailedFetchLeavesTheLiveGenerationAsItWas) {
  auto live = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(live && *live);
  {
    VectorIndexBuilder builder(root_, 2, big_identity_, LowThreshold());
    std::vector<int64_t> more = ids_;
    more.push_back(99999999);
    auto updated = builder.Update(live->get(), Acl({"everyone"}), "v2", more,
                                  [](std::span<const int64_t>) -> Result<std::vector<float>> {
                                    return Fail(ErrorCode::kConflict, "the catalog moved");
                                  });
    ASSERT_FALSE(updated);
    EXPECT_EQ(updated.error().code, ErrorCode::kConflict);
  }  // destroyed without Commit
  EXPECT_FALSE(fs::exists(root_ / "gen-00000002"));
  auto still = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(still && *still);
  EXPECT_EQ((*still)->generation(), 1);
  EXPECT_EQ((*still)->size(), 2000);
}

TEST_F(IvfTest, OnlyAnIvfPartitionThatStaysLargeIsUpdated) {
  const auto vectors = RandomUnitVectors(1200, 33, kBigDim);
  const auto ids = SparseIds(1200, 5);
  {
    VectorIndexBuilder builder(root_, 1, big_identity_, LowThreshold());
    ASSERT_TRUE(builder.Add(Acl({"hr"}), "hr-1", ids, vectors));
    ASSERT_TRUE(
        builder.Add(Acl({"rnd"}), "rnd-1", SparseIds(10, 1), RandomUnitVectors(10, 34, kBigDim)));
    ASSERT_TRUE(builder.Commit());
  }
  auto first = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(first && *first);
  auto no_fetch = [](std::span<const int64_t>) -> Result<std::vector<float>> {
    ADD_FAILURE() << "nothing to fetch";
    return std::vector<float>();
  };
  VectorIndexBuilder builder(root_, 2, big_identity_, LowThreshold());
  // Below the threshold now: exact search, built by Add.
  const std::vector<int64_t> few(ids.begin(), ids.begin() + 900);
  auto shrunk = builder.Update(first->get(), Acl({"hr"}), "hr-2", few, no_fetch);
  ASSERT_TRUE(shrunk);
  EXPECT_FALSE(*shrunk);
  // An exact partition has no lists to update.
  auto flat = builder.Update(first->get(), Acl({"rnd"}), "rnd-2", SparseIds(10, 1), no_fetch);
  ASSERT_TRUE(flat);
  EXPECT_FALSE(*flat);
  // No previous partition of this ACL.
  auto fresh = builder.Update(first->get(), Acl({"ops"}), "ops-1", ids, no_fetch);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(*fresh);
}

TEST(PartitionKindTest, OnlyApproximateKindsHaveConfigNames) {
  EXPECT_EQ(ApproximateKindNamed("ivf"), PartitionKind::kIvf);
  EXPECT_EQ(ApproximateKindNamed("hnsw"), PartitionKind::kHnsw);
  EXPECT_EQ(ApproximateKindNamed("flat"), std::nullopt);
  EXPECT_EQ(ApproximateKindNamed("IVF"), std::nullopt);
}

// Generations written before HNSW: IVF and IndexIDMap2 flat files, a manifest with "ivf".
class OldGenerationTest : public VectorIndexTest {
 protected:
  void WriteOldGeneration(const std::vector<float>& flat, const std::vector<int64_t>& flat_ids,
                          const std::vector<float>& ivf, const std::vector<int64_t>& ivf_ids) {
    const fs::path dir = root_ / "gen-00000001";
    fs::create_directories(dir);
    faiss::IndexIDMap2 map(new faiss::IndexFlatIP(kDim));
    map.own_fields = true;
    map.add_with_ids(static_cast<int64_t>(flat_ids.size()), flat.data(), flat_ids.data());
    faiss::write_index(&map, (dir / "p-flat.faiss").c_str());
    faiss::IndexFlatIP quantizer(kDim);
    faiss::IndexIVFFlat lists(&quantizer, kDim, kLists, faiss::METRIC_INNER_PRODUCT);
    lists.train(static_cast<int64_t>(ivf_ids.size()), ivf.data());
    lists.add_with_ids(static_cast<int64_t>(ivf_ids.size()), ivf.data(), ivf_ids.data());
    faiss::write_index(&lists, (dir / "p-ivf.faiss").c_str());
    const nlohmann::json manifest = {
        {"generation", 1},
        {"embedder", {{"name", "test"}, {"version", "1"}, {"dimension", kDim}}},
        {"partitions",
         {{{"acl", {"everyone"}},
           {"file", "p-flat.faiss"},
           {"fingerprint", "flat-1"},
           {"vectors", flat_ids.size()},
           {"ivf", false}},
          {{"acl", {"hr"}},
           {"file", "p-ivf.faiss"},
           {"fingerprint", "ivf-1"},
           {"vectors", ivf_ids.size()},
           {"ivf", true}}}}};
    std::ofstream(dir / "manifest.json") << manifest.dump(2);
    std::ofstream(root_ / "CURRENT") << "gen-00000001";
  }
  static constexpr int kLists = 16;
};

TEST_F(OldGenerationTest, LoadsSearchesAndRebuildsAsHnsw) {
  const auto flat = RandomUnitVectors(200, 11);
  const auto flat_ids = SparseIds(200, 1);
  const auto ivf = RandomUnitVectors(3000, 12);
  const auto ivf_ids = SparseIds(3000, 500000);
  WriteOldGeneration(flat, flat_ids, ivf, ivf_ids);

  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index) << (index ? "" : index.error().ToString());
  const auto partitions = (*index)->partitions();
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_EQ(partitions[0].kind, PartitionKind::kFlat);
  EXPECT_EQ(partitions[1].kind, PartitionKind::kIvf);
  // With every list probed the old IVF partition is exact: each vector finds itself.
  VectorSearchOptions all_lists;
  all_lists.nprobe = kLists;
  for (int i = 0; i < 3000; i += 300) {
    const std::span<const float> query(ivf.data() + i * kDim, kDim);
    const auto hits = (*index)->Search(query, 3, RoleSet({"hr"}), all_lists);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits.front().id, ivf_ids[i]);
    for (const auto& hit : (*index)->Search(query, 20, RoleSet({"everyone"}), all_lists)) {
      EXPECT_LT(hit.id, 500000) << "hr vector without hr";
    }
  }
  const std::span<const float> own(flat.data() + 17 * kDim, kDim);
  EXPECT_EQ((*index)->Search(own, 1, RoleSet({"everyone"})).front().id, flat_ids[17]);

  // The next generation keeps the flat file but rebuilds the IVF partition as HNSW.
  VectorBuildOptions options;
  options.ann_threshold = 1000;
  options.approximate_kind = PartitionKind::kHnsw;
  VectorIndexBuilder builder(root_, 2, identity_, options);
  auto flat_reused = builder.Reuse(index->get(), Acl({"everyone"}), "flat-1");
  ASSERT_TRUE(flat_reused);
  EXPECT_TRUE(*flat_reused);
  auto ivf_reused = builder.Reuse(index->get(), Acl({"hr"}), "ivf-1");
  ASSERT_TRUE(ivf_reused);
  ASSERT_FALSE(*ivf_reused);
  ASSERT_TRUE(builder.Add(Acl({"hr"}), "ivf-1", ivf_ids, ivf));
  ASSERT_TRUE(builder.Commit());
  auto rebuilt = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(rebuilt && *rebuilt);
  EXPECT_EQ((*rebuilt)->partitions()[0].kind, PartitionKind::kFlat);
  EXPECT_EQ((*rebuilt)->partitions()[1].kind, PartitionKind::kHnsw);
  EXPECT_EQ((*rebuilt)->Search(own, 1, RoleSet({"everyone"})).front().id, flat_ids[17]);
}

TEST_F(OldGenerationTest, IvfOfFullVectorsIsRebuiltAsIvfOfCodes) {
  const auto flat = RandomUnitVectors(200, 11);
  const auto ivf = RandomUnitVectors(3000, 12);
  const auto ivf_ids = SparseIds(3000, 500000);
  WriteOldGeneration(flat, SparseIds(200, 1), ivf, ivf_ids);
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  EXPECT_FALSE((*index)->partitions()[0].outdated);
  EXPECT_TRUE((*index)->partitions()[1].outdated);

  VectorBuildOptions options;  // IVF, the default
  options.ann_threshold = 1000;
  VectorIndexBuilder builder(root_, 2, identity_, options);
  auto reused = builder.Reuse(index->get(), Acl({"hr"}), "ivf-1");
  ASSERT_TRUE(reused);
  EXPECT_FALSE(*reused) << "same kind, but the layout is no longer built";
  ASSERT_TRUE(builder.Add(Acl({"hr"}), "ivf-1", ivf_ids, ivf));
  ASSERT_TRUE(builder.Commit());
  auto rebuilt = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(rebuilt && *rebuilt);
  ASSERT_EQ((*rebuilt)->partitions().size(), 1u);
  EXPECT_EQ((*rebuilt)->partitions()[0].kind, PartitionKind::kIvf);
  EXPECT_FALSE((*rebuilt)->partitions()[0].outdated);
  const std::span<const float> own(ivf.data() + 42 * kDim, kDim);
  VectorSearchOptions all_lists;
  all_lists.nprobe = 1000;
  EXPECT_EQ((*rebuilt)->Search(own, 1, RoleSet({"hr"}), all_lists).front().id, ivf_ids[42]);
}

TEST_F(VectorIndexTest, ManifestThatContradictsItsFileDoesNotLoad) {
  const auto vectors = RandomUnitVectors(10, 13);
  std::vector<int64_t> ids(10);
  for (int i = 0; i < 10; ++i) ids[i] = i + 1;
  VectorIndexBuilder builder(root_, 1, identity_);
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "a", ids, vectors));
  auto dir = builder.Commit();
  ASSERT_TRUE(dir);
  nlohmann::json manifest = nlohmann::json::parse(std::ifstream(*dir / "manifest.json"));
  EXPECT_EQ(manifest["partitions"][0]["kind"], "flat");
  manifest["partitions"][0]["kind"] = "hnsw";
  std::ofstream(*dir / "manifest.json") << manifest.dump();
  EXPECT_FALSE(VectorIndex::LoadCurrent(root_));
}

}  // namespace
}  // namespace wissen::store

#include "wissen/store/vector_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

namespace wissen::store {
namespace {
namespace fs = std::filesystem;

constexpr int kDim = 16;

std::vector<float> RandomUnitVectors(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n) * kDim);
  for (int i = 0; i < n; ++i) {
    float norm = 0;
    for (int d = 0; d < kDim; ++d) {
      v[i * kDim + d] = normal(rng);
      norm += v[i * kDim + d] * v[i * kDim + d];
    }
    for (int d = 0; d < kDim; ++d) v[i * kDim + d] /= std::sqrt(norm);
  }
  return v;
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

TEST_F(VectorIndexTest, LargePartitionUsesIvfWithHighRecall) {
  const int n = 8000;
  const auto vectors = RandomUnitVectors(n, 5);
  std::vector<int64_t> ids(n);
  for (int i = 0; i < n; ++i) ids[i] = i + 1;
  VectorBuildOptions options;
  options.ivf_threshold = 1000;
  VectorIndexBuilder builder(root_, 1, identity_, options);
  ASSERT_TRUE(builder.Add(Acl({"everyone"}), "ivf", ids, vectors));
  ASSERT_TRUE(builder.Commit());
  auto index = VectorIndex::LoadCurrent(root_);
  ASSERT_TRUE(index && *index);
  ASSERT_TRUE((*index)->partitions().front().ivf);
  // Every stored vector finds itself first when enough lists are probed.
  VectorSearchOptions search;
  search.nprobe = 64;
  int found = 0;
  for (int q = 0; q < 100; ++q) {
    const std::span<const float> query(vectors.data() + q * 37 * kDim, kDim);
    auto hits = (*index)->Search(query, 1, RoleSet({"everyone"}), search);
    if (!hits.empty() && hits.front().id == q * 37 + 1) ++found;
  }
  EXPECT_GE(found, 95);
}

}  // namespace
}  // namespace wissen::store

#include "ivf_sq8.h"

#include <faiss/IndexFlat.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "test_vectors.h"

namespace wissen::store::detail {
namespace {

std::vector<float> RandomUnitVectors(int n, int d, uint32_t seed) {
  return test_data::RandomUnitVectors(n, seed, d);
}

// 100 dimensions: not a multiple of 16, so the vector loop's remainder is exercised too.
constexpr int kDim = 100;

TEST(Sq8QueryScorerTest, ScoreIsTheInnerProductWithFaisssOwnDecoding) {
  const auto vectors = RandomUnitVectors(500, kDim, 1);
  faiss::ScalarQuantizer quantizer(kDim, faiss::ScalarQuantizer::QT_8bit);
  quantizer.train(500, vectors.data());
  std::vector<uint8_t> codes(500 * quantizer.code_size);
  quantizer.compute_codes(vectors.data(), codes.data(), 500);
  std::vector<float> decoded(500 * kDim);
  quantizer.decode(codes.data(), decoded.data(), 500);

  const auto queries = RandomUnitVectors(5, kDim, 2);
  for (int q = 0; q < 5; ++q) {
    const float* query = queries.data() + q * kDim;
    const Sq8QueryScorer scorer(quantizer, query);
    for (int i = 0; i < 500; ++i) {
      float expected = 0;
      for (int j = 0; j < kDim; ++j) expected += query[j] * decoded[size_t(i) * kDim + j];
      ASSERT_NEAR(scorer.Score(codes.data() + i * quantizer.code_size), expected, 1e-5)
          << "query " << q << ", vector " << i;
    }
  }
}

TEST(WeightedSumTest, Avx2AndPortableLoopsAgree) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "this CPU has no AVX2; only the portable loop runs";
  std::mt19937 random(5);
  std::uniform_real_distribution<float> weight(-1, 1);
  for (const size_t d : {size_t(0), size_t(7), size_t(16), size_t(100), size_t(384)}) {
    std::vector<float> weights(d);
    std::vector<uint8_t> codes(d);
    for (size_t i = 0; i < d; ++i) {
      weights[i] = weight(random);
      codes[i] = static_cast<uint8_t>(random() % 256);
    }
    const float portable = WeightedSumPortable(weights.data(), codes.data(), d);
    EXPECT_NEAR(WeightedSumAvx2(weights.data(), codes.data(), d), portable,
                1e-4 * (1 + std::abs(portable)))
        << d << " dimensions";
  }
}

TEST(SearchIvfSq8Test, FindsWhatFaisssOwnSearchFinds) {
  const int n = 3000;
  const auto vectors = RandomUnitVectors(n, kDim, 3);
  std::vector<faiss::Index::idx_t> ids(n);
  for (int i = 0; i < n; ++i) ids[i] = 1000 + 7 * i;
  faiss::IndexIVFScalarQuantizer index(new faiss::IndexFlatIP(kDim), kDim, 40,
                                       faiss::ScalarQuantizer::QT_8bit, faiss::METRIC_INNER_PRODUCT,
                                       false);
  index.own_fields = true;
  index.train(n, vectors.data());
  index.add_with_ids(n, vectors.data(), ids.data());
  ASSERT_TRUE(IsPlainSq8(index));

  const auto queries = RandomUnitVectors(20, kDim, 4);
  for (const int nprobe : {1, 5, 40}) {
    faiss::SearchParametersIVF params;
    params.nprobe = nprobe;
    for (int q = 0; q < 20; ++q) {
      const float* query = queries.data() + q * kDim;
      std::vector<float> scores(10);
      std::vector<faiss::Index::idx_t> labels(10);
      index.search(1, query, 10, scores.data(), labels.data(), &params);
      const auto top = SearchIvfSq8(index, query, 10, nprobe);
      ASSERT_EQ(top.size(), 10u);
      for (size_t r = 0; r < 10; ++r) {
        EXPECT_EQ(top[r].second, labels[r]) << "nprobe " << nprobe << ", query " << q;
        EXPECT_NEAR(top[r].first, scores[r], 1e-5);
      }
    }
  }
  // More results asked for than the probed lists hold: all of them, best first.
  const auto all = SearchIvfSq8(index, queries.data(), n + 10, 40);
  ASSERT_EQ(all.size(), size_t(n));
  for (size_t r = 1; r < all.size(); ++r) EXPECT_GE(all[r - 1].first, all[r].first);
}

TEST(SearchIvfSq8Test, OtherQuantizerSettingsAreNotPlain) {
  faiss::IndexIVFScalarQuantizer residual(new faiss::IndexFlatIP(kDim), kDim, 4,
                                          faiss::ScalarQuantizer::QT_8bit,
                                          faiss::METRIC_INNER_PRODUCT, true);
  residual.own_fields = true;
  EXPECT_FALSE(IsPlainSq8(residual));
  faiss::IndexIVFScalarQuantizer four_bit(new faiss::IndexFlatIP(kDim), kDim, 4,
                                          faiss::ScalarQuantizer::QT_4bit,
                                          faiss::METRIC_INNER_PRODUCT, false);
  four_bit.own_fields = true;
  EXPECT_FALSE(IsPlainSq8(four_bit));
}

}  // namespace
}  // namespace wissen::store::detail

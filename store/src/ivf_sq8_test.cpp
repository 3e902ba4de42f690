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

TEST(WeightedSumTest, IntegerAvx2AndPortableLoopsAgreeExactly) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "this CPU has no AVX2; only the portable loop runs";
  std::mt19937 random(6);
  for (const size_t d : {size_t(0), size_t(31), size_t(32), size_t(100), size_t(384)}) {
    std::vector<int8_t> weights(d);
    std::vector<uint8_t> codes(d);
    for (size_t i = 0; i < d; ++i) {
      weights[i] = static_cast<int8_t>(static_cast<int>(random() % 127) - kCoarseWeightLimit);
      codes[i] = static_cast<uint8_t>(random() % 256);
    }
    EXPECT_EQ(Int8WeightedSumAvx2(weights.data(), codes.data(), d),
              Int8WeightedSumPortable(weights.data(), codes.data(), d))
        << d << " dimensions";
    // The extremes: no 16-bit pair sum may saturate.
    for (const int sign : {1, -1}) {
      std::vector<int8_t> extreme(d, static_cast<int8_t>(sign * kCoarseWeightLimit));
      std::vector<uint8_t> full(d, 255);
      EXPECT_EQ(Int8WeightedSumAvx2(extreme.data(), full.data(), d),
                sign * kCoarseWeightLimit * 255 * static_cast<int32_t>(d));
    }
  }
}

TEST(Sq8QueryScorerTest, CoarseWeightsFollowTheFloatWeights) {
  const auto vectors = RandomUnitVectors(200, kDim, 7);
  faiss::ScalarQuantizer quantizer(kDim, faiss::ScalarQuantizer::QT_8bit);
  quantizer.train(200, vectors.data());
  const auto query = RandomUnitVectors(1, kDim, 8);
  const Sq8QueryScorer scorer(quantizer, query.data());
  const std::vector<int8_t> coarse = scorer.CoarseWeights();
  ASSERT_EQ(coarse.size(), size_t(kDim));
  int largest = 0;
  for (int8_t w : coarse) largest = std::max(largest, std::abs(int{w}));
  EXPECT_EQ(largest, kCoarseWeightLimit);
  // Codes ordered by the coarse sum are ordered by the exact score, up to rounding.
  std::vector<uint8_t> codes(200 * quantizer.code_size);
  quantizer.compute_codes(vectors.data(), codes.data(), 200);
  double agreement = 0, pairs = 0;
  for (int a = 0; a < 200; a += 7) {
    for (int b = a + 1; b < 200; b += 11) {
      const uint8_t* ca = codes.data() + a * quantizer.code_size;
      const uint8_t* cb = codes.data() + b * quantizer.code_size;
      const bool exact = scorer.Score(ca) > scorer.Score(cb);
      const bool rough = Int8WeightedSumPortable(coarse.data(), ca, kDim) >
                         Int8WeightedSumPortable(coarse.data(), cb, kDim);
      agreement += exact == rough ? 1 : 0;
      ++pairs;
    }
  }
  EXPECT_GT(agreement / pairs, 0.9);
}

class SearchIvfSq8Test : public ::testing::TestWithParam<int> {};

// Both the exact scan (rerank 0) and the integer first pass with re-scoring find what FAISS's
// own search finds, with its scores.
TEST_P(SearchIvfSq8Test, FindsWhatFaisssOwnSearchFinds) {
  const int rerank = GetParam();
  if (rerank > 0 && !CpuHasAvx2()) GTEST_SKIP() << "no AVX2: the first pass does not run here";
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
      const auto top = SearchIvfSq8(index, query, 10, nprobe, rerank);
      ASSERT_EQ(top.size(), 10u);
      for (size_t r = 0; r < 10; ++r) {
        EXPECT_EQ(top[r].second, labels[r]) << "nprobe " << nprobe << ", query " << q;
        EXPECT_NEAR(top[r].first, scores[r], 1e-5);
      }
    }
  }
  // More results asked for than the probed lists hold: all of them, best first.
  const auto all = SearchIvfSq8(index, queries.data(), n + 10, 40, rerank == 0 ? 0 : n + 20);
  ASSERT_EQ(all.size(), size_t(n));
  for (size_t r = 1; r < all.size(); ++r) EXPECT_GE(all[r - 1].first, all[r].first);
}

INSTANTIATE_TEST_SUITE_P(ExactScanAndFirstPass, SearchIvfSq8Test, ::testing::Values(0, 40));

TEST(SearchIvfSq8PlainTest, OtherQuantizerSettingsAreNotPlain) {
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

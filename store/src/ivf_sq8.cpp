#include "ivf_sq8.h"

#include <faiss/invlists/InvertedLists.h>
#include <immintrin.h>

#include <algorithm>
#include <functional>
#include <queue>

namespace wissen::store::detail {

// Eight independent sums so the compiler can vectorize it.
float WeightedSumPortable(const float* weights, const uint8_t* codes, size_t d) {
  float sums[8] = {};
  size_t i = 0;
  for (; i + 8 <= d; i += 8) {
    for (size_t lane = 0; lane < 8; ++lane) sums[lane] += weights[i + lane] * codes[i + lane];
  }
  float sum = 0;
  for (; i < d; ++i) sum += weights[i] * codes[i];
  for (float s : sums) sum += s;
  return sum;
}

// Sixteen bytes widened to two vectors of eight floats per step. Only called when CpuHasAvx2.
__attribute__((target("avx2,fma"))) float WeightedSumAvx2(const float* weights,
                                                          const uint8_t* codes, size_t d) {
  __m256 low_sum = _mm256_setzero_ps();
  __m256 high_sum = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + i));
    const __m256 low = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
    const __m256 high = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8)));
    low_sum = _mm256_fmadd_ps(low, _mm256_loadu_ps(weights + i), low_sum);
    high_sum = _mm256_fmadd_ps(high, _mm256_loadu_ps(weights + i + 8), high_sum);
  }
  const __m256 both = _mm256_add_ps(low_sum, high_sum);
  __m128 quad = _mm_add_ps(_mm256_castps256_ps128(both), _mm256_extractf128_ps(both, 1));
  quad = _mm_hadd_ps(quad, quad);
  quad = _mm_hadd_ps(quad, quad);
  float sum = _mm_cvtss_f32(quad);
  for (; i < d; ++i) sum += weights[i] * codes[i];
  return sum;
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

namespace {
using WeightedSum = float (*)(const float*, const uint8_t*, size_t);
const WeightedSum kWeightedSum = CpuHasAvx2() ? WeightedSumAvx2 : WeightedSumPortable;
}  // namespace

Sq8QueryScorer::Sq8QueryScorer(const faiss::ScalarQuantizer& quantizer, const float* query) {
  const size_t d = quantizer.d;
  const float* vmin = quantizer.trained.data();
  const float* vdiff = vmin + d;
  weights_.resize(d);
  for (size_t i = 0; i < d; ++i) {
    weights_[i] = query[i] * vdiff[i] / 255.0f;
    offset_ += query[i] * (vmin[i] + 0.5f * vdiff[i] / 255.0f);
  }
}

float Sq8QueryScorer::Score(const uint8_t* code) const {
  return offset_ + kWeightedSum(weights_.data(), code, weights_.size());
}

bool IsPlainSq8(const faiss::IndexIVFScalarQuantizer& index) {
  return index.sq.qtype == faiss::ScalarQuantizer::QT_8bit && !index.by_residual &&
         index.metric_type == faiss::METRIC_INNER_PRODUCT && index.code_size == size_t(index.d) &&
         index.sq.trained.size() == 2 * size_t(index.d) && index.invlists != nullptr;
}

std::vector<std::pair<float, int64_t>> SearchIvfSq8(const faiss::IndexIVFScalarQuantizer& index,
                                                    const float* query, int k, int nprobe) {
  using Hit = std::pair<float, int64_t>;
  // Worse first: higher score wins, and of equal scores the lower id, as in exact search.
  auto better = [](const Hit& a, const Hit& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::vector<Hit> top;
  if (k <= 0 || index.ntotal == 0) return top;
  const auto probes = static_cast<size_t>(std::clamp<int64_t>(nprobe, 1, index.nlist));
  std::vector<float> centroid_scores(probes);
  std::vector<faiss::Index::idx_t> lists(probes);
  index.quantizer->search(1, query, static_cast<faiss::Index::idx_t>(probes),
                          centroid_scores.data(), lists.data());

  const Sq8QueryScorer scorer(index.sq, query);
  std::priority_queue<Hit, std::vector<Hit>, decltype(better)> kept(better);
  for (const faiss::Index::idx_t list : lists) {
    if (list < 0) continue;
    const size_t size = index.invlists->list_size(static_cast<size_t>(list));
    if (size == 0) continue;
    faiss::InvertedLists::ScopedCodes codes(index.invlists, static_cast<size_t>(list));
    faiss::InvertedLists::ScopedIds ids(index.invlists, static_cast<size_t>(list));
    for (size_t j = 0; j < size; ++j) {
      const Hit hit{scorer.Score(codes.get() + j * index.code_size), ids.get()[j]};
      if (static_cast<int>(kept.size()) < k) {
        kept.push(hit);
      } else if (better(hit, kept.top())) {
        kept.pop();
        kept.push(hit);
      }
    }
  }
  for (; !kept.empty(); kept.pop()) top.push_back(kept.top());
  std::reverse(top.begin(), top.end());
  return top;
}

}  // namespace wissen::store::detail

#include "ivf_sq8.h"

#include <faiss/IndexFlat.h>
#include <faiss/invlists/InvertedLists.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
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

namespace {

// The sum of a vector's lanes.
__attribute__((target("avx2"))) inline float SumOfLanes(__m256 lanes) {
  __m128 quad = _mm_add_ps(_mm256_castps256_ps128(lanes), _mm256_extractf128_ps(lanes, 1));
  quad = _mm_hadd_ps(quad, quad);
  quad = _mm_hadd_ps(quad, quad);
  return _mm_cvtss_f32(quad);
}

__attribute__((target("avx2"))) inline int32_t SumOfLanes(__m256i lanes) {
  __m128i quad = _mm_add_epi32(_mm256_castsi256_si128(lanes), _mm256_extracti128_si256(lanes, 1));
  quad = _mm_hadd_epi32(quad, quad);
  quad = _mm_hadd_epi32(quad, quad);
  return _mm_cvtsi128_si32(quad);
}

}  // namespace

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
  float sum = SumOfLanes(_mm256_add_ps(low_sum, high_sum));
  for (; i < d; ++i) sum += weights[i] * codes[i];
  return sum;
}

int32_t Int8WeightedSumPortable(const int8_t* weights, const uint8_t* codes, size_t d) {
  int32_t sum = 0;
  for (size_t i = 0; i < d; ++i) sum += int32_t{weights[i]} * codes[i];
  return sum;
}

// 32 bytes per step: maddubs multiplies unsigned code bytes by signed weight bytes and adds
// adjacent pairs into 16 bits (at most 2 · 255 · 63 = 32,130: no saturation with |w| ≤ 63),
// madd widens the pairs to 32-bit sums. Only called when CpuHasAvx2.
__attribute__((target("avx2"))) int32_t Int8WeightedSumAvx2(const int8_t* weights,
                                                            const uint8_t* codes, size_t d) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i sums = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i));
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(weights + i));
    sums = _mm256_add_epi32(sums, _mm256_madd_epi16(_mm256_maddubs_epi16(c, w), ones));
  }
  int32_t sum = SumOfLanes(sums);
  for (; i < d; ++i) sum += int32_t{weights[i]} * codes[i];
  return sum;
}

// Eight lanes, two accumulators. Only called when CpuHasAvx2.
__attribute__((target("avx2,fma"))) float DotAvx2(const float* a, const float* b, size_t d) {
  __m256 first = _mm256_setzero_ps();
  __m256 second = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    first = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), first);
    second = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), second);
  }
  float sum = SumOfLanes(_mm256_add_ps(first, second));
  for (; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

namespace {
using WeightedSum = float (*)(const float*, const uint8_t*, size_t);
const WeightedSum kWeightedSum = CpuHasAvx2() ? WeightedSumAvx2 : WeightedSumPortable;
const bool kHasAvx2 = CpuHasAvx2();
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

std::vector<int8_t> Sq8QueryScorer::CoarseWeights() const {
  float largest = 0;
  for (float w : weights_) largest = std::max(largest, std::abs(w));
  std::vector<int8_t> coarse(weights_.size(), 0);
  if (largest == 0) return coarse;
  const float scale = static_cast<float>(kCoarseWeightLimit) / largest;
  for (size_t i = 0; i < weights_.size(); ++i) {
    coarse[i] = static_cast<int8_t>(std::lrint(weights_[i] * scale));
  }
  return coarse;
}

bool IsPlainSq8(const faiss::IndexIVFScalarQuantizer& index) {
  return index.sq.qtype == faiss::ScalarQuantizer::QT_8bit && !index.by_residual &&
         index.metric_type == faiss::METRIC_INNER_PRODUCT && index.code_size == size_t(index.d) &&
         index.sq.trained.size() == 2 * size_t(index.d) &&
         // SearchIvfSq8 keeps code pointers past their ScopedCodes: valid only for lists
         // held in memory (what read_index loads), not for on-disk ones.
         dynamic_cast<const faiss::ArrayInvertedLists*>(index.invlists) != nullptr;
}

namespace {

// The `nprobe` lists whose centroids score highest with `query`. Debian's FAISS scores a flat
// quantizer's centroids with its scalar reference loop (about a millisecond for 3,578
// centroids of 384 dimensions); with AVX2 they are scored here.
std::vector<faiss::Index::idx_t> ListsToProbe(const faiss::IndexIVFScalarQuantizer& index,
                                              const float* query, int nprobe) {
  const auto probes = static_cast<size_t>(std::clamp<int64_t>(nprobe, 1, index.nlist));
  std::vector<faiss::Index::idx_t> lists(probes);
  const auto* flat = dynamic_cast<const faiss::IndexFlatIP*>(index.quantizer);
  if (flat == nullptr || !kHasAvx2 ||
      flat->ntotal != static_cast<faiss::Index::idx_t>(index.nlist)) {
    std::vector<float> centroid_scores(probes);
    index.quantizer->search(1, query, static_cast<faiss::Index::idx_t>(probes),
                            centroid_scores.data(), lists.data());
    return lists;
  }
  const size_t d = static_cast<size_t>(index.d);
  const float* centroids = flat->get_xb();
  std::vector<std::pair<float, faiss::Index::idx_t>> scored(index.nlist);
  for (size_t list = 0; list < index.nlist; ++list) {
    scored[list] = {DotAvx2(query, centroids + list * d, d),
                    static_cast<faiss::Index::idx_t>(list)};
  }
  // Higher score first; of equal scores the lower list number, as FAISS orders them.
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(probes),
                    scored.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  for (size_t i = 0; i < probes; ++i) lists[i] = scored[i].second;
  return lists;
}

// Calls visit(code, id) for every code of the given lists.
template <typename Visit>
void ForEachCode(const faiss::IndexIVFScalarQuantizer& index,
                 const std::vector<faiss::Index::idx_t>& lists, Visit&& visit) {
  for (const faiss::Index::idx_t list : lists) {
    if (list < 0) continue;
    const size_t size = index.invlists->list_size(static_cast<size_t>(list));
    if (size == 0) continue;
    // ArrayInvertedLists (IsPlainSq8 requires them) hand out pointers into the index itself,
    // so a code pointer stays valid after these scopes end.
    faiss::InvertedLists::ScopedCodes codes(index.invlists, static_cast<size_t>(list));
    faiss::InvertedLists::ScopedIds ids(index.invlists, static_cast<size_t>(list));
    for (size_t j = 0; j < size; ++j) visit(codes.get() + j * index.code_size, ids.get()[j]);
  }
}

// The best `limit` items offered, by `better`: a heap with the worst kept item on top.
template <typename T, typename Better>
class BestOf {
 public:
  BestOf(int limit, Better better)
      : limit_(static_cast<size_t>(limit)), better_(better), heap_(better) {}

  void Offer(const T& item) {
    if (heap_.size() < limit_) {
      heap_.push(item);
    } else if (!heap_.empty() && better_(item, heap_.top())) {
      heap_.pop();
      heap_.push(item);
    }
  }

  // The kept items, best first; empties this.
  std::vector<T> TakeBestFirst() {
    std::vector<T> items;
    for (; !heap_.empty(); heap_.pop()) items.push_back(heap_.top());
    std::reverse(items.begin(), items.end());
    return items;
  }

 private:
  size_t limit_;
  Better better_;
  // std::priority_queue keeps the item its comparator ranks last on top: with `better`, the
  // worst of the kept.
  std::priority_queue<T, std::vector<T>, Better> heap_;
};

}  // namespace

std::vector<std::pair<float, int64_t>> SearchIvfSq8(const faiss::IndexIVFScalarQuantizer& index,
                                                    const float* query, int k, int nprobe,
                                                    int rerank) {
  using Hit = std::pair<float, int64_t>;
  // Higher score wins, and of equal scores the lower id, as in exact search.
  auto better = [](const Hit& a, const Hit& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (k <= 0 || index.ntotal == 0) return {};
  const std::vector<faiss::Index::idx_t> lists = ListsToProbe(index, query, nprobe);
  const Sq8QueryScorer scorer(index.sq, query);
  BestOf<Hit, decltype(better)> top(k, better);

  if (rerank > k && kHasAvx2) {
    // Two passes. The first scores every code with integer weights (a few times faster than
    // widening bytes to floats) and keeps the best `rerank`; the second scores those exactly.
    // A code the coarse pass ranks far below its exact place is the only way to lose a hit;
    // bench/query measures recall@10 against exact search with this in place.
    struct Candidate {
      int32_t coarse;
      int64_t id;
      const uint8_t* code;
    };
    auto coarse_better = [](const Candidate& a, const Candidate& b) {
      return a.coarse != b.coarse ? a.coarse > b.coarse : a.id < b.id;
    };
    BestOf<Candidate, decltype(coarse_better)> candidates(rerank, coarse_better);
    const std::vector<int8_t> weights = scorer.CoarseWeights();
    ForEachCode(index, lists, [&](const uint8_t* code, int64_t id) {
      candidates.Offer({Int8WeightedSumAvx2(weights.data(), code, weights.size()), id, code});
    });
    for (const Candidate& candidate : candidates.TakeBestFirst()) {
      top.Offer({scorer.Score(candidate.code), candidate.id});
    }
  } else {
    ForEachCode(index, lists, [&](const uint8_t* code, int64_t id) {
      top.Offer({scorer.Score(code), id});
    });
  }
  return top.TakeBestFirst();
}

}  // namespace wissen::store::detail

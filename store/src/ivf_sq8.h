// Search of IVF partitions whose vectors are stored as 8-bit scalar-quantized codes
// (faiss::IndexIVFScalarQuantizer, QT_8bit, not by residual). Internal to store/.
//
// Why not FAISS's own search: Debian's FAISS 1.7.3 is built for baseline x86-64, so its
// 8-bit decoding runs one component at a time and scanning codes was slower than scanning
// floats. Here a query turns into one weight per dimension, a code's score is a weighted sum
// of its bytes (AVX2 when the CPU has it), and a list of a few hundred codes is scanned in
// one pass. Codes are a quarter of the floats' size, and IVF search at this size is bound by
// memory traffic.
#pragma once

#include <faiss/IndexScalarQuantizer.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace wissen::store::detail {

// Inner products of one query with 8-bit codes of a non-uniform QT_8bit quantizer, in which
// component i decodes to vmin[i] + vdiff[i] · (code[i] + 0.5) / 255.
class Sq8QueryScorer {
 public:
  Sq8QueryScorer(const faiss::ScalarQuantizer& quantizer, const float* query);
  float Score(const uint8_t* code) const;
  // The weights rounded to integers of at most kCoarseWeightLimit in magnitude, proportional
  // to the float weights: Σ coarse[i] · code[i] orders codes nearly as Score does.
  std::vector<int8_t> CoarseWeights() const;

 private:
  std::vector<float> weights_;  // query[i] · vdiff[i] / 255
  float offset_ = 0;            // Σ query[i] · (vmin[i] + 0.5 · vdiff[i] / 255)
};

// Σ weights[i] · codes[i]: the portable loop, and the AVX2 one Sq8QueryScorer uses when the
// CPU has AVX2 and FMA (exposed so tests can compare the two).
float WeightedSumPortable(const float* weights, const uint8_t* codes, size_t d);
// The same over integer weights of magnitude at most kCoarseWeightLimit (so AVX2's 16-bit
// pair sums of byte products cannot saturate).
constexpr int kCoarseWeightLimit = 63;
int32_t Int8WeightedSumPortable(const int8_t* weights, const uint8_t* codes, size_t d);
int32_t Int8WeightedSumAvx2(const int8_t* weights, const uint8_t* codes, size_t d);
float WeightedSumAvx2(const float* weights, const uint8_t* codes, size_t d);
// Inner product of two float vectors with AVX2 and FMA (only when CpuHasAvx2).
float DotAvx2(const float* a, const float* b, size_t d);
bool CpuHasAvx2();

// Whether `index` is of the form SearchIvfSq8 handles.
bool IsPlainSq8(const faiss::IndexIVFScalarQuantizer& index);

// Top-k (score, id) over the `nprobe` lists whose centroids score highest with `query`,
// best first, with exact scores. Runs on the calling thread. With `rerank` > k (and AVX2), a
// first pass scores every code with integer weights and only its best `rerank` are scored
// exactly; otherwise every code is scored exactly.
std::vector<std::pair<float, int64_t>> SearchIvfSq8(const faiss::IndexIVFScalarQuantizer& index,
                                                    const float* query, int k, int nprobe,
                                                    int rerank = 0);

}  // namespace wissen::store::detail

// Random unit vectors for the store's tests (deterministic per seed).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace wissen::store::test_data {

// `n` row-major vectors of `dim` floats, each of length 1, normally distributed directions.
inline std::vector<float> RandomUnitVectors(int n, uint32_t seed, int dim) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (int i = 0; i < n; ++i) {
    float norm = 0;
    for (int d = 0; d < dim; ++d) {
      v[size_t(i) * dim + d] = normal(rng);
      norm += v[size_t(i) * dim + d] * v[size_t(i) * dim + d];
    }
    for (int d = 0; d < dim; ++d) v[size_t(i) * dim + d] /= std::sqrt(norm);
  }
  return v;
}

}  // namespace wissen::store::test_data

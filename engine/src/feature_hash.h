// Stable 64-bit hashing for the built-in embedder's feature hashing.
//
// The hash decides which vector component a feature lands in, so it is part of the index
// format: changing it silently breaks every stored index. std::hash may differ between
// standard libraries and builds; this one is fixed (FNV-1a over the bytes, then the
// MurmurHash3 64-bit finalizer so every output bit, including the sign bit, depends on
// every input byte).
#pragma once

#include <cstdint>
#include <string_view>

namespace wissen::engine::internal {

inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ull;
inline constexpr uint64_t kFnvPrime = 1099511628211ull;

// Continues an FNV-1a state over more bytes.
inline constexpr uint64_t FnvUpdate(uint64_t state, std::string_view bytes) {
  for (char c : bytes) {
    state ^= static_cast<unsigned char>(c);
    state *= kFnvPrime;
  }
  return state;
}

inline constexpr uint64_t FnvUpdate(uint64_t state, char byte) {
  return (state ^ static_cast<unsigned char>(byte)) * kFnvPrime;
}

inline constexpr uint64_t Finalize(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// FNV-1a of a one-byte domain tag followed by the bytes, finalized. The tag keeps features of
// different kinds (word, bigram, n-gram) apart even when their bytes are equal.
inline constexpr uint64_t StableHash(char tag, std::string_view bytes) {
  return Finalize(FnvUpdate(FnvUpdate(kFnvOffsetBasis, tag), bytes));
}

}  // namespace wissen::engine::internal

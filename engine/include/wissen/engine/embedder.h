// Embedders map text to dense vectors for the vector index.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::engine {

// Identifies the model that built an index. An index built by one embedder must not be
// searched with vectors of another: name, version and dimension all have to match.
struct EmbedderInfo {
  std::string name;
  std::string version;
  int dimension = 0;

  friend bool operator==(const EmbedderInfo&, const EmbedderInfo&) = default;
};

enum class EmbedPurpose { kQuery, kPassage };

// Thread-safe: Embed may be called from several threads at once.
class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual EmbedderInfo Info() const = 0;
  // Returns texts.size() * Info().dimension floats, row-major; every row has unit L2 norm
  // (a zero row only for text without any token). Errors: kUnavailable/kTimeout for remote
  // embedders; the built-in one does not fail.
  virtual Result<std::vector<float>> Embed(const std::vector<std::string>& texts,
                                           EmbedPurpose purpose) const = 0;
};

struct BuiltinEmbedderOptions {
  // Vector dimension. Default: 384.
  int dimension = 384;
};

// The built-in embedder: deterministic signed feature hashing of normalized word unigrams,
// word bigrams and character 3-5-grams (see engine/src/builtin_embedder.cpp). Text is NFKC
// case-folded with German umlauts folded (ä -> ae), so "Größe" meets "groesse" and the n-grams
// bring "Urlaubsantrag" near "Urlaub". No model file; the same text gives the same vector on every
// machine and run. Info() is {"wissen-hash", "1", dimension}; the version changes whenever the
// features or the hash do. Queries and passages are embedded alike. A non-positive dimension falls
// back to 384. About 10,000 passages of 1 KB a second a core.
std::unique_ptr<Embedder> MakeBuiltinEmbedder(const BuiltinEmbedderOptions& options = {});

}  // namespace wissen::engine

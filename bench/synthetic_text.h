// Deterministic synthetic German and English text for the query benchmark.
//
// Each language has a vocabulary of a few thousand words (function words first, then
// content words and, for German, compounds) drawn with a Zipf distribution. A document has a
// topic: six mid-frequency content words that make up about a quarter of its words, so a
// query built from a topic's words has matching chunks in both the lexical and the vector
// index. The same seed gives the same text on every run and machine (own PRNG arithmetic,
// no std:: distributions). Not thread-safe: one generator per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wissen::bench {

// SplitMix64: small, fast, fully specified.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + static_cast<int>(Next() % uint64_t(hi - lo + 1)); }

 private:
  uint64_t state_;
};

struct SyntheticChunk {
  std::string heading_path;
  std::string text;
};

struct SyntheticDocument {
  std::string title;
  std::string language;  // "de" or "en"
  std::vector<SyntheticChunk> chunks;
};

class TextGenerator {
 public:
  TextGenerator();

  // Document `index` with `chunks` chunks of 60-150 words; deterministic in `index`.
  SyntheticDocument Document(int64_t index, int chunks) const;
  // Query `index`: a question over one topic's words, 3-7 words long.
  std::string Query(int64_t index) const;

  int vocabulary_size(const std::string& language) const;

 private:
  struct Language {
    std::string code;
    std::vector<std::string> words;        // by rank, most frequent first
    std::vector<double> cdf;               // Zipf cumulative distribution over `words`
    int first_content = 0;                 // rank of the first content word
    std::vector<std::vector<int>> topics;  // word ranks of each topic
    std::vector<std::string> sections;
    std::vector<std::string> question_words;
  };
  const Language& LanguageOf(int64_t index, uint64_t salt) const;
  int ZipfRank(const Language& language, Random& random) const;
  std::string Sentence(const Language& language, const std::vector<int>& topic, Random& random,
                       int words) const;

  Language german_;
  Language english_;
};

}  // namespace wissen::bench

// The built-in embedder: signed feature hashing ("hashing trick") of normalized words, word
// bigrams and character n-grams.
//
// Pipeline for one text:
//   1. NFKC + full case folding (wissen::NormalizeForMatch): "Straße" -> "strasse".
//   2. Tokens are maximal runs of Unicode letters and digits; ä/ö/ü fold to ae/oe/ue so
//      "Ärger" meets "Aerger".
//   3. Function words ("der", "the") are dropped: without IDF they would make any two texts
//      of one language look alike. A text of nothing but function words keeps them.
//   4. Features: each word (weight 1), each pair of adjacent kept words (0.5), and the 3- to
//      5-grams of "^word$" (0.3). The n-grams put "Urlaubsantrag" near "Urlaub" and
//      "Anträge" near "Antrag". Repeats count as 1 + ln(tf).
//   5. Each feature adds ±weight to component hash % dimension, the sign taken from the
//      hash's top bit, so collisions cancel on average instead of piling up; then L2-norm.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "feature_hash.h"
#include "wissen/core/stop_words.h"
#include "wissen/core/text.h"
#include "wissen/engine/embedder.h"

namespace wissen::engine {
namespace {

constexpr int kDefaultDimension = 384;

constexpr float kWordWeight = 1.0f;
constexpr float kBigramWeight = 0.5f;
constexpr float kNgramWeight = 0.3f;
constexpr int kMinNgram = 3;
constexpr int kMaxNgram = 5;
// N-grams of shorter words only repeat the word; longer "words" are hashes, base64 or URLs
// whose n-grams would flood the vector.
constexpr int kMinNgramWordLength = 3;
constexpr int kMaxNgramWordLength = 40;

// Domain tags for the hash, one per feature kind. Part of the index format.
constexpr char kWordTag = 'w';
constexpr char kBigramTag = 'b';
constexpr char kNgramTag = 'n';

struct Token {
  std::string text;
  bool is_number = true;  // digits only
  int code_points = 0;
};

// Splits normalized text into folded tokens.
std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Token current;
  const auto flush = [&] {
    if (!current.text.empty()) tokens.push_back(std::move(current));
    current = Token{};
  };
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0x80 && c >= 0) {
      const bool digit = c >= '0' && c <= '9';
      if (!digit && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) {
        flush();
        continue;
      }
      current.text += static_cast<char>(c);
      current.is_number = current.is_number && digit;
      ++current.code_points;
      continue;
    }
    if (c < 0 || !u_isalnum(c)) {
      flush();
      continue;
    }
    // Case folding already ran, so only the lower-case forms occur.
    switch (c) {
      case 0xE4:
        current.text += "ae";
        break;
      case 0xF6:
        current.text += "oe";
        break;
      case 0xFC:
        current.text += "ue";
        break;
      case 0xDF:
        current.text += "ss";
        break;
      default:
        current.text.append(text.substr(start, i - start));
        break;
    }
    current.is_number = current.is_number && u_isdigit(c);
    current.code_points += (c == 0xE4 || c == 0xF6 || c == 0xFC || c == 0xDF) ? 2 : 1;
  }
  flush();
  return tokens;
}

// Counts features by hash: open addressing with linear probing, reused across the texts of
// one Embed call. Key 0 marks an empty slot (a real 0 hash is remapped to 1).
class FeatureCounter {
 public:
  void Clear() {
    for (uint32_t slot : used_) slots_[slot] = Slot{};
    used_.clear();
  }

  void Add(uint64_t key, float weight) {
    if (key == 0) key = 1;
    if ((used_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    size_t slot = key & mask;
    while (slots_[slot].key != 0 && slots_[slot].key != key) slot = (slot + 1) & mask;
    Slot& entry = slots_[slot];
    if (entry.key == 0) {
      entry.key = key;
      entry.weight = weight;
      used_.push_back(static_cast<uint32_t>(slot));
    }
    ++entry.count;
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (uint32_t slot : used_) f(slots_[slot].key, slots_[slot].weight, slots_[slot].count);
  }

 private:
  struct Slot {
    uint64_t key = 0;
    float weight = 0;
    uint32_t count = 0;
  };

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    std::vector<uint32_t> old_used;
    old_used.swap(used_);
    slots_.assign(std::max<size_t>(old.size() * 2, 1024), Slot{});
    const size_t mask = slots_.size() - 1;
    for (uint32_t index : old_used) {
      size_t slot = old[index].key & mask;
      while (slots_[slot].key != 0) slot = (slot + 1) & mask;
      slots_[slot] = old[index];
      used_.push_back(static_cast<uint32_t>(slot));
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint32_t> used_;
};

void AddNgrams(const Token& token, std::string* bounded, std::vector<uint32_t>* boundaries,
               FeatureCounter* counter) {
  bounded->clear();
  bounded->push_back('^');
  bounded->append(token.text);
  bounded->push_back('$');
  boundaries->clear();
  const auto* s = reinterpret_cast<const uint8_t*>(bounded->data());
  const auto length = static_cast<int32_t>(bounded->size());
  for (int32_t i = 0; i < length;) {
    boundaries->push_back(static_cast<uint32_t>(i));
    U8_FWD_1(s, i, length);
  }
  boundaries->push_back(static_cast<uint32_t>(length));
  const int code_points = static_cast<int>(boundaries->size()) - 1;
  for (int n = kMinNgram; n <= kMaxNgram && n <= code_points; ++n) {
    for (int start = 0; start + n <= code_points; ++start) {
      const uint32_t from = (*boundaries)[start];
      const uint32_t to = (*boundaries)[start + n];
      counter->Add(
          internal::StableHash(kNgramTag, std::string_view(*bounded).substr(from, to - from)),
          kNgramWeight);
    }
  }
}

void EmbedOne(std::string_view text, int dimension, FeatureCounter* counter, float* out) {
  std::fill(out, out + dimension, 0.0f);
  const std::vector<Token> tokens = Tokenize(NormalizeForMatch(text));
  if (tokens.empty()) return;

  std::vector<const Token*> kept;
  kept.reserve(tokens.size());
  for (const Token& token : tokens) {
    if (!IsFunctionWord(token.text)) kept.push_back(&token);
  }
  if (kept.empty()) {
    for (const Token& token : tokens) kept.push_back(&token);
  }

  counter->Clear();
  std::string bounded;
  std::vector<uint32_t> boundaries;
  for (size_t i = 0; i < kept.size(); ++i) {
    const Token& token = *kept[i];
    counter->Add(internal::StableHash(kWordTag, token.text), kWordWeight);
    if (i > 0) {
      // Hash of "previous\x1Fcurrent" without building the string.
      uint64_t state = internal::FnvUpdate(internal::kFnvOffsetBasis, kBigramTag);
      state = internal::FnvUpdate(state, kept[i - 1]->text);
      state = internal::FnvUpdate(state, '\x1F');
      state = internal::FnvUpdate(state, token.text);
      counter->Add(internal::Finalize(state), kBigramWeight);
    }
    if (!token.is_number && token.code_points >= kMinNgramWordLength &&
        token.code_points <= kMaxNgramWordLength) {
      AddNgrams(token, &bounded, &boundaries, counter);
    }
  }

  counter->ForEach([&](uint64_t key, float weight, uint32_t count) {
    const float value = weight * (1.0f + std::log(static_cast<float>(count)));
    const size_t index = key % static_cast<uint64_t>(dimension);
    out[index] += (key >> 63) ? -value : value;
  });

  double norm = 0;
  for (int i = 0; i < dimension; ++i) norm += static_cast<double>(out[i]) * out[i];
  // Features can cancel out exactly only in theory; a zero row is the documented
  // "no token" answer either way.
  if (norm <= 0) return;
  const float scale = static_cast<float>(1.0 / std::sqrt(norm));
  for (int i = 0; i < dimension; ++i) out[i] *= scale;
}

class BuiltinEmbedder final : public Embedder {
 public:
  explicit BuiltinEmbedder(int dimension) : dimension_(dimension) {}

  EmbedderInfo Info() const override { return EmbedderInfo{"wissen-hash", "1", dimension_}; }

  // Query and passage vectors are built the same way: the model is symmetric.
  Result<std::vector<float>> Embed(const std::vector<std::string>& texts,
                                   EmbedPurpose /*purpose*/) const override {
    std::vector<float> vectors(texts.size() * static_cast<size_t>(dimension_));
    FeatureCounter counter;  // per call, so concurrent calls share nothing mutable
    for (size_t i = 0; i < texts.size(); ++i) {
      EmbedOne(texts[i], dimension_, &counter, vectors.data() + i * dimension_);
    }
    return vectors;
  }

 private:
  const int dimension_;
};

}  // namespace

std::unique_ptr<Embedder> MakeBuiltinEmbedder(const BuiltinEmbedderOptions& options) {
  // The config layer validates the dimension; a non-positive one here falls back to the
  // default rather than producing empty vectors.
  return std::make_unique<BuiltinEmbedder>(options.dimension > 0 ? options.dimension
                                                                 : kDefaultDimension);
}

}  // namespace wissen::engine

// Generators write the answer to a question from the passages the asking user may read.
//
// The retriever has already applied every ACL check: a generator sees only readable
// passages and must never add text from anywhere else. Passages are numbered 1..n; an
// answer cites them as [n].
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::engine {

// One retrieved passage as the generator sees it.
struct ContextPassage {
  int id = 0;  // 1-based citation number
  std::string title;
  std::string path;  // relative path or URL, for the citation
  std::string heading_path;
  int page = 0;  // 0 = no pages
  std::string text;
};

// An earlier turn of the conversation, for follow-up questions.
struct ChatTurn {
  std::string role;  // "user" or "assistant"
  std::string content;
};

// How the index the context came from sees words: their stems, and how rare they are. The
// extractive answerer matches sentences with the index's stemmers and weighs a question's
// words by their rarity: a word in every tenth chunk ("2025", "mitnehmen") says little about
// whether a sentence answers the question. Statistics only, never text. An implementation
// may keep stemmer state: use one per request (not thread-safe unless it says so).
class Vocabulary {
 public:
  virtual ~Vocabulary() = default;
  // Chunks that hold `word` (lower case, as written) in some inflected form; 0 when none.
  virtual int64_t Frequency(std::string_view word) const = 0;
  // Chunks in the index.
  virtual int64_t Total() const = 0;
  // The index's stem of `word` (lower case, as written) in `language` ("de" or "en"); ""
  // when there is no stemmer, and the answerer's own crude stemming alone applies.
  virtual std::string Stem(std::string_view /*word*/, std::string_view /*language*/) const {
    return {};
  }
};

struct GenerationRequest {
  std::string question;
  std::string language;  // "de" or "en": the answer's language
  std::vector<ContextPassage> context;
  std::vector<ChatTurn> history;
  // Optional: word rarity from the index (null: rarity within the context is used).
  const Vocabulary* vocabulary = nullptr;
  // Optional: synonyms of the question's words (thesaurus), which count less than its words.
  std::vector<std::string> expansions;
};

struct GenerationResult {
  std::string text;        // the answer, citing passages as [n]
  std::string generator;   // "extractive" or "openai:<model>"
  bool no_answer = false;  // nothing readable was relevant enough
  // How much of the question the quoted text covers (0..1; the extractive answerer's
  // abstain decision compares it with its min_score). 0 for model answers.
  double confidence = 0;
  bool fallback = false;  // the model failed and the extractive answer stands in
  std::string fallback_reason;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// Receives the answer as it is produced. Returning false stops generation (client gone).
using TokenCallback = std::function<bool(std::string_view delta)>;

// Implementations document their thread-safety; the built-in ones are thread-safe.
class Generator {
 public:
  virtual ~Generator() = default;
  // Writes the answer; `on_token` (may be empty) receives it piece by piece.
  // Errors: kUnavailable/kTimeout/kParse when a model server fails (callers fall back).
  // A generation stopped by `on_token` is not an error: it returns what was produced so far.
  virtual Result<GenerationResult> Generate(const GenerationRequest& request,
                                            const TokenCallback& on_token) = 0;
  // "extractive" or "openai:<model>".
  virtual std::string Name() const = 0;
};

}  // namespace wissen::engine

// AnswerPipeline: question → role-filtered retrieval → generation (local model or
// extractive) → citation check → personal-data redaction → answer. Used by `wissen ask`,
// the REST API, the OpenAI facade and the chat.
//
// The generator only ever sees passages the retriever returned for this principal, and the
// cache keys on the principal's exact role set and the index generation, so nothing of a
// document a user may not read reaches their prompt, answer or cache entry.
// Thread-safe: one pipeline serves concurrent requests.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wissen/app/answer_cache.h"
#include "wissen/app/config.h"
#include "wissen/engine/generator.h"
#include "wissen/engine/openai_client.h"
#include "wissen/retriever/retriever.h"

namespace wissen::app {

struct Citation {
  int id = 0;  // the [n] in the answer
  int64_t document_id = 0;
  std::string title;
  std::string path;
  std::string uri;  // PublicUri: a web URL, or "<source>:<path>" for a file
  std::string heading_path;
  int page = 0;
};

struct Answer {
  std::string text;
  std::vector<Citation> citations;  // only ids that were in the context and are cited
  // With no_answer: the closest documents the user may read (distinct, best first, at most
  // kRelatedDocuments), shown as links, never as answer text. Their `id` is 0.
  std::vector<Citation> related;
  // Every document a passage of the context came from, with its ACL (for the audit trail).
  std::vector<std::pair<int64_t, Acl>> context_documents;
  std::string generator;  // "extractive" or "openai:<model>"
  std::string language;
  bool no_answer = false;  // nothing readable was relevant enough
  double confidence = 0;   // the extractive answerer's coverage of the question (0..1)
  bool cited = false;      // at least one valid citation
  bool fallback = false;   // the model failed; the extractive answer stands in
  std::string fallback_reason;
  bool injection_suspected = false;  // the question looks like a prompt-injection attempt
  bool cached = false;
  int redactions = 0;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  double retrieve_ms = 0;
  double generate_ms = 0;
  double total_ms = 0;
};

// How many closest documents an answer that found nothing lists as links.
inline constexpr size_t kRelatedDocuments = 3;

class AnswerPipeline {
 public:
  AnswerPipeline(const Config& config, const engine::Embedder& embedder,
                 const retriever::Thesaurus* thesaurus);
  ~AnswerPipeline();

  // Answers `question` for `principal`. `on_token` (may be empty) receives the answer text
  // as it is written; it is the same text the result holds. Errors: kInvalidArgument for an
  // empty, too long or control-character question; retrieval errors. A failing model is not
  // an error: the extractive answer stands in and `fallback` says why.
  Result<Answer> Ask(const retriever::IndexSnapshot& snapshot, store::Catalog& catalog,
                     const Principal& principal, const std::string& question,
                     const std::vector<engine::ChatTurn>& history,
                     const engine::TokenCallback& on_token);

  // The model client when one is configured (for health and metrics), else null.
  const engine::OpenAiGenerator* model() const { return model_.get(); }
  const AnswerCache& cache() const { return cache_; }

 private:
  const Config& config_;
  retriever::Retriever retriever_;
  std::unique_ptr<engine::Generator> extractive_;
  std::unique_ptr<engine::OpenAiGenerator> model_;
  AnswerCache cache_;
};

// Checks a question before any work: trims it; rejects empty, too long, or containing
// control characters other than tab and newline (kInvalidArgument with a clear message).
Result<std::string> ValidateQuestion(const std::string& question, int max_chars);

// A passage as `search --json` prints it and the search API returns it.
nlohmann::json PassageJson(const Passage& passage, int rank);

// Citations (or related documents) as a JSON array.
nlohmann::json CitationsJson(const std::vector<Citation>& citations);

// The answer as JSON (what `ask --json` prints and the API returns).
nlohmann::json AnswerJson(const Answer& answer);

}  // namespace wissen::app

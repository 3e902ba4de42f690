#include "wissen/app/answer_pipeline.h"

#include <algorithm>
#include <chrono>

#include "wissen/core/language.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"
#include "wissen/engine/extractive.h"
#include "wissen/engine/guards.h"
#include "wissen/engine/prompt.h"

namespace wissen::app {
namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// Streams model output with personal data redacted. Text is released in whole words, and
// never between two words of which the first holds a digit or an '@': IBANs, card and
// phone numbers span several such words, e-mail addresses are one word with an '@'. So every
// piece handed to the redactor holds any personal data whole.
class RedactingStream {
 public:
  RedactingStream(bool redact, const engine::TokenCallback& sink) : redact_(redact), sink_(sink) {}

  bool Add(std::string_view delta) {
    added_ += delta.size();
    pending_ += delta;
    if (!redact_) return Release(pending_.size());
    return Release(SafeCut());
  }

  bool Finish() { return Release(pending_.size()); }
  const std::string& text() const { return emitted_; }
  size_t added() const { return added_; }
  int redactions() const { return redactions_; }

 private:
  // The end of the longest prefix of pending_ that can be released.
  size_t SafeCut() const {
    size_t cut = 0;
    bool word_is_risky = false;
    for (size_t i = 0; i < pending_.size(); ++i) {
      const char c = pending_[i];
      if (c == ' ' || c == '\n' || c == '\t') {
        if (!word_is_risky) cut = i + 1;
        word_is_risky = false;
      } else if ((c >= '0' && c <= '9') || c == '@') {
        word_is_risky = true;
      }
      if (c == '\n') cut = i + 1;  // no personal data spans lines
    }
    return cut;
  }

  bool Release(size_t length) {
    if (length == 0) return true;
    std::string piece = pending_.substr(0, length);
    pending_.erase(0, length);
    if (redact_) {
      engine::RedactionCounts counts;
      piece = engine::RedactPersonalData(piece, &counts);
      redactions_ += counts.Total();
    }
    emitted_ += piece;
    return !sink_ || sink_(piece);
  }

  bool redact_;
  const engine::TokenCallback& sink_;
  std::string pending_;
  std::string emitted_;
  size_t added_ = 0;
  int redactions_ = 0;
};

std::string SerializeForCache(const Answer& answer) {
  nlohmann::json json = AnswerJson(answer);
  nlohmann::json documents = nlohmann::json::array();
  for (const auto& [id, acl] : answer.context_documents) documents.push_back({id, acl.Key()});
  json["context_documents"] = documents;
  return json.dump();
}

std::optional<Answer> DeserializeFromCache(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  Answer answer;
  answer.text = json.value("answer", "");
  answer.generator = json.value("generator", "");
  answer.language = json.value("language", "");
  answer.no_answer = json.value("no_answer", false);
  answer.confidence = json.value("confidence", 0.0);
  answer.cited = json.value("cited", false);
  answer.redactions = json.value("redactions", 0);
  for (const auto& d : json.value("context_documents", nlohmann::json::array())) {
    if (d.is_array() && d.size() == 2 && d[0].is_number_integer() && d[1].is_string()) {
      answer.context_documents.emplace_back(d[0].get<int64_t>(),
                                            Acl(SplitNonEmpty(d[1].get<std::string>(), ',')));
    }
  }
  const auto read = [&json](const char* key, std::vector<Citation>* out) {
    for (const auto& c : json.value(key, nlohmann::json::array())) {
      out->push_back({c.value("id", 0), c.value("document_id", int64_t{0}), c.value("title", ""),
                      c.value("path", ""), c.value("uri", ""), c.value("heading_path", ""),
                      c.value("page", 0)});
    }
  };
  read("citations", &answer.citations);
  read("related", &answer.related);
  return answer;
}

}  // namespace

Result<std::string> ValidateQuestion(const std::string& question, int max_chars) {
  if (!IsValidUtf8(question)) {
    return Fail(ErrorCode::kInvalidArgument, "the question is not valid UTF-8 text");
  }
  const std::string trimmed(TrimAscii(question));
  if (trimmed.empty()) return Fail(ErrorCode::kInvalidArgument, "the question is empty");
  if (static_cast<int>(trimmed.size()) > max_chars) {
    return Fail(ErrorCode::kInvalidArgument,
                "the question is longer than " + std::to_string(max_chars) + " characters");
  }
  for (unsigned char c : trimmed) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      return Fail(ErrorCode::kInvalidArgument, "the question contains control characters");
    }
  }
  return trimmed;
}

nlohmann::json PassageJson(const Passage& p, int rank) {
  return {{"rank", rank},
          {"chunk_id", p.chunk_id},
          {"document_id", p.document_id},
          {"source", p.source},
          {"path", p.path},
          {"uri", PublicUri(p.source, p.path, p.uri)},
          {"title", p.title},
          {"heading_path", p.heading_path},
          {"page", p.page},
          {"score", p.score},
          {"acl", p.acl.roles()},
          {"text", p.text}};
}

nlohmann::json CitationsJson(const std::vector<Citation>& list) {
  nlohmann::json citations = nlohmann::json::array();
  for (const auto& c : list) {
    citations.push_back({{"id", c.id},
                         {"document_id", c.document_id},
                         {"title", c.title},
                         {"path", c.path},
                         {"uri", c.uri},
                         {"heading_path", c.heading_path},
                         {"page", c.page}});
  }
  return citations;
}

nlohmann::json AnswerJson(const Answer& answer) {
  const nlohmann::json citations = CitationsJson(answer.citations);
  return {
      {"answer", answer.text},
      {"citations", citations},
      {"related", CitationsJson(answer.related)},
      {"generator", answer.generator},
      {"language", answer.language},
      {"no_answer", answer.no_answer},
      {"confidence", answer.confidence},
      {"cited", answer.cited},
      {"fallback", answer.fallback},
      {"fallback_reason", answer.fallback_reason},
      {"injection_suspected", answer.injection_suspected},
      {"cached", answer.cached},
      {"redactions", answer.redactions},
      {"usage",
       {{"prompt_tokens", answer.prompt_tokens}, {"completion_tokens", answer.completion_tokens}}},
      {"timings_ms",
       {{"retrieve", answer.retrieve_ms},
        {"generate", answer.generate_ms},
        {"total", answer.total_ms}}}};
}

AnswerPipeline::AnswerPipeline(const Config& config, const engine::Embedder& embedder,
                               const retriever::Thesaurus* thesaurus)
    : config_(config),
      retriever_(embedder, config.retrieval, thesaurus),
      extractive_(engine::MakeExtractiveGenerator(config.generation.extractive)),
      cache_(AnswerCacheOptions{static_cast<size_t>(config.answer.cache_entries),
                                std::chrono::seconds(config.answer.cache_ttl_seconds)}) {
  if (config.generation.backend == "openai") {
    engine::OpenAiOptions options = config.generation.openai;
    const engine::PromptOptions prompt = config.generation.prompt;
    options.build_messages = [prompt](const engine::GenerationRequest& request) {
      return engine::BuildChatMessages(request, prompt);
    };
    model_ = engine::MakeOpenAiGenerator(std::move(options));
  }
}

AnswerPipeline::~AnswerPipeline() = default;

Result<Answer> AnswerPipeline::Ask(const retriever::IndexSnapshot& snapshot,
                                   store::Catalog& catalog, const Principal& principal,
                                   const std::string& raw_question,
                                   const std::vector<engine::ChatTurn>& history,
                                   const engine::TokenCallback& on_token) {
  const auto started = Clock::now();
  auto question = ValidateQuestion(raw_question, config_.answer.max_question_chars);
  if (!question) return Fail(question.error());
  const bool injection = engine::LooksLikeInjection(*question);

  // Follow-up questions depend on the conversation, so only fresh questions are cached.
  if (history.empty()) {
    if (auto hit = cache_.Get(*question, principal.roles, snapshot.generation)) {
      auto answer = DeserializeFromCache(*hit);
      if (answer) {
        // The cache skips retrieval, and with it the final check in PostgreSQL: repeat that
        // check for the answer's documents, so a document deleted or restricted since is
        // never served from the cache. Any doubt (database down) means a fresh answer.
        std::vector<int64_t> ids;
        for (const auto& [id, acl] : answer->context_documents) ids.push_back(id);
        auto readable = catalog.AllReadable(ids, principal.roles);
        if (!readable || !*readable) answer.reset();
      }
      if (answer) {
        answer->cached = true;
        answer->injection_suspected = injection;
        answer->total_ms = MillisSince(started);
        if (on_token) on_token(answer->text);
        return *answer;
      }
    }
  }

  Answer answer;
  answer.injection_suspected = injection;
  answer.language = DetectLanguage(*question);
  if (answer.language.empty()) answer.language = kLanguageGerman;
  std::vector<std::string> synonyms;  // the lexical half's, for the answerer too
  auto passages = retriever_.Search(snapshot, catalog, principal, *question,
                                    config_.answer.passages, &synonyms);
  if (!passages) return Fail(passages.error());
  answer.retrieve_ms = MillisSince(started);

  const retriever::IndexVocabulary vocabulary(snapshot.lexical);
  engine::GenerationRequest request;
  request.question = *question;
  request.language = answer.language;
  request.history = history;
  request.vocabulary = &vocabulary;
  request.expansions = std::move(synonyms);
  for (size_t i = 0; i < passages->size(); ++i) {
    const Passage& p = (*passages)[i];
    // Retrieved text is data: instruction-like phrases in it are defused before any
    // generator sees them.
    request.context.push_back({static_cast<int>(i + 1), p.title, p.path, p.heading_path, p.page,
                               engine::NeutralizeInstructions(p.text)});
    const bool listed =
        std::any_of(answer.context_documents.begin(), answer.context_documents.end(),
                    [&](const auto& d) { return d.first == p.document_id; });
    if (!listed) answer.context_documents.emplace_back(p.document_id, p.acl);
  }

  bool exempt = false;
  for (const auto& role : config_.answer.redaction_exempt_roles) {
    exempt = exempt || principal.roles.Contains(role);
  }
  const auto generate_started = Clock::now();
  RedactingStream stream(!exempt, on_token);
  const engine::TokenCallback stream_token = [&stream](std::string_view delta) {
    return stream.Add(delta);
  };
  Result<engine::GenerationResult> generated = Fail(ErrorCode::kInternal, "not generated");
  if (model_ != nullptr && !request.context.empty()) {
    generated = model_->Generate(request, stream_token);
    if (!generated) {
      answer.fallback = true;
      answer.fallback_reason = generated.error().ToString();
      log::Warn("answer.model_failed", {{"error", ErrorCodeName(generated.error().code)}});
      const std::string notice = answer.language == kLanguageGerman
                                     ? "\n\n(Das Sprachmodell ist nicht erreichbar; "
                                       "die Antwort unten ist aus den Dokumenten zitiert.)\n\n"
                                     : "\n\n(The language model is unavailable; the answer "
                                       "below is quoted from the documents.)\n\n";
      if (stream.added() > 0) {
        stream.Finish();
        stream.Add(notice);
      }
    }
  }
  if (!generated) generated = extractive_->Generate(request, stream_token);
  if (!generated) return Fail(generated.error());
  stream.Finish();
  answer.generate_ms = MillisSince(generate_started);
  answer.generator = generated->generator;
  answer.no_answer = generated->no_answer;
  answer.confidence = generated->confidence;
  answer.prompt_tokens = generated->prompt_tokens;
  answer.completion_tokens = generated->completion_tokens;
  answer.redactions = stream.redactions();

  // Only citations of passages that were in the context survive.
  const engine::CitationCheck check =
      engine::ValidateCitations(stream.text(), static_cast<int>(request.context.size()));
  answer.text = check.text;
  answer.cited = check.has_valid_citation;
  for (int id : check.valid_ids) {
    const Passage& p = (*passages)[id - 1];
    answer.citations.push_back({id, p.document_id, p.title, p.path,
                                PublicUri(p.source, p.path, p.uri), p.heading_path, p.page});
  }
  if (answer.no_answer) {
    // Nothing answers the question, but the closest readable documents may still help: as
    // links, so that none of their text is presented as an answer.
    for (const Passage& p : *passages) {
      if (answer.related.size() == kRelatedDocuments) break;
      const bool listed =
          std::any_of(answer.related.begin(), answer.related.end(),
                      [&](const Citation& c) { return c.document_id == p.document_id; });
      if (!listed) {
        answer.related.push_back({0, p.document_id, p.title, p.path,
                                  PublicUri(p.source, p.path, p.uri), p.heading_path, p.page});
      }
    }
  }
  answer.total_ms = MillisSince(started);
  if (history.empty() && !answer.fallback) {
    cache_.Put(*question, principal.roles, snapshot.generation, SerializeForCache(answer));
  }
  return answer;
}

}  // namespace wissen::app

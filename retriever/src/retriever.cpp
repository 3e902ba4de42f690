#include "wissen/retriever/retriever.h"

#include <algorithm>
#include <future>
#include <system_error>
#include <unordered_map>

#include "wissen/core/language.h"
#include "wissen/core/text.h"
#include "wissen/store/index_layout.h"

namespace wissen::retriever {
namespace fs = std::filesystem;

Result<std::shared_ptr<const IndexSnapshot>> LoadSnapshot(const fs::path& index_root) {
  auto snapshot = std::make_shared<IndexSnapshot>();
  auto vectors = store::VectorIndex::LoadCurrent(store::index_layout::VectorRoot(index_root));
  if (!vectors) return Fail(vectors.error());
  snapshot->vectors = *vectors;
  auto lexical = store::LexicalIndex::Open(store::index_layout::LexicalRoot(index_root));
  if (!lexical) return Fail(lexical.error());
  snapshot->lexical = std::move(*lexical);
  snapshot->generation = snapshot->vectors ? snapshot->vectors->generation() : 0;
  return std::shared_ptr<const IndexSnapshot>(std::move(snapshot));
}

Retriever::Retriever(const engine::Embedder& embedder, RetrieverOptions options,
                     const Thesaurus* thesaurus)
    : embedder_(embedder), options_(options), thesaurus_(thesaurus) {}

int64_t IndexVocabulary::Frequency(std::string_view word) const {
  return lexical_ ? lexical_->WordFrequency(word) : 0;
}

int64_t IndexVocabulary::Total() const { return lexical_ ? lexical_->size() : 0; }

std::string IndexVocabulary::Stem(std::string_view word, std::string_view language) const {
  return stemmer_.Stem(word, language);
}

Result<std::vector<Passage>> Retriever::Search(const IndexSnapshot& snapshot,
                                               store::Catalog& catalog, const Principal& principal,
                                               std::string_view query, int k,
                                               std::vector<std::string>* expansions) const {
  if (expansions != nullptr) expansions->clear();
  const std::string text = CollapseWhitespace(SanitizeUtf8(query));
  if (text.empty()) return Fail(ErrorCode::kInvalidArgument, "the query is empty");
  if (k <= 0) return std::vector<Passage>();
  const int candidates = std::max(options_.candidates, k);
  std::string language = DetectLanguage(text);
  if (language.empty()) language = kLanguageEnglish;

  // The lexical half; on a large index it runs on a second thread (started before the vector
  // half), and returns before this function does in every path: the future's destructor
  // waits for it.
  auto search_lexical = [&]() -> Result<std::vector<store::ScoredId>> {
    if (options_.mode == RetrievalMode::kVector || !snapshot.lexical) {
      return std::vector<store::ScoredId>();
    }
    store::LexicalQuery lexical_query;
    lexical_query.text = text;
    lexical_query.language = language;
    lexical_query.roles = principal.roles;
    lexical_query.k = candidates;
    lexical_query.options = options_.lexical;
    if (thesaurus_ != nullptr && options_.thesaurus_terms > 0) {
      const store::LexicalIndex& lexical = *snapshot.lexical;
      lexical_query.expansions = thesaurus_->Expand(
          text, language, options_.thesaurus_terms,
          [&](std::string_view word) { return lexical.SynonymFrequency(word, language); });
    }
    if (expansions != nullptr) *expansions = lexical_query.expansions;
    return snapshot.lexical->Search(lexical_query);
  };
  std::future<Result<std::vector<store::ScoredId>>> lexical_later;
  if (options_.mode == RetrievalMode::kHybrid && snapshot.vectors && snapshot.lexical &&
      options_.parallel_min_chunks > 0 &&
      snapshot.vectors->size() >= options_.parallel_min_chunks) {  // lock-free, unlike lexical
    try {
      lexical_later = std::async(std::launch::async, search_lexical);
    } catch (const std::system_error&) {
      // No thread to be had (process limit): the lexical half runs below, in this thread.
    }
  }

  std::vector<store::ScoredId> vector_hits;
  if (options_.mode != RetrievalMode::kLexical && snapshot.vectors) {
    const engine::EmbedderInfo info = embedder_.Info();
    const store::VectorIdentity& built = snapshot.vectors->identity();
    if (built.embedder_name != info.name || built.embedder_version != info.version ||
        built.dimension != info.dimension) {
      return Fail(ErrorCode::kConflict, "the index was built with embedder " + built.embedder_name +
                                            " " + built.embedder_version + " (" +
                                            std::to_string(built.dimension) + " dimensions) but " +
                                            info.name + " " + info.version + " (" +
                                            std::to_string(info.dimension) +
                                            " dimensions) is configured; run `wissen reindex`");
    }
    auto embedded = embedder_.Embed({text}, engine::EmbedPurpose::kQuery);
    if (!embedded) return Fail(embedded.error());
    vector_hits = snapshot.vectors->Search(*embedded, candidates, principal.roles, options_.vector);
  }
  auto lexical = lexical_later.valid() ? lexical_later.get() : search_lexical();
  if (!lexical) return Fail(lexical.error());
  std::vector<store::ScoredId> lexical_hits = std::move(*lexical);

  // Reciprocal rank fusion: robust to the two lists' incomparable score scales.
  std::unordered_map<int64_t, double> fused;
  for (size_t rank = 0; rank < vector_hits.size(); ++rank) {
    fused[vector_hits[rank].id] += options_.vector_weight / (options_.rrf_k + rank + 1);
  }
  for (size_t rank = 0; rank < lexical_hits.size(); ++rank) {
    fused[lexical_hits[rank].id] += options_.lexical_weight / (options_.rrf_k + rank + 1);
  }
  std::vector<std::pair<int64_t, double>> ranked(fused.begin(), fused.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });

  // Fetch more than k: chunks deleted since the generation was built, and chunks beyond a
  // document's share, drop out below.
  const size_t fetch = static_cast<size_t>(options_.max_per_document > 0 ? k * 4 : k * 2);
  std::vector<int64_t> ids;
  for (const auto& [id, score] : ranked) {
    if (ids.size() == fetch) break;
    ids.push_back(id);
  }
  auto fetched = catalog.FetchPassages(ids, principal.roles);
  if (!fetched) return Fail(fetched.error());
  for (auto& passage : *fetched) passage.score = fused[passage.chunk_id];
  std::vector<Passage> passages;
  std::unordered_map<int64_t, int> per_document;
  for (auto& passage : *fetched) {
    if (options_.max_per_document > 0 &&
        ++per_document[passage.document_id] > options_.max_per_document) {
      continue;
    }
    passages.push_back(std::move(passage));
    if (static_cast<int>(passages.size()) == k) break;
  }
  return passages;
}

}  // namespace wissen::retriever

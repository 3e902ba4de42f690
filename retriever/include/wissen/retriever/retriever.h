// Retriever: role-filtered hybrid retrieval.
//
// A query runs through three independent ACL checks: the vector index searches only the
// partitions the principal may read, the lexical index filters by role terms inside the
// engine, and the final fetch from PostgreSQL keeps only chunks of live documents whose ACL
// intersects the principal's roles. A bug in one check alone cannot leak a passage.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/document.h"
#include "wissen/core/result.h"
#include "wissen/engine/embedder.h"
#include "wissen/engine/generator.h"
#include "wissen/retriever/thesaurus.h"
#include "wissen/store/catalog.h"
#include "wissen/store/lexical_index.h"
#include "wissen/store/vector_index.h"

namespace wissen::retriever {

// The index a query runs against. Immutable once built: the server swaps a
// std::shared_ptr<const IndexSnapshot> when a crawl publishes a new generation, and a query
// keeps the snapshot it started with, so the query path takes no locks.
struct IndexSnapshot {
  std::shared_ptr<const store::VectorIndex> vectors;   // may be null: no generation yet
  std::shared_ptr<const store::LexicalIndex> lexical;  // may be null
  int64_t generation = 0;
};

// Loads the live generation under <data.dir>/index.
Result<std::shared_ptr<const IndexSnapshot>> LoadSnapshot(const std::filesystem::path& index_root);

enum class RetrievalMode { kHybrid, kLexical, kVector };

struct RetrieverOptions {
  // Candidates taken from each of the vector and lexical lists before fusion. Default: 50.
  int candidates = 50;
  // Reciprocal-rank-fusion constant: score = Σ weight / (rrf_k + rank). Default: 60.
  double rrf_k = 60;
  // Weights of the two lists in the fusion. Defaults: 1.0 each.
  double lexical_weight = 1.0;
  // The vector list counts half: the built-in embedder's list adds recall, but on documents
  // nobody tuned on it is noisier than the lexical one, and at full weight hybrid fell below
  // lexical alone there. 0.5 keeps hybrid at or above lexical on all three dev sets
  // (bench/results/retrieval.md).
  double vector_weight = 0.5;
  // How the vector half searches (ef_search, nprobe, ivf_rerank; defaults there).
  store::VectorSearchOptions vector;
  // How the lexical half ranks (BM25, thesaurus weight, feedback, common words; defaults
  // there, except for common_word_share below).
  //
  // common_word_share: query words in more than this share of the chunks only weigh, they
  // do not find chunks by themselves. Default here: 0.05 (measured in
  // bench/results/query.md: less lexical time at a million chunks, the same dev-set figures).
  store::LexicalSearchOptions lexical{.common_word_share = 0.05};
  // At most this many passages of one document in the results, so the top-k shows
  // several sources instead of one long document's neighbouring chunks. 0 = no limit.
  // Default: 0 (on the dev set a limit of 1-2 raised recall@5 by document but lost the
  // passage that holds the answer more often than it helped).
  int max_per_document = 0;
  // Synonyms from the thesaurus added to the lexical query (0 = none); their weight is
  // lexical.expansion_weight. Default: 3 terms.
  int thesaurus_terms = 3;
  RetrievalMode mode = RetrievalMode::kHybrid;
  // In hybrid mode on an index of at least this many chunks, the lexical search runs on a
  // second thread while the calling thread searches the vectors, so a query waits for the
  // slower half instead of both. Smaller indexes answer both halves in about a millisecond,
  // less than it costs to start a thread. 0 = always one thread. Default: 100,000.
  int64_t parallel_min_chunks = 100000;
};

// Thread-safe; holds no per-query state. A query may use one helper thread (see
// RetrieverOptions::parallel_min_chunks).
class Retriever {
 public:
  // `thesaurus` may be null (no synonym expansion); it must outlive the retriever.
  Retriever(const engine::Embedder& embedder, RetrieverOptions options,
            const Thesaurus* thesaurus = nullptr);

  // The best k passages for `query` among the documents `principal` may read, best first.
  // `expansions` (may be null) receives the thesaurus synonyms the lexical half searched for
  // (empty when it did not run), so the answerer need not look them up again.
  // Errors: kInvalidArgument for an empty query; kConflict when the index was built by
  // another embedder (vector search refused; run `wissen reindex`).
  Result<std::vector<Passage>> Search(const IndexSnapshot& snapshot, store::Catalog& catalog,
                                      const Principal& principal, std::string_view query, int k,
                                      std::vector<std::string>* expansions = nullptr) const;

  const RetrieverOptions& options() const { return options_; }

 private:
  const engine::Embedder& embedder_;
  RetrieverOptions options_;
  const Thesaurus* thesaurus_;
};

// How a snapshot's lexical index sees words (rarity and stems), for the extractive answerer.
// Without a lexical index every word counts as absent and the total is 0; the stems come
// from the index's stemmers either way. Keeps the index alive. Not thread-safe (its
// stemmers keep state): one per request.
class IndexVocabulary final : public engine::Vocabulary {
 public:
  explicit IndexVocabulary(std::shared_ptr<const store::LexicalIndex> lexical)
      : lexical_(std::move(lexical)) {}
  int64_t Frequency(std::string_view word) const override;
  int64_t Total() const override;
  std::string Stem(std::string_view word, std::string_view language) const override;

 private:
  std::shared_ptr<const store::LexicalIndex> lexical_;
  mutable store::IndexStemmer stemmer_;  // one per request: the pipeline makes one per answer
};

}  // namespace wissen::retriever

// LexicalIndex: BM25 ranking over chunks with German/English stemming (Xapian), filtered by
// ACL inside the engine: every chunk carries a term for its whole ACL (and one per role), and
// a query excludes the ACLs the principal may not read, so filtering happens before ranking
// and a user with a rare role still gets a full top-k.
//
// One Xapian database, known by its root path <data.dir>/index/lexical, updated incrementally
// by the indexer: each chunk is a Xapian document whose docid is the chunk id. The database
// records the last catalog change it has applied ("applied_seq"), so an interrupted update is
// simply repeated. Xapian commits are atomic: readers see the old or the new state, never a
// mix. After a full rebuild (and once updates have rewritten 1 % of it) the indexer
// compacts it into a new directory beside the root that then becomes live atomically; the
// layout is in store/src/lexical_layout.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/result.h"
#include "wissen/store/vector_index.h"

namespace wissen::store {

struct LexicalDocument {
  int64_t chunk_id = 0;
  int64_t document_id = 0;
  std::string title;
  std::string heading_path;
  std::string text;
  std::string language;  // "de", "en" or ""
  Acl acl;
};

// How the lexical index ranks: the same for every query of one configuration.
struct LexicalSearchOptions {
  // BM25 parameters: term-frequency saturation and document-length normalization.
  double bm25_k1 = 1.2;
  double bm25_b = 0.75;
  // Weight of LexicalQuery::expansions relative to the query's own words.
  double expansion_weight = 0.3;
  // Pseudo-relevance feedback: the best `feedback_documents` hits of a first pass suggest
  // `feedback_terms` further terms, searched with `feedback_weight`. 0 documents = off.
  int feedback_documents = 0;
  int feedback_terms = 10;
  double feedback_weight = 0.3;
  // A query word in more than this share of all chunks only adds weight to chunks that match
  // a rarer word of the query; it does not bring in chunks by itself (the results keep their
  // scores; only chunks matching nothing but such words drop out). When fewer than k chunks
  // match the rarer words, every word is searched as usual. 0 = off.
  double common_word_share = 0;
};

struct LexicalQuery {
  std::string text;
  std::string language;  // stemmer for the query: "de", "en" or "" (English)
  RoleSet roles;
  int k = 10;
  // Further words that mean the same as words of the query (thesaurus), searched with
  // options.expansion_weight.
  std::vector<std::string> expansions{};
  LexicalSearchOptions options{};
};

// The lexical index's stemmers (Snowball German and English, as the indexer and the query
// parser use them), for matching text outside the index the way the index does. Not
// thread-safe: one per thread or request.
class IndexStemmer {
 public:
  IndexStemmer();
  ~IndexStemmer();
  IndexStemmer(const IndexStemmer&) = delete;
  IndexStemmer& operator=(const IndexStemmer&) = delete;
  // The stem of a lower-case word; `language` "de" is German, anything else English.
  std::string Stem(std::string_view word, std::string_view language);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Read side. Thread-safe without locks on the query path: each thread searches through its
// own Xapian handle. Reopen() refreshes only the handle behind size()/applied_seq(); to see a
// new commit in searches, open a new LexicalIndex (the server does so per generation).
class LexicalIndex {
 public:
  // Opens the live database under `root` read-only. Returns nullptr when none exists yet.
  static Result<std::unique_ptr<LexicalIndex>> Open(const std::filesystem::path& root);
  ~LexicalIndex();

  // BM25 top-k among chunks whose ACL intersects query.roles.
  Result<std::vector<ScoredId>> Search(const LexicalQuery& query) const;
  // Number of chunks containing a candidate synonym (stemmed with the language's stemmer), of
  // any ACL, for the thesaurus to weigh it. 0 (drop it) when the index does not know the word,
  // and also when it is in 2 % of the chunks or more (at least 1,000): such a word says little
  // about a chunk but has one of the longest posting lists, the limit the German compound
  // expansion applies too.
  int64_t SynonymFrequency(std::string_view word, std::string_view language) const;
  // Number of chunks, of any ACL, that hold `word` (lower case, as written) in some form: the
  // larger count of its German and English stems and of the word itself. A statistic for
  // weighing words (how rare a word is), never a document: the answerer uses it as IDF. 0 when
  // no chunk holds it or the index cannot be read.
  int64_t WordFrequency(std::string_view word) const;
  // Picks up the newest committed state of the same directory (after the indexer committed);
  // a compaction moves the index elsewhere, which only a new LexicalIndex sees.
  Result<void> Reopen();
  // The directory this reader reads.
  const std::filesystem::path& directory() const;
  int64_t size() const;
  int64_t applied_seq() const;

 private:
  struct Impl;
  explicit LexicalIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Write side. Only one writer at a time may exist per directory (Xapian's own lock; the crawl
// lock keeps writers apart in practice). Not thread-safe.
class LexicalWriter {
 public:
  // Opens (or creates) the live database under `root`, and removes compacted copies that have
  // not been live for a while and that no reader holds (lexical_layout::RemoveSuperseded).
  static Result<std::unique_ptr<LexicalWriter>> Open(const std::filesystem::path& root);
  ~LexicalWriter();

  int64_t applied_seq() const;
  // True when the index was written by an older version whose chunks lack terms this one
  // searches with (the ACL-set terms); it needs a full rebuild. An empty index is current.
  bool NeedsRebuild() const;
  // Removes every chunk of these documents.
  Result<void> RemoveDocuments(std::span<const int64_t> document_ids);
  Result<void> Add(const LexicalDocument& document);
  // Starts a full rebuild: every chunk not added again before Commit is removed at Commit.
  // Readers keep the previous revision until then (no empty or half-built index is ever
  // visible), and a writer destroyed before Commit leaves it unchanged.
  void StartFullRebuild();
  // Records `applied_seq` and commits every change since Open or the last Commit at once.
  Result<void> Commit(int64_t applied_seq);
  int64_t size() const;

  // True when the committed index is worth compacting: it has never been compacted (a new
  // index, or one of an older version, maybe with 8 KB blocks), a full rebuild was committed
  // through this writer, or the chunks added and removed since the last compaction reach 1 %
  // of the index.
  bool NeedsCompaction() const;
  // Writes a compact copy of the committed index (32 KB blocks, docids kept) beside the root
  // and makes it live; this writer then writes to the copy. Uncommitted changes are dropped:
  // call it right after Commit. Readers keep the directory they opened, which stays on disk
  // while they use it. On failure the index stays as committed and the writer usable.
  Result<void> Compact();
  // The live directory this writer writes.
  std::filesystem::path directory() const;

 private:
  struct Impl;
  explicit LexicalWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

#include "wissen/store/lexical_index.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <unordered_map>

#include "durable_file.h"
#include "lexical_layout.h"
#include "wissen/core/log.h"

namespace wissen::store {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRolePrefix = "XA";      // boolean ACL terms: XAhr, XAeveryone
constexpr const char* kAclSetPrefix = "XS";    // the whole ACL, one term a chunk: XShr,rnd
constexpr const char* kDocumentPrefix = "XD";  // boolean document terms, for removal
constexpr const char* kStemPrefix = "Z";       // Xapian's stemmed form of a word: Zurlaub
// Xapian terms are at most 245 bytes; a chunk whose ACL key is longer gets no ACL-set term,
// and its index falls back to the role filter (see ReadableOnly).
constexpr size_t kMaxAclSetKey = 200;
constexpr const char* kAppliedSeqKey = "wissen.applied_seq";
// Block size of a new database (Xapian's default is 8 KB; an existing database keeps its own).
// Xapian reads a block with one pread; BM25 over an OR walks long posting lists, and with
// 32 KB blocks it makes a quarter of the calls. At a million chunks that took the lexical
// stage from 7.7 to about 6 ms (p50); 64 KB was no faster (bench/results/query.md).
// Compaction (LexicalWriter::Compact) writes its copy with this block size too, so an index
// created with 8 KB blocks moves to 32 KB with its first compaction.
constexpr int kBlockSize = 32768;
// Chunks added or removed since the last compaction, and the share of the index's chunks at
// which the writer asks for the next one. Updating a compacted index splits its full blocks:
// at a million chunks, 5,000 chunks replaced (1 % written, counting removals) grew the index
// by 9 % and made lexical search 20-50 % slower until the next compaction, which takes about
// 20 s there (bench/results/query.md). So a nightly crawl that changed 1 % compacts.
constexpr const char* kWrittenSinceCompactionKey = "wissen.written_since_compaction";
constexpr double kCompactAfterWrittenShare = 0.01;

// The layout of the terms a chunk carries. 2: with the ACL-set term (XS). Indexes without the
// key are of layout 1.
constexpr const char* kFormatKey = "wissen.format";
constexpr const char* kFormat = "2";

Xapian::Stem StemmerFor(const std::string& language) {
  return Xapian::Stem(language == "de" ? "german" : "english");
}

template <typename Body>
auto XapianGuard(const char* action, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Xapian::DatabaseLockError& e) {
    return Fail(ErrorCode::kConflict, std::string("cannot ") + action +
                                          ": the lexical index is locked by another writer");
  } catch (const Xapian::Error& e) {
    log::Error("lexical.error", {{"action", action}, {"detail", e.get_description()}});
    return Fail(ErrorCode::kInternal, std::string("cannot ") + action + ": lexical index error");
  } catch (const std::exception& e) {
    log::Error("lexical.error", {{"action", action}, {"detail", e.what()}});
    return Fail(ErrorCode::kInternal, std::string("cannot ") + action + ": lexical index error");
  }
}

int64_t ReadCounter(const Xapian::Database& db, const char* key) {
  const std::string value = db.get_metadata(key);
  return value.empty() ? 0 : std::stoll(value);
}

int64_t ReadAppliedSeq(const Xapian::Database& db) { return ReadCounter(db, kAppliedSeqKey); }

Result<Xapian::docid> ToDocid(int64_t chunk_id) {
  if (chunk_id <= 0 || chunk_id > static_cast<int64_t>(UINT32_MAX)) {
    return Fail(ErrorCode::kInternal, "chunk id out of the lexical index's range");
  }
  return static_cast<Xapian::docid>(chunk_id);
}

// The second ACL check: `text_query` restricted, inside Xapian and before ranking, to the
// chunks `roles` may read. Two exact forms of the same restriction:
//  - Every chunk carries one term naming its whole ACL (XS<key>). An index has few distinct
//    ACLs, so the unreadable ones are listed and excluded with AND_NOT. Most readers may read
//    most chunks, and the excluded lists are short, or empty for a reader of everything: this
//    form costs a third less lexical time at a million chunks (bench/results/query.md).
//  - Otherwise OP_FILTER on the OR of the reader's role terms (XA<role>).
// The first form is only used when the ACL-set terms account for every chunk of this
// revision; an index written before they existed, or holding an ACL too long for a term,
// gets the second.
Xapian::Query ReadableOnly(const Xapian::Database& db, const Xapian::Query& text_query,
                           const RoleSet& roles) {
  std::vector<Xapian::Query> unreadable;
  Xapian::doccount chunks_with_acl_set = 0;
  for (auto it = db.allterms_begin(kAclSetPrefix); it != db.allterms_end(kAclSetPrefix); ++it) {
    chunks_with_acl_set += it.get_termfreq();
    const std::string key = (*it).substr(std::strlen(kAclSetPrefix));
    std::vector<std::string> acl_roles;
    for (size_t start = 0; start < key.size();) {
      const size_t comma = std::min(key.find(',', start), key.size());
      acl_roles.push_back(key.substr(start, comma - start));
      start = comma + 1;
    }
    if (!roles.Intersects(Acl(std::move(acl_roles)))) unreadable.emplace_back(*it);
  }
  if (chunks_with_acl_set == db.get_doccount()) {
    if (unreadable.empty()) return text_query;
    return Xapian::Query(Xapian::Query::OP_AND_NOT, text_query,
                         Xapian::Query(Xapian::Query::OP_OR, unreadable.begin(), unreadable.end()));
  }
  std::vector<Xapian::Query> role_terms;
  for (const auto& role : roles.roles()) role_terms.emplace_back(std::string(kRolePrefix) + role);
  return Xapian::Query(Xapian::Query::OP_FILTER, text_query,
                       Xapian::Query(Xapian::Query::OP_OR, role_terms.begin(), role_terms.end()));
}

}  // namespace

struct LexicalIndex::Impl {
  fs::path dir;
  lexical_layout::ReaderLock lock;  // keeps the directory from being removed while in use
  uint64_t instance = 0;            // distinguishes this object's per-thread handles from others'
  Xapian::Database db;              // for size() and applied_seq(); queries use per-thread handles
  mutable std::mutex metadata_mutex;
};

namespace {

std::atomic<uint64_t> g_next_instance{1};

// Feedback terms: stemmed content terms only, never role or document filter terms.
class FeedbackDecider : public Xapian::ExpandDecider {
 public:
  bool operator()(const std::string& term) const override {
    return term.size() > 4 && term[0] == 'Z';
  }
};

// Xapian::Database objects are not thread-safe, and a lock would serialize every query of the
// server. Each thread keeps its own read handle per LexicalIndex instance instead.
Xapian::Database& ThreadHandle(uint64_t instance, const fs::path& dir) {
  thread_local std::unordered_map<uint64_t, Xapian::Database> handles;
  auto it = handles.find(instance);
  if (it == handles.end()) {
    // Instances are replaced generation by generation; drop handles of old ones.
    if (handles.size() >= 8) handles.clear();
    it = handles.emplace(instance, Xapian::Database(dir.string())).first;
  }
  return it->second;
}

// Words of the query: runs of letters and digits.
std::vector<std::string> QueryWords(std::string_view text) {
  std::vector<std::string> words;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString current;
  auto flush = [&] {
    if (current.length() > 0) {
      std::string word;
      current.toLower(icu::Locale::getRoot()).toUTF8String(word);
      words.push_back(std::move(word));
      current.remove();
    }
  };
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    if (u_isalnum(c)) {
      current.append(c);
    } else {
      flush();
    }
    i += U16_LENGTH(c);
  }
  flush();
  return words;
}

int32_t CodePoints(const std::string& word) {
  return icu::UnicodeString::fromUTF8(word).countChar32();
}

// Expansion words found in this many chunks or more are left out: they say little about a
// chunk (low IDF) but have the longest posting lists, and an OR over them is most of the lexical
// search time on a large index (bench/results/query.md). 2 % of the chunks, and at least 1,000
// so that small indexes keep every word.
Xapian::doccount FrequentWordCapOf(const Xapian::Database& db) {
  return std::max<Xapian::doccount>(1000, db.get_doccount() / 50);
}

// The words of the index that begin with `word` and are longer ("urlaub" → "urlaubsantrag",
// "urlaubstage"), as one synonym group: at most the 16 most frequent of those under the
// FrequentWordCapOf.
Xapian::Query LongerWordsStartingWith(const Xapian::Database& db, const std::string& word) {
  constexpr size_t kMaxWords = 16;
  const Xapian::doccount cap = FrequentWordCapOf(db);
  std::vector<std::pair<Xapian::doccount, std::string>> found;
  for (auto it = db.allterms_begin(word); it != db.allterms_end(word); ++it) {
    if ((*it).size() == word.size() || it.get_termfreq() >= cap) continue;
    found.emplace_back(it.get_termfreq(), *it);
  }
  const size_t keep = std::min(kMaxWords, found.size());
  std::partial_sort(found.begin(), found.begin() + keep, found.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<Xapian::Query> terms;
  for (size_t i = 0; i < keep; ++i) terms.emplace_back(found[i].second);
  if (terms.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end());
}

// German forms compounds by concatenation ("Urlaub" + "s" + "antrag"), so a query word and
// the document's word often differ. Two expansions, both driven by the index's own
// vocabulary so they work for any company's terminology without a dictionary:
//  - a word is also looked up as the head of longer words ("urlaub" → "urlaubsantrag"),
//  - a long word is split into two parts that both occur in the index
//    ("sicherungsplatte" → "sicherung" + "platte"), with the linking s/es/n/en removed.
// The expansions get a lower weight than the words the user typed.
Xapian::Query GermanCompoundExpansion(const Xapian::Database& db, const std::string& text) {
  constexpr int32_t kMinPart = 4;
  // A compound in this many chunks is not split (see below).
  constexpr Xapian::doccount kCommonCompound = 100;
  const Xapian::doccount cap = FrequentWordCapOf(db);
  std::vector<Xapian::Query> expansions;
  for (const std::string& word : QueryWords(text)) {
    const int32_t length = CodePoints(word);
    if (length < 5) continue;
    if (Xapian::Query longer = LongerWordsStartingWith(db, word); !longer.empty()) {
      expansions.push_back(std::move(longer));
    }
    if (length < 2 * kMinPart) continue;
    // A compound the index already holds in many chunks (twice the candidates a list takes,
    // and more) finds them itself; its parts would add long posting lists for chunks that
    // rarely mean the compound. At a million chunks this took German queries' lexical time
    // from 11.3 to about 4.5 ms; on the dev set no question lost, lexical MRR 0.642 → 0.647.
    if (db.get_termfreq(word) >= kCommonCompound) continue;
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(word);
    for (int32_t split = kMinPart; split <= length - kMinPart; ++split) {
      std::string head, tail;
      u.tempSubString(0, split).toUTF8String(head);
      u.tempSubString(split).toUTF8String(tail);
      if (!db.term_exists(tail)) continue;
      for (const char* link : {"", "s", "es", "n", "en"}) {
        const std::string suffix(link);
        if (!suffix.empty() && !head.ends_with(suffix)) continue;
        const std::string stem = head.substr(0, head.size() - suffix.size());
        if (CodePoints(stem) < kMinPart || !db.term_exists(stem)) continue;
        if (db.get_termfreq(stem) < cap) expansions.emplace_back(stem);
        if (db.get_termfreq(tail) < cap) expansions.emplace_back(tail);
        break;
      }
    }
  }
  if (expansions.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                       Xapian::Query(Xapian::Query::OP_OR, expansions.begin(), expansions.end()),
                       0.5);
}

// The parts of a parsed query that the parser ORed together: its words, and its phrases and
// +/- groups as they are. A query of one part is that part.
std::vector<Xapian::Query> OrParts(const Xapian::Query& parsed) {
  if (parsed.get_type() != Xapian::Query::OP_OR) return {parsed};
  std::vector<Xapian::Query> parts;
  for (size_t i = 0; i < parsed.get_num_subqueries(); ++i) parts.push_back(parsed.get_subquery(i));
  return parts;
}

// A query word as the parser made it, widened to every form the index may hold it in, as one
// synonym group:
//  - The parser (STEM_SOME) stems a lower-case word but leaves a capitalised one exact, a rule
//    made for English names; every German noun is capitalised, so "Anträge" missed "Antrag".
//    Every word is now searched by its stem and by its exact form.
//  - The word is also stemmed as the other language: a short question's language is often
//    guessed wrong ("Reisekosten abrechnen" looks English to the detector), and each chunk is
//    stemmed as its own language.
// The indexer stores every word in both forms, so a chunk holding the word exactly as asked
// counts it twice in the group, an inflection once: an exact match weighs a little more
// (measured: bench/results/retrieval.md). Words starting with a digit stay as they are: the
// indexer does not stem them (Xapian's rule).
Xapian::Query EveryFormOf(const Xapian::QueryParser& parser, const Xapian::Stem& query_stemmer,
                          const Xapian::Stem& other_stemmer, const Xapian::Query& part) {
  if (part.get_type() != Xapian::Query::LEAF_TERM) return part;
  const std::string term = *part.get_terms_begin();
  if (term.empty() || std::isdigit(static_cast<unsigned char>(term[0]))) return part;
  std::vector<std::string> forms{term};
  auto add = [&forms](std::string form) {
    if (std::find(forms.begin(), forms.end(), form) == forms.end())
      forms.push_back(std::move(form));
  };
  std::vector<std::string> typed;  // the word as the user wrote it, lower-cased as indexed
  if (term.starts_with(kStemPrefix)) {
    for (auto it = parser.unstem_begin(term); it != parser.unstem_end(term); ++it) {
      typed.push_back(Xapian::Unicode::tolower(*it));
    }
  } else {
    typed.push_back(term);
  }
  for (const std::string& word : typed) {
    add(word);
    add(kStemPrefix + query_stemmer(word));
    add(kStemPrefix + other_stemmer(word));
  }
  if (forms.size() == 1) return part;
  return Xapian::Query(Xapian::Query::OP_SYNONYM, forms.begin(), forms.end());
}

// At most how many chunks `query` can match: the sum of its terms' frequencies (an OR, a
// synonym group or a phrase matches no more chunks than its terms do together).
Xapian::doccount MatchBound(const Xapian::Database& db, const Xapian::Query& query) {
  Xapian::doccount bound = 0;
  for (auto it = query.get_unique_terms_begin(); it != query.get_unique_terms_end(); ++it) {
    bound += db.get_termfreq(*it);
  }
  return bound;
}

// A query word found in more than `share` of the readable and unreadable chunks alike ("how",
// "is", "die") matches a large part of the index but says little about a chunk. It keeps adding
// its weight to chunks that something else of the query finds, but no longer brings in chunks
// by itself: OR(rarer words, expansions) AND_MAYBE OR(common words). A chunk that matches keeps
// exactly the BM25 score it had under the plain OR (the weights of the words it contains,
// summed); only chunks that contain nothing but common words drop out, and those are the long
// posting lists an OR has to walk.
struct SplitQuery {
  std::vector<Xapian::Query> all;     // every word: they all find chunks (the plain query)
  std::vector<Xapian::Query> rare;    // the words that find chunks when common ones only weigh
  std::vector<Xapian::Query> common;  // empty when no word is common, or every word is
  Xapian::doccount rare_bound = 0;    // MatchBound of the rare words together
};

SplitQuery SplitCommonWords(const Xapian::Database& db, const Xapian::QueryParser& parser,
                            const Xapian::Stem& query_stemmer, const Xapian::Stem& other_stemmer,
                            const Xapian::Query& parsed, double share) {
  const double limit = share * db.get_doccount();
  SplitQuery words;
  for (const Xapian::Query& part : OrParts(parsed)) {
    const bool is_common = share > 0 && share < 1 && part.get_type() == Xapian::Query::LEAF_TERM &&
                           db.get_termfreq(*part.get_terms_begin()) > limit;
    Xapian::Query word = EveryFormOf(parser, query_stemmer, other_stemmer, part);
    if (word.empty()) continue;
    words.all.push_back(word);
    if (is_common) {
      words.common.push_back(std::move(word));
    } else {
      words.rare_bound += MatchBound(db, word);
      words.rare.push_back(std::move(word));
    }
  }
  if (words.rare.empty()) words.common.clear();
  return words;
}

// OR(finding) AND_MAYBE OR(weighing): what finds chunks, and what only adds weight to them.
Xapian::Query FindAndWeigh(const std::vector<Xapian::Query>& finding,
                           const std::vector<Xapian::Query>& weighing) {
  Xapian::Query found(Xapian::Query::OP_OR, finding.begin(), finding.end());
  if (weighing.empty() || found.empty()) return found;
  return Xapian::Query(Xapian::Query::OP_AND_MAYBE, found,
                       Xapian::Query(Xapian::Query::OP_OR, weighing.begin(), weighing.end()));
}

}  // namespace

LexicalIndex::LexicalIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LexicalIndex::~LexicalIndex() = default;

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const fs::path& root) {
  auto dir = lexical_layout::LiveDirectory(root);
  if (!dir) return Fail(dir.error());
  std::error_code ec;
  if (!fs::exists(*dir, ec)) return std::unique_ptr<LexicalIndex>();
  auto lock = lexical_layout::ReaderLock::Acquire(*dir);
  if (!lock) {
    // Superseded and removed between reading the pointer and locking: read it again.
    dir = lexical_layout::LiveDirectory(root);
    if (!dir) return Fail(dir.error());
    lock = lexical_layout::ReaderLock::Acquire(*dir);
    if (!lock) return Fail(lock.error());
  }
  return XapianGuard("open the lexical index", [&]() -> Result<std::unique_ptr<LexicalIndex>> {
    auto impl = std::make_unique<Impl>();
    impl->dir = *dir;
    impl->lock = std::move(*lock);
    impl->instance = g_next_instance.fetch_add(1);
    impl->db = Xapian::Database(dir->string());
    return std::unique_ptr<LexicalIndex>(new LexicalIndex(std::move(impl)));
  });
}

Result<std::vector<ScoredId>> LexicalIndex::Search(const LexicalQuery& query) const {
  return XapianGuard("search the lexical index", [&]() -> Result<std::vector<ScoredId>> {
    std::vector<ScoredId> results;
    if (query.roles.empty() || query.k <= 0) return results;
    Xapian::Database& db = ThreadHandle(impl_->instance, impl_->dir);
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        const Xapian::Stem stemmer = StemmerFor(query.language);
        Xapian::QueryParser parser;
        parser.set_stemmer(stemmer);
        parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        parser.set_default_op(Xapian::Query::OP_OR);
        parser.set_database(db);
        Xapian::Query parsed;
        try {
          parsed = parser.parse_query(
              query.text, Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE);
        } catch (const Xapian::QueryParserError&) {
          // User input that is not a valid query expression is searched as plain words.
          parsed = parser.parse_query(query.text, 0);
        }
        // Expansions: further words searched with a lower weight, ORed with the query.
        std::vector<Xapian::Query> expansions;
        if (query.language == "de") {
          Xapian::Query compounds = GermanCompoundExpansion(db, query.text);
          if (!compounds.empty()) expansions.push_back(std::move(compounds));
        }
        if (!query.expansions.empty()) {
          std::vector<Xapian::Query> synonyms;
          for (const auto& word : query.expansions)
            synonyms.emplace_back(kStemPrefix + stemmer(word));
          expansions.emplace_back(
              Xapian::Query::OP_SCALE_WEIGHT,
              Xapian::Query(Xapian::Query::OP_OR, synonyms.begin(), synonyms.end()),
              query.options.expansion_weight);
        }
        const SplitQuery words =
            SplitCommonWords(db, parser, stemmer, StemmerFor(query.language == "de" ? "en" : "de"),
                             parsed, query.options.common_word_share);
        if (words.all.empty() && expansions.empty()) return results;

        // The second ACL check, before ranking. Feedback terms below come only from documents
        // that passed it.
        Xapian::Enquire enquire(db);
        enquire.set_weighting_scheme(
            Xapian::BM25Weight(query.options.bm25_k1, 0, 1, query.options.bm25_b, 0.5));
        // Expansions and feedback terms find chunks; `weighing` words only add weight.
        auto top_k = [&](std::vector<Xapian::Query> finding,
                         const std::vector<Xapian::Query>& weighing) {
          finding.insert(finding.end(), expansions.begin(), expansions.end());
          enquire.set_query(ReadableOnly(db, FindAndWeigh(finding, weighing), query.roles));
          if (query.options.feedback_documents > 0) {
            Xapian::MSet first = enquire.get_mset(0, query.options.feedback_documents);
            Xapian::RSet relevant;
            for (auto it = first.begin(); it != first.end(); ++it) relevant.add_document(*it);
            if (!relevant.empty()) {
              FeedbackDecider decider;
              Xapian::ESet eset =
                  enquire.get_eset(query.options.feedback_terms, relevant, &decider);
              std::vector<Xapian::Query> feedback;
              for (auto it = eset.begin(); it != eset.end(); ++it) feedback.emplace_back(*it);
              if (!feedback.empty()) {
                finding.emplace_back(
                    Xapian::Query::OP_SCALE_WEIGHT,
                    Xapian::Query(Xapian::Query::OP_OR, feedback.begin(), feedback.end()),
                    query.options.feedback_weight);
                enquire.set_query(ReadableOnly(db, FindAndWeigh(finding, weighing), query.roles));
              }
            }
          }
          return enquire.get_mset(0, static_cast<Xapian::doccount>(query.k));
        };
        const auto k = static_cast<Xapian::doccount>(query.k);
        Xapian::doccount narrow_bound = words.rare_bound;
        for (const auto& expansion : expansions) narrow_bound += MatchBound(db, expansion);
        // Common words only weigh, unless the rest cannot find k chunks anyway: then, or when
        // it did not, every word finds chunks, so the reader still gets a full top-k.
        const bool narrow = !words.common.empty() && narrow_bound >= k;
        Xapian::MSet mset;
        if (narrow) mset = top_k(words.rare, words.common);
        if (!narrow || mset.size() < k) mset = top_k(words.all, {});
        results.clear();
        for (auto it = mset.begin(); it != mset.end(); ++it) {
          results.push_back({static_cast<int64_t>(*it), static_cast<float>(it.get_weight())});
        }
        break;
      } catch (const Xapian::DatabaseModifiedError&) {
        db.reopen();  // a writer committed twice while we read: take the new revision
      }
    }
    return results;
  });
}

int64_t LexicalIndex::SynonymFrequency(std::string_view word, std::string_view language) const {
  try {
    const Xapian::Database& db = ThreadHandle(impl_->instance, impl_->dir);
    const std::string stem = StemmerFor(std::string(language))(std::string(word));
    const Xapian::doccount frequency = db.get_termfreq(kStemPrefix + stem);
    return frequency < FrequentWordCapOf(db) ? frequency : 0;
  } catch (const Xapian::Error&) {
    return 0;  // a synonym is only a hint; an unreadable index drops it
  }
}

struct IndexStemmer::Impl {
  Xapian::Stem german = StemmerFor("de");
  Xapian::Stem english = StemmerFor("en");
};

IndexStemmer::IndexStemmer() : impl_(std::make_unique<Impl>()) {}
IndexStemmer::~IndexStemmer() = default;

std::string IndexStemmer::Stem(std::string_view word, std::string_view language) {
  try {
    return (language == "de" ? impl_->german : impl_->english)(std::string(word));
  } catch (const Xapian::Error&) {
    return std::string(word);
  }
}

int64_t LexicalIndex::WordFrequency(std::string_view word) const {
  try {
    const Xapian::Database& db = ThreadHandle(impl_->instance, impl_->dir);
    const std::string text(word);
    Xapian::doccount frequency = db.get_termfreq(text);
    for (const char* language : {"de", "en"}) {
      frequency = std::max(frequency, db.get_termfreq(kStemPrefix + StemmerFor(language)(text)));
    }
    return frequency;
  } catch (const Xapian::Error&) {
    return 0;  // a weight is only a hint; an unreadable index makes every word look rare
  }
}

const fs::path& LexicalIndex::directory() const { return impl_->dir; }

Result<void> LexicalIndex::Reopen() {
  return XapianGuard("reopen the lexical index", [&]() -> Result<void> {
    std::lock_guard lock(impl_->metadata_mutex);
    impl_->db.reopen();
    return {};
  });
}

int64_t LexicalIndex::size() const {
  std::lock_guard lock(impl_->metadata_mutex);
  return impl_->db.get_doccount();
}

int64_t LexicalIndex::applied_seq() const {
  std::lock_guard lock(impl_->metadata_mutex);
  return ReadAppliedSeq(impl_->db);
}

// Every change between Open (or the last Commit) and Commit is one Xapian transaction.
// Without it, Xapian commits on its own every 10,000 changed documents, and a server thread
// opening the index meanwhile would search a half-applied update, or during a full rebuild
// a half-empty index; a writer that dies would leave that state behind.
struct LexicalWriter::Impl {
  fs::path root;  // the path the index is known by
  fs::path dir;   // the live database (lexical_layout)
  Xapian::WritableDatabase db;
  Xapian::TermGenerator generator;
  bool rebuilding = false;
  std::vector<bool> readded;        // by docid, during a full rebuild
  int64_t written_uncommitted = 0;  // chunks added or removed since the last Commit
  bool rebuild_committed = false;   // a full rebuild was committed: every block was rewritten

  // Opens the live database for writing, in a transaction (see Commit). Only <root> itself
  // is created when missing; a copy that is gone is an error (lexical_layout::LiveDirectory).
  void OpenLive(const fs::path& live) {
    dir = live;
    db = Xapian::WritableDatabase(
        dir.string(), dir == root ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN, kBlockSize);
    db.begin_transaction(/*flushed=*/true);
  }
};

LexicalWriter::LexicalWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LexicalWriter::~LexicalWriter() {
  try {
    impl_->db.cancel_transaction();  // what was not committed never becomes visible
  } catch (const Xapian::Error&) {
    // No transaction in progress (a failed Commit already ended it).
  }
}

Result<std::unique_ptr<LexicalWriter>> LexicalWriter::Open(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root.parent_path(), ec);
  return XapianGuard(
      "open the lexical index for writing", [&]() -> Result<std::unique_ptr<LexicalWriter>> {
        auto impl = std::make_unique<Impl>();
        impl->root = root;
        // The write lock is taken on the live database; a compaction by another writer may
        // have moved it meanwhile, so the pointer is read again once the lock is held.
        for (int attempt = 0;; ++attempt) {
          auto live = lexical_layout::LiveDirectory(root);
          if (!live) return Fail(live.error());
          impl->OpenLive(*live);
          auto still = lexical_layout::LiveDirectory(root);
          if (still && *still == *live) break;
          impl->db.close();
          if (attempt == 2) {
            return Fail(ErrorCode::kConflict,
                        "cannot open the lexical index for writing: another writer keeps "
                        "moving it");
          }
        }
        // With the lock held no other writer is compacting, so what is not live is either
        // superseded or never was.
        lexical_layout::RemoveSuperseded(root, lexical_layout::kSupersededGrace);
        impl->generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        return std::unique_ptr<LexicalWriter>(new LexicalWriter(std::move(impl)));
      });
}

int64_t LexicalWriter::applied_seq() const { return ReadAppliedSeq(impl_->db); }

bool LexicalWriter::NeedsRebuild() const {
  return impl_->db.get_doccount() > 0 && impl_->db.get_metadata(kFormatKey) != kFormat;
}

Result<void> LexicalWriter::RemoveDocuments(std::span<const int64_t> document_ids) {
  return XapianGuard("update the lexical index", [&]() -> Result<void> {
    for (int64_t id : document_ids) {
      const std::string term = std::string(kDocumentPrefix) + std::to_string(id);
      impl_->written_uncommitted += impl_->db.get_termfreq(term);
      impl_->db.delete_document(term);
    }
    return {};
  });
}

Result<void> LexicalWriter::Add(const LexicalDocument& document) {
  auto docid = ToDocid(document.chunk_id);
  if (!docid) return Fail(docid.error());
  return XapianGuard("update the lexical index", [&]() -> Result<void> {
    Xapian::Document doc;
    auto& generator = impl_->generator;
    generator.set_stemmer(StemmerFor(document.language));
    generator.set_document(doc);
    // Title and headings name what a passage is about; they count twice as much as body
    // words.
    generator.index_text(document.title, 2);
    generator.increase_termpos();
    generator.index_text(document.heading_path, 2);
    generator.increase_termpos();
    generator.index_text(document.text);
    for (const auto& role : document.acl.roles()) doc.add_boolean_term(kRolePrefix + role);
    if (const std::string key = document.acl.Key(); key.size() <= kMaxAclSetKey) {
      doc.add_boolean_term(kAclSetPrefix + key);
    }
    doc.add_boolean_term(kDocumentPrefix + std::to_string(document.document_id));
    impl_->db.replace_document(*docid, doc);
    ++impl_->written_uncommitted;
    if (impl_->rebuilding) {
      if (impl_->readded.size() <= *docid) impl_->readded.resize(size_t(*docid) + 1);
      impl_->readded[*docid] = true;
    }
    return {};
  });
}

void LexicalWriter::StartFullRebuild() {
  impl_->rebuilding = true;
  impl_->readded.clear();
}

Result<void> LexicalWriter::Commit(int64_t applied_seq) {
  return XapianGuard("commit the lexical index", [&]() -> Result<void> {
    if (impl_->rebuilding) {
      // Chunks not added again since StartFullRebuild are gone from the catalog.
      std::vector<Xapian::docid> stale;
      for (auto it = impl_->db.postlist_begin(""); it != impl_->db.postlist_end(""); ++it) {
        if (*it >= impl_->readded.size() || !impl_->readded[*it]) stale.push_back(*it);
      }
      for (const Xapian::docid docid : stale) impl_->db.delete_document(docid);
    }
    impl_->db.set_metadata(kAppliedSeqKey, std::to_string(applied_seq));
    impl_->db.set_metadata(kFormatKey, kFormat);
    const int64_t written =
        ReadCounter(impl_->db, kWrittenSinceCompactionKey) + impl_->written_uncommitted;
    impl_->db.set_metadata(kWrittenSinceCompactionKey, std::to_string(written));
    impl_->db.commit_transaction();
    impl_->rebuild_committed = impl_->rebuild_committed || impl_->rebuilding;
    impl_->rebuilding = false;
    impl_->readded.clear();
    impl_->written_uncommitted = 0;
    impl_->db.begin_transaction(/*flushed=*/true);
    return {};
  });
}

bool LexicalWriter::NeedsCompaction() const {
  const auto chunks = static_cast<int64_t>(impl_->db.get_doccount());
  if (chunks == 0) return false;
  // Never compacted: a new index, or one of a version before compaction (maybe 8 KB blocks).
  if (impl_->dir == impl_->root) return true;
  if (impl_->rebuild_committed) return true;
  return static_cast<double>(ReadCounter(impl_->db, kWrittenSinceCompactionKey)) >=
         kCompactAfterWrittenShare * static_cast<double>(chunks);
}

Result<void> LexicalWriter::Compact() {
  return XapianGuard("compact the lexical index", [&]() -> Result<void> {
    // Only committed state is compacted; Commit leaves an empty transaction open. The write
    // lock stays held throughout, so no other writer changes the source meanwhile.
    impl_->db.cancel_transaction();
    impl_->rebuilding = false;
    impl_->readded.clear();
    impl_->written_uncommitted = 0;
    fs::path copy;
    Xapian::WritableDatabase compacted;
    // Until the pointer names the copy, a failure leaves the index as committed and this
    // writer usable; the copy was never live and goes.
    auto abandon = [&] {
      try {
        compacted.close();
      } catch (const Xapian::Error&) {
      }
      std::error_code ec;
      if (!copy.empty()) fs::remove_all(copy, ec);
      impl_->db.begin_transaction(/*flushed=*/true);
    };
    try {
      copy = lexical_layout::NextCopyDirectory(impl_->root, impl_->dir);
      // Docids are chunk ids: they must not be renumbered.
      impl_->db.compact(copy.string(), Xapian::DBCOMPACT_NO_RENUMBER, kBlockSize);
      // The copy's write lock is taken before it goes live, so no other writer can take it
      // between the pointer switch and this writer moving over.
      compacted = Xapian::WritableDatabase(copy.string(), Xapian::DB_OPEN);
      compacted.set_metadata(kWrittenSinceCompactionKey, "0");
      compacted.commit();
    } catch (...) {
      abandon();
      throw;
    }
    // Xapian syncs the files it wrote, not the directory that holds them.
    Result<void> made_live = SyncDirectory(copy);
    if (made_live) made_live = lexical_layout::MakeLive(impl_->root, copy);
    if (!made_live) {
      abandon();
      return Fail(made_live.error());
    }
    // The copy is the index now; the old database is never written again.
    impl_->db.close();
    impl_->db = std::move(compacted);
    impl_->dir = copy;
    impl_->rebuild_committed = false;
    impl_->db.begin_transaction(/*flushed=*/true);
    return {};
  });
}

fs::path LexicalWriter::directory() const { return impl_->dir; }

int64_t LexicalWriter::size() const { return impl_->db.get_doccount(); }

}  // namespace wissen::store

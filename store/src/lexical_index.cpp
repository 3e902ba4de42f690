#include "wissen/store/lexical_index.h"

#include <xapian.h>

#include "wissen/core/log.h"

namespace wissen::store {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRolePrefix = "XA";      // boolean ACL terms: XAhr, XAeveryone
constexpr const char* kDocumentPrefix = "XD";  // boolean document terms, for removal
constexpr const char* kAppliedSeqKey = "wissen.applied_seq";

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

int64_t ReadAppliedSeq(const Xapian::Database& db) {
  const std::string value = db.get_metadata(kAppliedSeqKey);
  return value.empty() ? 0 : std::stoll(value);
}

Result<Xapian::docid> ToDocid(int64_t chunk_id) {
  if (chunk_id <= 0 || chunk_id > static_cast<int64_t>(UINT32_MAX)) {
    return Fail(ErrorCode::kInternal, "chunk id out of the lexical index's range");
  }
  return static_cast<Xapian::docid>(chunk_id);
}

}  // namespace

struct LexicalIndex::Impl {
  mutable std::mutex mutex;
  Xapian::Database db;
};

LexicalIndex::LexicalIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LexicalIndex::~LexicalIndex() = default;

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::unique_ptr<LexicalIndex>();
  return XapianGuard("open the lexical index", [&]() -> Result<std::unique_ptr<LexicalIndex>> {
    auto impl = std::make_unique<Impl>();
    impl->db = Xapian::Database(dir.string());
    return std::unique_ptr<LexicalIndex>(new LexicalIndex(std::move(impl)));
  });
}

Result<std::vector<ScoredId>> LexicalIndex::Search(const LexicalQuery& query) const {
  return XapianGuard("search the lexical index", [&]() -> Result<std::vector<ScoredId>> {
    std::vector<ScoredId> results;
    if (query.roles.empty() || query.k <= 0) return results;
    std::lock_guard lock(impl_->mutex);
    Xapian::QueryParser parser;
    parser.set_stemmer(StemmerFor(query.language));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_OR);
    parser.set_database(impl_->db);
    Xapian::Query text_query;
    try {
      text_query = parser.parse_query(
          query.text, Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE);
    } catch (const Xapian::QueryParserError&) {
      // User input that is not a valid query expression is searched as plain words.
      text_query = parser.parse_query(query.text, 0);
    }
    if (text_query.empty()) return results;
    std::vector<Xapian::Query> role_terms;
    for (const auto& role : query.roles.roles()) {
      role_terms.emplace_back(std::string(kRolePrefix) + role);
    }
    // The second ACL check: OP_FILTER restricts the match set before ranking.
    const Xapian::Query acl_filter(Xapian::Query::OP_OR, role_terms.begin(), role_terms.end());
    Xapian::Enquire enquire(impl_->db);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, text_query, acl_filter));
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(query.k));
        results.clear();
        for (auto it = mset.begin(); it != mset.end(); ++it) {
          results.push_back({static_cast<int64_t>(*it), static_cast<float>(it.get_weight())});
        }
        break;
      } catch (const Xapian::DatabaseModifiedError&) {
        impl_->db.reopen();  // a writer committed twice while we read: take the new revision
      }
    }
    return results;
  });
}

Result<void> LexicalIndex::Reopen() {
  return XapianGuard("reopen the lexical index", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    impl_->db.reopen();
    return {};
  });
}

int64_t LexicalIndex::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->db.get_doccount();
}

int64_t LexicalIndex::applied_seq() const {
  std::lock_guard lock(impl_->mutex);
  return ReadAppliedSeq(impl_->db);
}

struct LexicalWriter::Impl {
  Xapian::WritableDatabase db;
  Xapian::TermGenerator generator;
};

LexicalWriter::LexicalWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LexicalWriter::~LexicalWriter() = default;

Result<std::unique_ptr<LexicalWriter>> LexicalWriter::Open(const fs::path& dir) {
  return XapianGuard("open the lexical index for writing",
                     [&]() -> Result<std::unique_ptr<LexicalWriter>> {
                       std::error_code ec;
                       fs::create_directories(dir.parent_path(), ec);
                       auto impl = std::make_unique<Impl>();
                       impl->db = Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE_OR_OPEN);
                       impl->generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
                       return std::unique_ptr<LexicalWriter>(new LexicalWriter(std::move(impl)));
                     });
}

int64_t LexicalWriter::applied_seq() const { return ReadAppliedSeq(impl_->db); }

Result<void> LexicalWriter::RemoveDocuments(std::span<const int64_t> document_ids) {
  return XapianGuard("update the lexical index", [&]() -> Result<void> {
    for (int64_t id : document_ids) {
      impl_->db.delete_document(std::string(kDocumentPrefix) + std::to_string(id));
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
    doc.add_boolean_term(kDocumentPrefix + std::to_string(document.document_id));
    impl_->db.replace_document(*docid, doc);
    return {};
  });
}

Result<void> LexicalWriter::Clear() {
  return XapianGuard("clear the lexical index", [&]() -> Result<void> {
    for (auto it = impl_->db.postlist_begin(""); it != impl_->db.postlist_end(""); ++it) {
      impl_->db.delete_document(*it);
    }
    return {};
  });
}

Result<void> LexicalWriter::Commit(int64_t applied_seq) {
  return XapianGuard("commit the lexical index", [&]() -> Result<void> {
    impl_->db.set_metadata(kAppliedSeqKey, std::to_string(applied_seq));
    impl_->db.commit();
    return {};
  });
}

int64_t LexicalWriter::size() const { return impl_->db.get_doccount(); }

}  // namespace wissen::store

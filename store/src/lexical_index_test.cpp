#include "wissen/store/lexical_index.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace wissen::store {
namespace {
namespace fs = std::filesystem;

class LexicalIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wissen-lex-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::vector<LexicalDocument>& docs, int64_t seq = 1) {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer) << writer.error().message;
    for (const auto& doc : docs) ASSERT_TRUE((*writer)->Add(doc));
    ASSERT_TRUE((*writer)->Commit(seq));
  }

  std::vector<ScoredId> Search(const std::string& text, const RoleSet& roles, int k = 10,
                               const std::string& language = "en") {
    auto index = LexicalIndex::Open(dir_);
    EXPECT_TRUE(index && *index);
    auto hits = (*index)->Search({text, language, roles, k});
    EXPECT_TRUE(hits) << hits.error().message;
    return hits ? *hits : std::vector<ScoredId>{};
  }

  fs::path dir_;
};

TEST_F(LexicalIndexTest, RoleFilterIsAppliedInsideTheEngine) {
  std::vector<LexicalDocument> docs;
  // Many public chunks that match the query better than the single hr chunk.
  for (int i = 1; i <= 30; ++i) {
    docs.push_back(
        {i, 100, "Salary news", "", "salary salary salary bands update", "en", Acl({"everyone"})});
  }
  docs.push_back({31, 200, "Salary bands", "", "salary bands CANARY-HR", "en", Acl({"hr"})});
  Write(docs);
  for (const auto& hit : Search("salary bands CANARY-HR", RoleSet({"everyone"}), 50)) {
    EXPECT_NE(hit.id, 31) << "hr chunk returned to a user without hr";
  }
  // A user holding only the rare role still gets it, even though 30 public chunks rank
  // higher for everyone else: the filter acts before ranking.
  const auto rare = Search("salary", RoleSet({"hr"}), 5);
  ASSERT_EQ(rare.size(), 1u);
  EXPECT_EQ(rare.front().id, 31);
}

// Chunks under every shape of ACL, and readers of every shape: exactly the readable chunks
// come back, whether the index excludes unreadable ACL sets (its normal form) or, with an ACL
// too long for an ACL-set term, filters by role.
class AclFormsTest : public LexicalIndexTest {
 protected:
  void CheckEveryReader(const std::vector<LexicalDocument>& docs) {
    Write(docs);
    const std::vector<RoleSet> readers = {RoleSet({"everyone"}),
                                          RoleSet({"everyone", "hr"}),
                                          RoleSet({"everyone", "rnd"}),
                                          RoleSet({"hr"}),
                                          RoleSet({"everyone", "hr", "rnd", "ops"}),
                                          RoleSet({"nobody-else"})};
    for (const auto& reader : readers) {
      std::set<int64_t> expected;
      for (const auto& doc : docs) {
        if (reader.Intersects(doc.acl)) expected.insert(doc.chunk_id);
      }
      std::set<int64_t> found;
      for (const auto& hit : Search("handbook", reader, 100)) found.insert(hit.id);
      EXPECT_EQ(found, expected) << "reader " << reader.Key();
    }
  }
  static std::vector<LexicalDocument> Docs() {
    std::vector<LexicalDocument> docs;
    const std::vector<Acl> acls = {Acl({"everyone"}),  Acl({"hr"}),        Acl({"rnd"}),
                                   Acl({"hr", "rnd"}), Acl({"ops", "hr"}), Acl()};
    for (int64_t i = 0; i < 24; ++i) {
      docs.push_back({i + 1, i / 4 + 1, "Handbook", "", "the handbook of part " + std::to_string(i),
                      "en", acls[static_cast<size_t>(i) % acls.size()]});
    }
    return docs;
  }
};

TEST_F(AclFormsTest, UnreadableAclSetsAreExcludedExactly) { CheckEveryReader(Docs()); }

TEST_F(AclFormsTest, AnAclTooLongForATermFallsBackToTheRoleFilter) {
  auto docs = Docs();
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back("department-with-a-long-name-" + std::to_string(i));
  ASSERT_GT(Acl(many).Key().size(), 245u);
  docs.push_back({100, 50, "Handbook", "", "the handbook of many departments", "en", Acl(many)});
  many.push_back("hr");
  docs.push_back({101, 51, "Handbook", "", "the handbook of many more", "en", Acl(many)});
  CheckEveryReader(docs);
}

TEST_F(LexicalIndexTest, IndexOfTheOlderLayoutAsksForARebuild) {
  {
    auto fresh = LexicalWriter::Open(dir_);
    ASSERT_TRUE(fresh);
    EXPECT_FALSE((*fresh)->NeedsRebuild()) << "an empty index is current";
  }
  Write({{1, 1, "Handbook", "", "the handbook", "en", Acl({"everyone"})}});
  {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    EXPECT_FALSE((*writer)->NeedsRebuild());
  }
  {
    // What an index written before the layout key existed looks like.
    Xapian::WritableDatabase db(dir_.string(), Xapian::DB_OPEN);
    db.set_metadata("wissen.format", "");
    db.commit();
  }
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  EXPECT_TRUE((*writer)->NeedsRebuild());
  (*writer)->StartFullRebuild();
  ASSERT_TRUE((*writer)->Add({1, 1, "Handbook", "", "the handbook", "en", Acl({"everyone"})}));
  ASSERT_TRUE((*writer)->Commit(2));
  EXPECT_FALSE((*writer)->NeedsRebuild());
}

TEST_F(LexicalIndexTest, ReadersSeeAFullRebuildOnlyOnceItIsCommitted) {
  // Well past the 10,000 changed documents at which Xapian would commit on its own.
  constexpr int64_t kChunks = 12000;
  auto chunk = [](int64_t id, const std::string& word) {
    return LexicalDocument{id, id, "Handbook", "", "the handbook " + word, "en", Acl({"everyone"})};
  };
  std::vector<LexicalDocument> first;
  for (int64_t id = 1; id <= kChunks; ++id) first.push_back(chunk(id, "old"));
  Write(first);
  auto reader = LexicalIndex::Open(dir_);
  ASSERT_TRUE(reader && *reader);

  {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    (*writer)->StartFullRebuild();
    for (int64_t id = 2; id <= kChunks + 1; ++id) ASSERT_TRUE((*writer)->Add(chunk(id, "new")));
    // Neither the open reader nor one opened now sees any of it.
    ASSERT_TRUE((*reader)->Reopen());
    EXPECT_EQ((*reader)->size(), kChunks);
    EXPECT_EQ(Search("new", RoleSet({"everyone"}), 5).size(), 0u);
    EXPECT_EQ(Search("old", RoleSet({"everyone"}), 5).size(), 5u);
  }  // destroyed without Commit: nothing of the rebuild is kept
  ASSERT_TRUE((*reader)->Reopen());
  EXPECT_EQ((*reader)->size(), kChunks);
  EXPECT_EQ(Search("new", RoleSet({"everyone"}), 5).size(), 0u);

  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  (*writer)->StartFullRebuild();
  for (int64_t id = 2; id <= kChunks + 1; ++id) ASSERT_TRUE((*writer)->Add(chunk(id, "new")));
  ASSERT_TRUE((*writer)->Commit(7));
  ASSERT_TRUE((*reader)->Reopen());
  EXPECT_EQ((*reader)->size(), kChunks) << "chunk 1 was not added again and is gone";
  EXPECT_EQ(Search("old", RoleSet({"everyone"}), 5).size(), 0u);
  const auto found = Search("new", RoleSet({"everyone"}), kChunks + 10);
  ASSERT_EQ(found.size(), size_t(kChunks));
  for (const auto& hit : found) EXPECT_NE(hit.id, 1);
  EXPECT_EQ((*writer)->applied_seq(), 7);
}

TEST_F(LexicalIndexTest, GermanStemmingMatchesInflections) {
  Write({{1, 1, "Reisekosten", "", "Die Reisekosten werden innerhalb von 30 Tagen abgerechnet.",
          "de", Acl({"everyone"})},
         {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  const auto hits = Search("Wann rechne ich Reisekosten ab", RoleSet({"everyone"}), 5, "de");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, 1);
}

TEST_F(LexicalIndexTest, WordFrequencyCountsChunksOfAnyFormAndAnyAcl) {
  Write({{1, 1, "Urlaub", "", "Die Anträge werden monatlich geprüft.", "de", Acl({"everyone"})},
         {2, 2, "Gehalt", "", "Ein Antrag auf Gehaltsbänder.", "de", Acl({"hr"})},
         {3, 3, "Kantine", "", "Essen zum Mitnehmen.", "de", Acl({"everyone"})}});
  auto index = LexicalIndex::Open(dir_);
  ASSERT_TRUE(index && *index);
  // "antrag" meets "Anträge" and "Antrag" through the German stem, in both ACLs.
  EXPECT_EQ((*index)->WordFrequency("antrag"), 2);
  EXPECT_EQ((*index)->WordFrequency("gehaltsbänder"), 1);
  EXPECT_EQ((*index)->WordFrequency("mitnehmen"), 1);
  EXPECT_EQ((*index)->WordFrequency("resturlaub"), 0);
}

TEST(IndexStemmerTest, StemsAsTheIndexDoesInBothLanguages) {
  IndexStemmer stemmer;
  EXPECT_EQ(stemmer.Stem("anträge", "de"), stemmer.Stem("antrag", "de"));
  EXPECT_EQ(stemmer.Stem("policies", "en"), stemmer.Stem("policy", "en"));
  EXPECT_NE(stemmer.Stem("anträge", "de"), stemmer.Stem("antwort", "de"));
  EXPECT_EQ(stemmer.Stem("", "de"), "");
}

TEST_F(LexicalIndexTest, CapitalisedGermanNounFindsItsInflections) {
  // The parser leaves capitalised words unstemmed (a rule for English names); every German
  // noun is capitalised, and "Antrag" must still find "Anträge".
  Write({{1, 1, "Formulare", "", "Die Anträge werden monatlich geprüft.", "de", Acl({"everyone"})},
         {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  const auto hits = Search("Antrag", RoleSet({"everyone"}), 5, "de");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits.front().id, 1);
}

TEST_F(LexicalIndexTest, QueryOfAWronglyGuessedLanguageStillFindsInflections) {
  // A German chunk stemmed as German; the question stemmed as English (a short question's
  // language is often guessed wrong). "prüfe" and "prüfen" share only their German stem.
  Write(
      {{1, 1, "Formulare", "", "Formulare bitte vor dem Absenden prüfen.", "de", Acl({"everyone"})},
       {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  const auto hits = Search("prüfe", RoleSet({"everyone"}), 5, "en");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits.front().id, 1);
}

TEST_F(LexicalIndexTest, GermanQueryWordFindsCompoundsItBegins) {
  Write(
      {{1, 1, "Formulare", "", "Den Urlaubsantrag stellen Sie im Portal.", "de", Acl({"everyone"})},
       {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  const auto hits = Search("Urlaub", RoleSet({"everyone"}), 5, "de");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits.front().id, 1);
  // Only German queries are expanded: English has no such compounds.
  EXPECT_TRUE(Search("Urlaub", RoleSet({"everyone"}), 5, "en").empty());
}

TEST_F(LexicalIndexTest, GermanCompoundQueryFindsItsParts) {
  Write({{1, 1, "Werkstatt", "", "Die Sicherung sitzt unter der Platte.", "de", Acl({"everyone"})},
         {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  const auto hits = Search("Sicherungsplatte", RoleSet({"everyone"}), 5, "de");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits.front().id, 1);
}

TEST_F(LexicalIndexTest, CommonCompoundIsNotSplitIntoItsParts) {
  // A chunk that only names the parts, and `compound_chunks` chunks that use the compound.
  auto parts_only_found = [&](int compound_chunks) {
    fs::remove_all(dir_);
    std::vector<LexicalDocument> docs = {{500, 500, "Werkstatt", "",
                                          "Die Sicherung sitzt unter der Platte.", "de",
                                          Acl({"everyone"})}};
    for (int i = 1; i <= compound_chunks; ++i) {
      docs.push_back(
          {i, i, "Lager", "", "Die Sicherungsplatte liegt im Regal.", "de", Acl({"everyone"})});
    }
    Write(docs);
    bool found = false;
    for (const auto& hit : Search("Sicherungsplatte", RoleSet({"everyone"}), 500, "de")) {
      found |= hit.id == 500;
    }
    return found;
  };
  EXPECT_TRUE(parts_only_found(99));
  EXPECT_FALSE(parts_only_found(100));
}

TEST_F(LexicalIndexTest, CompoundExpansionRespectsTheRoleFilter) {
  Write({{1, 1, "Formulare", "", "Urlaubsantrag HR-intern", "de", Acl({"hr"})},
         {2, 2, "Kantine", "", "Die Kantine öffnet um 11 Uhr.", "de", Acl({"everyone"})}});
  EXPECT_TRUE(Search("Urlaub", RoleSet({"everyone"}), 5, "de").empty());
  EXPECT_EQ(Search("Urlaub", RoleSet({"hr"}), 5, "de").size(), 1u);
}

TEST_F(LexicalIndexTest, RemovingADocumentRemovesAllItsChunks) {
  Write({{1, 7, "A", "", "alpha beta", "en", Acl({"everyone"})},
         {2, 7, "A", "", "alpha gamma", "en", Acl({"everyone"})},
         {3, 8, "B", "", "alpha delta", "en", Acl({"everyone"})}});
  {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    const std::vector<int64_t> gone = {7};
    ASSERT_TRUE((*writer)->RemoveDocuments(gone));
    ASSERT_TRUE((*writer)->Commit(2));
    EXPECT_EQ((*writer)->applied_seq(), 2);
  }
  const auto hits = Search("alpha", RoleSet({"everyone"}));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits.front().id, 3);
}

// "the" and "of" are in a third of the chunks; "budget" is in 5 of 200. Short chunks full of the
// two common words outrank the long budget chunks under a plain OR; with common_word_share they
// only weigh, so exactly the budget chunks come back, each with the score it had before.
class CommonWordsTest : public LexicalIndexTest {
 protected:
  void SetUp() override {
    LexicalIndexTest::SetUp();
    std::vector<LexicalDocument> docs;
    for (int i = 1; i <= 200; ++i) {
      std::string text = i % 10 < 3 ? "the of the of the of" : "alpha beta gamma delta";
      if (i % 40 == 0) {
        text = "the budget of the year";
        for (int w = 0; w < 200; ++w) text += " filler" + std::to_string(w);
      }
      docs.push_back({i, i, "T", "", text, "en", Acl({"everyone"})});
    }
    Write(docs);
  }

  std::vector<ScoredId> SearchWithShare(int k, double share) {
    auto index = LexicalIndex::Open(dir_);
    EXPECT_TRUE(index && *index);
    LexicalQuery query{"the of budget", "en", RoleSet({"everyone"}), k};
    query.options.common_word_share = share;
    auto hits = (*index)->Search(query);
    EXPECT_TRUE(hits) << hits.error().message;
    return hits ? *hits : std::vector<ScoredId>{};
  }
};

TEST_F(CommonWordsTest, CommonWordsOnlyWeighAndScoresStayTheSame) {
  const std::set<int64_t> budget = {40, 80, 120, 160, 200};
  const auto every_word = SearchWithShare(5, 0);
  ASSERT_EQ(every_word.size(), 5u);
  int common_only = 0;
  for (const auto& hit : every_word) common_only += budget.count(hit.id) == 0 ? 1 : 0;
  ASSERT_GT(common_only, 0) << "the test needs common-only chunks in the plain top 5";

  std::map<int64_t, double> plain_score;
  for (const auto& hit : SearchWithShare(200, 0)) plain_score[hit.id] = hit.score;
  const auto narrowed = SearchWithShare(5, 0.05);
  ASSERT_EQ(narrowed.size(), 5u);
  for (const auto& hit : narrowed) {
    EXPECT_EQ(budget.count(hit.id), 1u) << "chunk " << hit.id << " has only common words";
    EXPECT_NEAR(hit.score, plain_score[hit.id], 1e-4) << "chunk " << hit.id;
  }
}

TEST_F(LexicalIndexTest, ChunksFoundByAnExpansionKeepTheirCommonWordsWeight) {
  // "the" is common; "budget" finds three chunks and the synonym "zeta" three more, which
  // also contain "the". Each of the six keeps the score the plain OR gives it.
  std::vector<LexicalDocument> docs;
  int64_t id = 0;
  for (int i = 0; i < 100; ++i) docs.push_back({++id, id, "T", "", "the of the of", "en", {}});
  for (int i = 0; i < 100; ++i) docs.push_back({++id, id, "T", "", "alpha beta", "en", {}});
  for (int i = 0; i < 3; ++i) docs.push_back({++id, id, "T", "", "the budget report", "en", {}});
  for (int i = 0; i < 3; ++i) docs.push_back({++id, id, "T", "", "the zeta summary", "en", {}});
  for (auto& doc : docs) doc.acl = Acl({"everyone"});
  Write(docs);
  auto index = LexicalIndex::Open(dir_);
  ASSERT_TRUE(index && *index);
  auto search = [&](double share, int k) {
    LexicalQuery query{"the budget", "en", RoleSet({"everyone"}), k};
    query.expansions = {"zeta"};
    query.options.common_word_share = share;
    auto hits = (*index)->Search(query);
    EXPECT_TRUE(hits) << hits.error().message;
    return hits ? *hits : std::vector<ScoredId>{};
  };
  std::map<int64_t, double> plain_score;
  for (const auto& hit : search(0, 300)) plain_score[hit.id] = hit.score;
  const auto narrowed = search(0.05, 6);
  ASSERT_EQ(narrowed.size(), 6u);
  for (const auto& hit : narrowed) {
    EXPECT_GT(hit.id, 200) << "chunk " << hit.id << " has only common or unrelated words";
    EXPECT_NEAR(hit.score, plain_score[hit.id], 1e-4) << "chunk " << hit.id;
  }
}

TEST_F(LexicalIndexTest, CommonWordsOnlyWeighingKeepsTheRoleFilter) {
  // Every reader, with the narrowed query (k 2) and with its fallback to the plain OR (k 50):
  // only readable chunks.
  std::vector<LexicalDocument> docs;
  int64_t id = 0;
  for (int i = 0; i < 40; ++i) {
    docs.push_back({++id, id, "T", "", "the of the", "en", Acl({"everyone"})});
  }
  for (const char* role : {"everyone", "hr", "rnd"}) {
    for (int i = 0; i < 3; ++i) {
      docs.push_back({++id, id, "T", "", "the salary bands", "en", Acl({role})});
    }
  }
  Write(docs);
  for (const auto& reader :
       {RoleSet({"everyone"}), RoleSet({"hr"}), RoleSet({"rnd"}), RoleSet({"everyone", "hr"})}) {
    for (const int k : {2, 50}) {
      auto index = LexicalIndex::Open(dir_);
      ASSERT_TRUE(index && *index);
      LexicalQuery query{"the salary", "en", reader, k};
      query.options.common_word_share = 0.05;
      auto hits = (*index)->Search(query);
      ASSERT_TRUE(hits) << hits.error().message;
      EXPECT_FALSE(hits->empty());
      for (const auto& hit : *hits) {
        const auto& doc = docs[static_cast<size_t>(hit.id - 1)];
        EXPECT_TRUE(reader.Intersects(doc.acl)) << "chunk " << hit.id << " returned, k " << k;
      }
    }
  }
}

TEST_F(CommonWordsTest, TooFewRareMatchesFallBackToEveryWord) {
  // 5 chunks hold the rare word; asked for 10, the reader still gets a full top 10, the same
  // as without the rule.
  const auto narrowed = SearchWithShare(10, 0.05);
  const auto every_word = SearchWithShare(10, 0);
  ASSERT_EQ(narrowed.size(), 10u);
  for (size_t i = 0; i < narrowed.size(); ++i) EXPECT_EQ(narrowed[i].id, every_word[i].id);
}

TEST_F(CommonWordsTest, AShareAboveEveryWordChangesNothing) {
  // Under a share of 100 % no word is common: the plain top 5.
  const auto every_word = SearchWithShare(5, 0);
  const auto unchanged = SearchWithShare(5, 0.99);
  ASSERT_EQ(unchanged.size(), every_word.size());
  for (size_t i = 0; i < unchanged.size(); ++i) EXPECT_EQ(unchanged[i].id, every_word[i].id);
}

TEST_F(LexicalIndexTest, HostileQuerySyntaxDoesNotFail) {
  Write({{1, 1, "T", "", "plain words here", "en", Acl({"everyone"})}});
  for (const char* query : {"\"unbalanced", "AND OR NOT", "((", "-", "+words -", "*", ""}) {
    auto index = LexicalIndex::Open(dir_);
    ASSERT_TRUE(index && *index);
    EXPECT_TRUE((*index)->Search({query, "en", RoleSet({"everyone"}), 5})) << query;
  }
}

// Compaction: a compact copy beside the root becomes live atomically (lexical_layout.h).
class CompactionTest : public LexicalIndexTest {
 protected:
  static std::vector<LexicalDocument> Docs() {
    // Chunk ids with gaps: compaction must not renumber them.
    return {
        {5, 1, "Travel", "Costs", "submit travel expenses within a month", "en", Acl({"everyone"})},
        {17, 1, "Travel", "Costs", "travel by train is preferred", "en", Acl({"everyone"})},
        {300, 2, "Salary", "Bands", "salary bands travel allowance", "en", Acl({"hr"})},
        {4000, 3, "Leave", "", "annual leave and travel days", "en", Acl({"everyone", "rnd"})},
    };
  }
  std::vector<ScoredId> SearchAll(const std::string& text) {
    return Search(text, RoleSet({"everyone", "hr", "rnd"}), 10);
  }
  fs::path Pointer() const { return fs::path(dir_.string() + ".current"); }
  fs::path Copy(int number) const {
    char name[16];
    std::snprintf(name, sizeof name, ".%06d", number);
    return fs::path(dir_.string() + name);
  }
  void TearDown() override {
    for (int number = 1; number <= 5; ++number) fs::remove_all(Copy(number));
    fs::remove(Pointer());
    LexicalIndexTest::TearDown();
  }
  // Compacts through a writer that is closed again, as one crawl does.
  void CompactOnce() {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->Compact());
  }
  // Makes the pointer look as if it was written `age` ago.
  void AgePointer(std::chrono::hours age) {
    fs::last_write_time(Pointer(), fs::file_time_type::clock::now() - age);
  }
};

TEST_F(CompactionTest, TheCompactCopyBecomesLiveWithTheSameChunksAndScores) {
  Write(Docs());
  const auto before = SearchAll("travel");
  ASSERT_EQ(before.size(), 4u);

  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  EXPECT_TRUE((*writer)->NeedsCompaction()) << "never compacted";
  ASSERT_TRUE((*writer)->Compact());
  EXPECT_EQ((*writer)->directory(), Copy(1));
  EXPECT_FALSE((*writer)->NeedsCompaction());
  EXPECT_EQ((*writer)->applied_seq(), 1);

  auto reader = LexicalIndex::Open(dir_);
  ASSERT_TRUE(reader && *reader);
  EXPECT_EQ((*reader)->directory(), Copy(1));
  const auto after = SearchAll("travel");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_NEAR(after[i].score, before[i].score, 1e-9);
  }
  // The role filter works on the copy as on the original.
  for (const auto& hit : Search("salary travel", RoleSet({"everyone"}))) EXPECT_NE(hit.id, 300);
}

TEST_F(CompactionTest, AReaderOfTheOldDirectoryKeepsWorkingOnNewThreads) {
  Write(Docs());
  auto old_reader = LexicalIndex::Open(dir_);
  ASSERT_TRUE(old_reader && *old_reader);
  {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->Compact());
    ASSERT_TRUE((*writer)->Add({6000, 9, "New", "", "travel news", "en", Acl({"everyone"})}));
    ASSERT_TRUE((*writer)->Commit(2));
  }
  // Per-thread handles open lazily from the old reader's directory, which is still there.
  size_t old_hits = 0;
  std::thread([&] {
    auto hits = (*old_reader)->Search({"travel", "en", RoleSet({"everyone"}), 10});
    ASSERT_TRUE(hits) << hits.error().message;
    old_hits = hits->size();
  }).join();
  EXPECT_EQ(old_hits, 3u) << "the old directory, unchanged by writes to the copy";
  EXPECT_EQ(SearchAll("travel").size(), 5u) << "a new reader sees the copy and the write";
}

TEST_F(CompactionTest, WritesAfterACompactionAskForTheNextOneAtOnePercentOfTheIndex) {
  std::vector<LexicalDocument> many;
  for (int64_t id = 1; id <= 300; ++id) {
    many.push_back({id, id, "Doc", "", "word" + std::to_string(id), "en", Acl({"everyone"})});
  }
  Write(many);
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Compact());
  for (int64_t id = 1; id <= 2; ++id) ASSERT_TRUE((*writer)->Add(many[id - 1]));
  ASSERT_TRUE((*writer)->Commit(2));
  EXPECT_FALSE((*writer)->NeedsCompaction()) << "2 of 300 chunks rewritten";
  const int64_t removed_document = 10;
  ASSERT_TRUE((*writer)->RemoveDocuments(std::span(&removed_document, 1)));
  ASSERT_TRUE((*writer)->Commit(3));
  EXPECT_TRUE((*writer)->NeedsCompaction()) << "3 of 299 chunks added or removed";

  ASSERT_TRUE((*writer)->Compact());
  EXPECT_EQ((*writer)->directory(), Copy(2));
  EXPECT_FALSE((*writer)->NeedsCompaction());
  EXPECT_EQ((*writer)->size(), 299);

  (*writer)->StartFullRebuild();
  for (const auto& doc : many) ASSERT_TRUE((*writer)->Add(doc));
  ASSERT_TRUE((*writer)->Commit(4));
  EXPECT_TRUE((*writer)->NeedsCompaction()) << "a full rebuild rewrites every block";
}

TEST_F(CompactionTest, CopiesNoLongerLiveAreRemovedOnlyAfterTheGrace) {
  Write(Docs());
  for (int round = 0; round < 2; ++round) CompactOnce();
  EXPECT_TRUE(fs::exists(dir_));
  EXPECT_TRUE(fs::exists(Copy(1)));
  EXPECT_TRUE(fs::exists(Copy(2)));
  {
    auto writer = LexicalWriter::Open(dir_);  // within the grace: nothing removed
    ASSERT_TRUE(writer);
  }
  EXPECT_TRUE(fs::exists(dir_));
  EXPECT_TRUE(fs::exists(Copy(1)));

  AgePointer(std::chrono::hours(3));
  {
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_TRUE(writer);
    EXPECT_EQ((*writer)->directory(), Copy(2));
  }
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_FALSE(fs::exists(Copy(1)));
  EXPECT_TRUE(fs::exists(Copy(2)));
  EXPECT_EQ(SearchAll("travel").size(), 4u);
}

TEST_F(CompactionTest, ACopyAReaderStillUsesIsKeptPastTheGrace) {
  Write(Docs());
  auto old_reader = LexicalIndex::Open(dir_);  // like a server that could not load the next
  ASSERT_TRUE(old_reader && *old_reader);
  CompactOnce();
  AgePointer(std::chrono::hours(3));
  ASSERT_TRUE(LexicalWriter::Open(dir_));
  EXPECT_TRUE(fs::exists(dir_)) << "removed under a reader";
  std::thread([&] {
    auto hits = (*old_reader)->Search({"travel", "en", RoleSet({"everyone"}), 10});
    ASSERT_TRUE(hits) << hits.error().message;
    EXPECT_EQ(hits->size(), 3u);
  }).join();

  old_reader->reset();
  ASSERT_TRUE(LexicalWriter::Open(dir_));
  EXPECT_FALSE(fs::exists(dir_)) << "no reader left";
  EXPECT_EQ(SearchAll("travel").size(), 4u);
}

TEST_F(CompactionTest, AFailedSwitchLeavesTheIndexAsCommittedAndTheWriterUsable) {
  Write(Docs());
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  // The pointer's temporary file cannot be written where a directory is in the way.
  const fs::path blocker = Pointer().string() + ".tmp";
  fs::create_directories(blocker / "x");
  EXPECT_FALSE((*writer)->Compact());
  EXPECT_FALSE(fs::exists(Pointer()));
  EXPECT_FALSE(fs::exists(Copy(1))) << "the copy was never live and is gone";
  EXPECT_EQ((*writer)->directory(), dir_);
  ASSERT_TRUE((*writer)->Add({7000, 9, "New", "", "travel news", "en", Acl({"everyone"})}));
  ASSERT_TRUE((*writer)->Commit(2));
  EXPECT_EQ(SearchAll("travel").size(), 5u);

  fs::remove_all(blocker);
  ASSERT_TRUE((*writer)->Compact());
  EXPECT_EQ((*writer)->directory(), Copy(1));
  EXPECT_EQ((*writer)->applied_seq(), 2);
  EXPECT_EQ(SearchAll("travel").size(), 5u);
}

TEST_F(CompactionTest, ACopyLeftByACrashedCompactionIsReplaced) {
  Write(Docs());
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Compact());
  fs::create_directories(Copy(2));
  std::ofstream(Copy(2) / "postlist.glass") << "half written";
  ASSERT_TRUE((*writer)->Compact());
  EXPECT_EQ((*writer)->directory(), Copy(2));
  EXPECT_EQ(SearchAll("travel").size(), 4u);
}

TEST_F(CompactionTest, CopyNumbersGoOnPastSixDigits) {
  Write(Docs());
  CompactOnce();
  const fs::path last_six = dir_.string() + ".999999";
  fs::rename(Copy(1), last_six);
  { std::ofstream(Pointer()) << last_six.filename().string() << "\n"; }
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->Compact());
  EXPECT_EQ((*writer)->directory(), fs::path(dir_.string() + ".1000000"));
  EXPECT_EQ(SearchAll("travel").size(), 4u);
  fs::remove_all(last_six);
  fs::remove_all(dir_.string() + ".1000000");
}

TEST_F(CompactionTest, ADamagedPointerIsAClearErrorNotAnEmptyIndex) {
  Write(Docs());
  CompactOnce();
  // A name that is no copy's, and a copy's name whose directory does not exist.
  const std::string missing = dir_.filename().string() + ".000009";
  for (const std::string& content : {std::string("../../etc"), missing}) {
    { std::ofstream(Pointer()) << content; }
    auto reader = LexicalIndex::Open(dir_);
    ASSERT_FALSE(reader) << content;
    EXPECT_NE(reader.error().message.find(Pointer().string()), std::string::npos);
    auto writer = LexicalWriter::Open(dir_);
    ASSERT_FALSE(writer) << content;
  }
}

TEST_F(CompactionTest, AnIndexWithoutChunksIsNotCompacted) {
  auto writer = LexicalWriter::Open(dir_);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Commit(1));
  EXPECT_FALSE((*writer)->NeedsCompaction());
}

TEST_F(LexicalIndexTest, MissingIndexIsNotAnError) {
  auto index = LexicalIndex::Open(dir_);
  ASSERT_TRUE(index);
  EXPECT_EQ(*index, nullptr);
}

}  // namespace
}  // namespace wissen::store

#include "wissen/retriever/thesaurus.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace wissen::retriever {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

const fs::path kFixtures = fs::path(WISSEN_SOURCE_DIR) / "tests/fixtures/thesaurus";

ThesaurusOptions FixtureOptions() {
  ThesaurusOptions options;
  options.wordnet_dir = kFixtures / "wordnet";
  options.openthesaurus_file = kFixtures / "openthesaurus.txt";
  return options;
}

std::unique_ptr<Thesaurus> LoadOrDie(const ThesaurusOptions& options) {
  auto thesaurus = Thesaurus::Load(options);
  EXPECT_TRUE(thesaurus.has_value()) << thesaurus.error().ToString();
  return thesaurus ? std::move(*thesaurus) : nullptr;
}

class FixtureThesaurus : public ::testing::Test {
 protected:
  FixtureThesaurus() : thesaurus_(LoadOrDie(FixtureOptions())) {}
  std::vector<std::string> Expand(std::string_view query, std::string_view language,
                                  int max_terms = 10) {
    return thesaurus_->Expand(query, language, max_terms);
  }
  std::unique_ptr<Thesaurus> thesaurus_;
};

TEST_F(FixtureThesaurus, LoadsSingleWordsOfBothLanguages) {
  EXPECT_GT(thesaurus_->WordCount("en"), 10u);
  EXPECT_GT(thesaurus_->WordCount("de"), 10u);
}

TEST_F(FixtureThesaurus, EnglishSynonymsOfTheFirstSensesBestFirst) {
  // Noun and verb first senses (cost 0) before the second noun sense; the multi-word
  // "written_copy" is skipped.
  EXPECT_THAT(Expand("How do I copy it?", "en"),
              ElementsAre("transcript", "duplicate", "reproduction"));
}

TEST_F(FixtureThesaurus, SynonymWhoseOwnSenseIsRareIsNotOffered) {
  // The shared synset is only "parole"'s third sense.
  EXPECT_THAT(Expand("forgotten password", "en"), ElementsAre("watchword", "countersign"));
}

TEST_F(FixtureThesaurus, WordsNeverSeenInTheSharedSenseAreNotOffered) {
  // "rubout" has no SemCor count; "remove" shares only its second sense.
  EXPECT_THAT(Expand("delete", "en"), ElementsAre("erase", "expunge", "remove"));
}

TEST_F(FixtureThesaurus, EnglishInflectionsFindTheBaseForm) {
  EXPECT_THAT(Expand("deleted", "en"), ElementsAre("erase", "expunge", "remove"));
  EXPECT_THAT(Expand("copies", "en"), ElementsAre("transcript", "duplicate", "reproduction"));
  EXPECT_THAT(Expand("mice", "en"), ElementsAre("rodent"));  // noun.exc
}

TEST_F(FixtureThesaurus, GenericWordsAreNotOffered) {
  EXPECT_THAT(Expand("remove", "en"), Contains("take"));
  ThesaurusOptions options = FixtureOptions();
  options.max_synonym_degree = 4;  // "take" has five senses
  EXPECT_THAT(LoadOrDie(options)->Expand("remove", "en", 10), Not(Contains("take")));
}

TEST_F(FixtureThesaurus, NeverReturnsAWordOfTheQuery) {
  const std::vector<std::string> expansions = Expand("Kennwort oder Passwort", "de");
  EXPECT_THAT(expansions, Not(Contains("kennwort")));
  EXPECT_THAT(expansions, Not(Contains("passwort")));
  EXPECT_THAT(expansions, Contains("losungswort"));
  EXPECT_THAT(Expand("copy or duplicate", "en"), Not(Contains("duplicate")));
}

TEST_F(FixtureThesaurus, LimitsPerWordAndInTotalTakingTurnsAcrossWords) {
  EXPECT_THAT(Expand("copy the password", "en", 2), ElementsAre("transcript", "watchword"));
  ThesaurusOptions options = FixtureOptions();
  options.max_per_word = 1;
  EXPECT_THAT(LoadOrDie(options)->Expand("copy the password", "en", 10),
              ElementsAre("transcript", "watchword"));
  EXPECT_THAT(Expand("copy", "en", 0), IsEmpty());
}

TEST_F(FixtureThesaurus, SkipsShortWordsStopwordsAndNumbers) {
  EXPECT_THAT(Expand("what about them? 1234 copy2", "en"), IsEmpty());
}

TEST_F(FixtureThesaurus, GermanPrefersMainFormsAndLowerCases) {
  // "Parole" is archaic and "geheimes Wort" two words: neither is offered.
  EXPECT_THAT(Expand("Wie ändere ich mein Kennwort?", "de"),
              ElementsAre("passwort", "deskriptor", "losungswort"));
  // An archaic word still finds the current ones.
  EXPECT_THAT(Expand("Parole", "de"), ElementsAre("passwort", "kennwort", "losungswort"));
}

TEST_F(FixtureThesaurus, GermanColloquialEntriesAreNotOfferedByDefault) {
  EXPECT_THAT(Expand("Überstunden", "de"), ElementsAre("mehrarbeit"));
  EXPECT_THAT(Expand("Dateien", "de"), IsEmpty());
  ThesaurusOptions options = FixtureOptions();
  options.german_max_rank = 2;
  EXPECT_THAT(LoadOrDie(options)->Expand("Dateien", "de", 10), ElementsAre("akte"));
}

TEST_F(FixtureThesaurus, GermanInflectionEndingsAndParenthesesAreStripped) {
  EXPECT_THAT(Expand("Kennworts", "de"), ElementsAre("passwort", "deskriptor", "losungswort"));
  EXPECT_THAT(Expand("löschen", "de"), ElementsAre("entfernen", "tilgen"));
}

TEST_F(FixtureThesaurus, AmbiguousGermanWordsAreNotExpanded) {
  EXPECT_THAT(Expand("erstellen", "de"), IsEmpty());  // four synsets
  ThesaurusOptions options = FixtureOptions();
  options.max_german_senses = 4;
  EXPECT_THAT(LoadOrDie(options)->Expand("erstellen", "de", 10), Not(IsEmpty()));
}

TEST_F(FixtureThesaurus, LanguageSelectsTheThesaurus) {
  EXPECT_THAT(Expand("Kennwort", "en"), IsEmpty());
  EXPECT_THAT(Expand("password", "de"), IsEmpty());
  EXPECT_THAT(Expand("password", ""), ElementsAre("watchword", "countersign"));
}

TEST_F(FixtureThesaurus, DocumentFrequencyDropsUnusedWordsAndRanksTies) {
  const std::map<std::string, int64_t, std::less<>> documents = {
      {"passwort", 40}, {"zugangscode", 7}, {"losungswort", 1}};
  const DocumentFrequency frequency = [&](std::string_view word) -> int64_t {
    const auto it = documents.find(word);
    return it == documents.end() ? 0 : it->second;
  };
  EXPECT_THAT(thesaurus_->Expand("Kennwort", "de", 10, frequency),
              ElementsAre("passwort", "zugangscode", "losungswort"));
}

TEST_F(FixtureThesaurus, WordsTheDocumentsUseLeastAreExpandedFirst) {
  // "copy" comes first in the question, but no document uses "password": its synonyms are
  // the only way to match it, so they come before copy's.
  const std::map<std::string, int64_t, std::less<>> documents = {
      {"copy", 500},    {"password", 0},  {"transcript", 3},
      {"duplicate", 3}, {"watchword", 2}, {"countersign", 1}};
  const DocumentFrequency frequency = [&](std::string_view word) -> int64_t {
    const auto it = documents.find(word);
    return it == documents.end() ? 0 : it->second;
  };
  EXPECT_THAT(thesaurus_->Expand("copy the password", "en", 2, frequency),
              ElementsAre("watchword", "transcript"));
  // Without frequencies the question's order stands.
  EXPECT_THAT(thesaurus_->Expand("copy the password", "en", 2),
              ElementsAre("transcript", "watchword"));
}

TEST(ThesaurusLoad, MissingFilesGiveAnEmptyThesaurus) {
  ThesaurusOptions options;
  options.wordnet_dir = kFixtures / "no-such-dir";
  options.openthesaurus_file = kFixtures / "no-such-file.txt";
  const auto thesaurus = LoadOrDie(options);
  EXPECT_EQ(thesaurus->WordCount("en"), 0u);
  EXPECT_EQ(thesaurus->WordCount("de"), 0u);
  EXPECT_THAT(thesaurus->Expand("copy the password", "en", 10), IsEmpty());
}

TEST(ThesaurusLoad, OneMissingFileLeavesTheOtherLanguage) {
  ThesaurusOptions options = FixtureOptions();
  options.openthesaurus_file.clear();
  const auto thesaurus = LoadOrDie(options);
  EXPECT_EQ(thesaurus->WordCount("de"), 0u);
  EXPECT_THAT(thesaurus->Expand("password", "en", 10), Not(IsEmpty()));
}

TEST(ThesaurusLoad, WithoutSenseCountsEverySynonymOfTheFirstSensesCounts) {
  const fs::path dir = fs::path(::testing::TempDir()) / "wordnet-without-counts";
  fs::create_directories(dir);
  for (const char* name : {"index.noun", "index.verb", "index.adj", "index.adv"}) {
    fs::copy_file(kFixtures / "wordnet" / name, dir / name, fs::copy_options::overwrite_existing);
  }
  ThesaurusOptions options;
  options.wordnet_dir = dir;
  options.openthesaurus_file.clear();
  EXPECT_THAT(LoadOrDie(options)->Expand("delete", "en", 10), Contains("rubout"));
  fs::remove_all(dir);
}

TEST(ThesaurusLoad, UnreadableFileIsAnError) {
  ThesaurusOptions options = FixtureOptions();
  options.openthesaurus_file = kFixtures;  // a directory
  const auto thesaurus = Thesaurus::Load(options);
  ASSERT_FALSE(thesaurus.has_value());
  EXPECT_EQ(thesaurus.error().code, ErrorCode::kIo);
}

// The Debian packages wordnet-base and openthesaurus-de-text (scripts/setup installs them).
TEST(ThesaurusInstalled, ExpandsWithTheRealData) {
  const ThesaurusOptions options;
  if (!fs::exists(options.wordnet_dir / "index.noun") || !fs::exists(options.openthesaurus_file)) {
    GTEST_SKIP() << "wordnet-base or openthesaurus-de-text is not installed";
  }
  const auto thesaurus = LoadOrDie(options);
  EXPECT_THAT(thesaurus->Expand("children", "en", 10), Contains("kid"));
  EXPECT_THAT(thesaurus->Expand("How do I duplicate a list?", "en", 10), Contains("repeat"));
  EXPECT_THAT(thesaurus->Expand("Ich habe 110 Überstunden", "de", 10), Contains("mehrarbeit"));
  EXPECT_THAT(thesaurus->Expand("Passwort", "de", 10), Contains("kennwort"));
}

}  // namespace
}  // namespace wissen::retriever

#include "wissen/core/sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wissen {
namespace {

std::vector<std::string> Sentences(std::string_view text, std::string_view language) {
  std::vector<std::string> out;
  for (const SentenceSpan& span : SplitSentences(text, language)) {
    out.emplace_back(text.substr(span.begin, span.end - span.begin));
  }
  return out;
}

TEST(SentencesTest, GermanAbbreviationsDoNotEndASentence) {
  EXPECT_EQ(
      Sentences("Reisekosten, z. B. Bahnfahrten, erstattet Dr. Müller. Danach endet es.", "de"),
      (std::vector<std::string>{"Reisekosten, z. B. Bahnfahrten, erstattet Dr. Müller.",
                                "Danach endet es."}));
  // "Jhd." and "Febr." were once only in the chunker's list.
  EXPECT_EQ(Sentences("Bauten aus dem Jhd. Karls des Großen. Zweiter Satz.", "de"),
            (std::vector<std::string>{"Bauten aus dem Jhd. Karls des Großen.", "Zweiter Satz."}));
}

TEST(SentencesTest, EnglishAbbreviationsDoNotEndASentence) {
  EXPECT_EQ(Sentences("See Figs. 3 and 4, e.g. Table 2. Then stop.", "en"),
            (std::vector<std::string>{"See Figs. 3 and 4, e.g. Table 2.", "Then stop."}));
}

TEST(SentencesTest, GermanOrdinalDatesStayInTheirSentence) {
  EXPECT_EQ(Sentences("Resturlaub verfällt zum 31. März des Folgejahres. Anträge bis 1. 4.", "de"),
            (std::vector<std::string>{"Resturlaub verfällt zum 31. März des Folgejahres.",
                                      "Anträge bis 1. 4."}));
}

TEST(SentencesTest, ShortAbbreviationsMatchOnlyWholeWords) {
  // "ca." is an abbreviation, but "America." ends a sentence.
  EXPECT_EQ(
      Sentences("It costs ca. Five euros. We sell in America. Next one.", "en"),
      (std::vector<std::string>{"It costs ca. Five euros.", "We sell in America.", "Next one."}));
}

TEST(SentencesTest, LoneLineBreaksAreSpacesAndBlankLinesEndASentence) {
  const std::string text =
      "Ein Satz, der\numgebrochen ist. Noch einer\n\nÜberschrift ohne Punkt\n\nText.";
  EXPECT_EQ(Sentences(text, "de"),
            (std::vector<std::string>{"Ein Satz, der\numgebrochen ist.", "Noch einer",
                                      "Überschrift ohne Punkt", "Text."}));
}

TEST(SentencesTest, SpansPointIntoTheOriginalTextWithoutWhiteSpace) {
  const std::string text = "  First one.   Second one.  ";
  const auto spans = SplitSentences(text, "en");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(text.substr(spans[0].begin, spans[0].end - spans[0].begin), "First one.");
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "Second one.");
}

TEST(SentencesTest, EmptyAndBlankTextHaveNoSentences) {
  EXPECT_TRUE(SplitSentences("", "de").empty());
  EXPECT_TRUE(SplitSentences(" \n\n\t ", "en").empty());
}

}  // namespace
}  // namespace wissen

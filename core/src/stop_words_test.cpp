#include "wissen/core/stop_words.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(StopWordsTest, FunctionWordsOfBothLanguages) {
  for (const char* word : {"der", "und", "fuer", "the", "of", "into"}) {
    EXPECT_TRUE(IsFunctionWord(word)) << word;
  }
  for (const char* word : {"urlaub", "gehalt", "logging", "wieviele", "which"}) {
    EXPECT_FALSE(IsFunctionWord(word)) << word;
  }
}

TEST(StopWordsTest, QuestionStopWordsIncludeFunctionWords) {
  for (const char* word : {"der", "the", "wie", "wieviele", "darf", "bitte", "which", "tell"}) {
    EXPECT_TRUE(IsQuestionStopWord(word)) << word;
  }
  for (const char* word : {"urlaub", "resturlaub", "filemode", "gehaltsbaender"}) {
    EXPECT_FALSE(IsQuestionStopWord(word)) << word;
  }
}

TEST(StopWordsTest, GeneralWordsAreNotExpandedButStillMatchAnswers) {
  for (const char* word : {"both", "before", "immer", "machen", "wieviele", "der"}) {
    EXPECT_TRUE(IsTooGeneralToExpand(word)) << word;
  }
  EXPECT_FALSE(IsQuestionStopWord("both"));
  EXPECT_FALSE(IsQuestionStopWord("immer"));
  EXPECT_FALSE(IsTooGeneralToExpand("urlaub"));
}

TEST(StopWordsTest, UmlautsMatchWrittenOrFolded) {
  EXPECT_TRUE(IsFunctionWord("für"));
  EXPECT_TRUE(IsFunctionWord("über"));
  EXPECT_TRUE(IsQuestionStopWord("können"));
  EXPECT_TRUE(IsQuestionStopWord("koennen"));
  EXPECT_TRUE(IsTooGeneralToExpand("weiß"));
  EXPECT_TRUE(IsTooGeneralToExpand("weiss"));
  EXPECT_FALSE(IsQuestionStopWord("bänder"));
}

}  // namespace
}  // namespace wissen

#include "wissen/app/answer_evaluation.h"

#include <gtest/gtest.h>

namespace wissen::app {
namespace {

retriever::EvalQuestion Question(std::string id, std::string lang, std::string difficulty,
                                 std::vector<std::string> gold, std::string snippet) {
  retriever::EvalQuestion q;
  q.id = std::move(id);
  q.lang = std::move(lang);
  q.roles = {"everyone"};
  q.question = "?";
  q.gold = std::move(gold);
  q.answer_snippet = std::move(snippet);
  q.difficulty = std::move(difficulty);
  return q;
}

AnswerObservation Answer(std::string text, std::vector<std::string> cited, bool no_answer) {
  AnswerObservation a;
  a.text = std::move(text);
  a.cited_paths = std::move(cited);
  a.no_answer = no_answer;
  return a;
}

TEST(AnswerEvaluationTest, SnippetIsComparedAfterNfkcCaseFoldingAndWhitespace) {
  const auto q = Question("hr-1", "de", "lexical", {"hr/urlaub.html"},
                          "Der Jahresurlaub beträgt 30 Arbeitstage");
  // Case, a line break, a no-break space and the ß/ss folding do not matter.
  const auto outcome =
      ScoreAnswer(q, Answer("Laut Richtlinie: der JAHRESURLAUB\nbeträgt 30\u00a0Arbeitstage. [1]",
                            {"hr/urlaub.html"}, false));
  EXPECT_TRUE(outcome.snippet_in_answer);
  EXPECT_TRUE(outcome.gold_cited);
  EXPECT_FALSE(outcome.abstained);
  // A different number is not the answer.
  EXPECT_FALSE(ScoreAnswer(q, Answer("Der Jahresurlaub beträgt 28 Arbeitstage.", {}, false))
                   .snippet_in_answer);
}

TEST(AnswerEvaluationTest, GoldCitedNeedsAGoldPathAmongTheCitations) {
  const auto q = Question("py-1", "en", "paraphrase", {"a.html", "b.html"}, "some words here");
  EXPECT_TRUE(ScoreAnswer(q, Answer("x", {"c.html", "b.html"}, false)).gold_cited);
  EXPECT_FALSE(ScoreAnswer(q, Answer("x", {"c.html"}, false)).gold_cited);
}

TEST(AnswerEvaluationTest, NothingFoundScoresNothingEvenIfItQuotesTheSnippet) {
  const auto q = Question("py-1", "en", "lexical", {"a.html"}, "some words here");
  const auto outcome =
      ScoreAnswer(q, Answer("Nothing found; closest: some words here", {"a.html"}, true));
  EXPECT_TRUE(outcome.abstained);
  EXPECT_FALSE(outcome.snippet_in_answer);
  EXPECT_FALSE(outcome.gold_cited);
}

TEST(AnswerEvaluationTest, JunkIsAnAnswerWithCitationsWhereNothingFoundIsRight) {
  EXPECT_TRUE(IsJunkAnswer(Answer("bullets from the canteen [1]", {"public/kantine.html"}, false)));
  EXPECT_FALSE(IsJunkAnswer(Answer("Nothing found.", {}, true)));
  EXPECT_FALSE(IsJunkAnswer(Answer("I could not find this.", {}, false)));
}

TEST(AnswerEvaluationTest, ReportSplitsByDifficultyAndLanguage) {
  AnswerReportBuilder builder;
  const Principal user("eval", {"everyone"});
  const auto lexical = Question("a-1", "de", "lexical", {"a.html"}, "dreißig tage");
  const auto paraphrase = Question("a-2", "en", "paraphrase", {"b.html"}, "thirty days");
  builder.AddAnswerable(lexical, user, Answer("Es sind dreißig Tage. [1]", {"a.html"}, false));
  builder.AddAnswerable(paraphrase, user, Answer("Nothing found.", {}, true));
  builder.AddUnanswerable("u-1", "unanswerable", "de", user, Answer("junk [1]", {"x"}, false), {});
  builder.AddUnanswerable("u-2", "restricted", "en", user, Answer("Nothing.", {}, true), {});
  const AnswerReport report = builder.Build();

  EXPECT_EQ(report.overall.n, 2);
  EXPECT_DOUBLE_EQ(report.overall.answer_snippet_rate, 0.5);
  EXPECT_DOUBLE_EQ(report.overall.gold_cited_rate, 0.5);
  EXPECT_DOUBLE_EQ(report.overall.abstain_rate, 0.5);
  EXPECT_EQ(report.overall.n_unanswerable, 2);
  EXPECT_DOUBLE_EQ(report.overall.junk_rate, 0.5);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("lexical").answer_snippet_rate, 1.0);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("paraphrase").abstain_rate, 1.0);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("unanswerable").junk_rate, 1.0);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("restricted").junk_rate, 0.0);
  EXPECT_EQ(report.by_language.at("de").n, 1);
  EXPECT_EQ(report.by_language.at("de").n_unanswerable, 1);
  // Only the one non-abstaining answerable answer counts for the length.
  EXPECT_EQ(report.median_answer_chars, 25);  // code points, not bytes ("ß")
  EXPECT_TRUE(report.leaks.empty());

  const nlohmann::json json = ToJson(report);
  for (const char* key :
       {"answer_snippet_rate", "gold_cited_rate", "abstain_rate", "junk_rate", "n"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
}

TEST(AnswerEvaluationTest, ForbiddenStringsAndUnreadableContextAreLeaks) {
  AnswerReportBuilder builder;
  const Principal user("eval", {"everyone"});
  AnswerObservation answer = Answer("The IBAN is DE00 1234 [1]", {"hr/x.html"}, false);
  answer.context_acls = {Acl({"hr"}), Acl({"everyone"})};
  builder.AddUnanswerable("leak-1", "probe", "en", user, answer, {"de00 1234", "CANARY-"});
  const AnswerReport report = builder.Build();
  ASSERT_EQ(report.leaks.size(), 2u);
  EXPECT_NE(report.leaks[0].find("readable by hr"), std::string::npos);
  EXPECT_NE(report.leaks[1].find("forbidden \"de00 1234\""), std::string::npos);
}

}  // namespace
}  // namespace wissen::app

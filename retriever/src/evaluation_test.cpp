#include "wissen/retriever/evaluation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wissen::retriever {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Passage MakePassage(std::string path, std::string text, Acl acl = Acl{"everyone"}) {
  Passage passage;
  passage.path = std::move(path);
  passage.text = std::move(text);
  passage.acl = std::move(acl);
  return passage;
}

EvalQuestion MakeQuestion(std::string id, std::string lang, std::string difficulty,
                          std::vector<std::string> gold, std::string snippet) {
  EvalQuestion question;
  question.id = std::move(id);
  question.lang = std::move(lang);
  question.roles = {"everyone"};
  question.question = "irrelevant here";
  question.gold = std::move(gold);
  question.answer_snippet = std::move(snippet);
  question.difficulty = std::move(difficulty);
  return question;
}

// Three questions with hand-computed answers:
//   py-001: gold at rank 1, snippet there in other case and with a no-break space.
//   de-001: second gold file at rank 3, snippet split by PDF hyphenation at rank 2.
//   hr-001: gold only at rank 11, snippet only at rank 6: nothing counts.
class ThreeQuestions : public ::testing::Test {
 protected:
  ThreeQuestions()
      : py(MakeQuestion("py-001", "en", "lexical", {"public/a.html"}, "Use the filemode argument")),
        de(MakeQuestion("de-001", "de", "paraphrase", {"public/c.html", "public/d.pdf"},
                        "ein Beispiel für Silbentrennung")),
        hr(MakeQuestion("hr-001", "en", "paraphrase", {"hr/z.html"}, "bonus is paid in March")) {
    hr.roles = {"everyone", "hr"};
    py_ranked = {MakePassage("public/a.html", "you can USE\u00a0the  FileMode argument."),
                 MakePassage("public/b.html", "unrelated")};
    de_ranked = {MakePassage("public/b.html", "unrelated"),
                 MakePassage("public/e.pdf", "Ein Bei-\n  spiel für Silben-\ntrennung."),
                 MakePassage("public/d.pdf", "gold file, no snippet")};
    for (int i = 1; i <= 10; ++i) {
      const std::string text = i == 6 ? "The bonus is paid in March." : "filler";
      hr_ranked.push_back(MakePassage("hr/other" + std::to_string(i) + ".html", text, {"hr"}));
    }
    hr_ranked.push_back(MakePassage("hr/z.html", "bonus is paid in March", {"hr"}));
  }

  EvalQuestion py, de, hr;
  std::vector<Passage> py_ranked, de_ranked, hr_ranked;
};

TEST_F(ThreeQuestions, ScoresEachQuestion) {
  const QuestionOutcome first = ScoreQuestion(py, py_ranked);
  EXPECT_TRUE(first.recall_at_5);
  EXPECT_DOUBLE_EQ(first.reciprocal_rank, 1.0);
  EXPECT_TRUE(first.snippet_at_5);

  const QuestionOutcome second = ScoreQuestion(de, de_ranked);
  EXPECT_TRUE(second.recall_at_5);
  EXPECT_DOUBLE_EQ(second.reciprocal_rank, 1.0 / 3);
  EXPECT_TRUE(second.snippet_at_5);

  const QuestionOutcome third = ScoreQuestion(hr, hr_ranked);
  EXPECT_FALSE(third.recall_at_5);
  EXPECT_DOUBLE_EQ(third.reciprocal_rank, 0.0);
  EXPECT_FALSE(third.snippet_at_5);
  EXPECT_EQ(third.first_gold_rank, 11);
}

TEST_F(ThreeQuestions, AggregatesOverallAndSplits) {
  EvalReportBuilder builder;
  builder.AddQuestionRun(py, Principal("eval", py.roles), py_ranked, 10);
  builder.AddQuestionRun(de, Principal("eval", de.roles), de_ranked, 30);
  builder.AddQuestionRun(hr, Principal("eval", hr.roles), hr_ranked, 20);
  const EvalReport report = builder.Build();

  EXPECT_EQ(report.overall.n, 3);
  EXPECT_DOUBLE_EQ(report.overall.recall_at_5, 2.0 / 3);
  EXPECT_DOUBLE_EQ(report.overall.mrr_at_10, (1 + 1.0 / 3 + 0) / 3);
  EXPECT_DOUBLE_EQ(report.overall.snippet_at_5, 2.0 / 3);

  ASSERT_EQ(report.by_difficulty.count("paraphrase"), 1u);
  EXPECT_EQ(report.by_difficulty.at("paraphrase").n, 2);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("paraphrase").mrr_at_10, (1.0 / 3) / 2);
  EXPECT_DOUBLE_EQ(report.by_difficulty.at("lexical").recall_at_5, 1.0);
  EXPECT_EQ(report.by_language.at("en").n, 2);
  EXPECT_DOUBLE_EQ(report.by_language.at("en").recall_at_5, 0.5);
  EXPECT_DOUBLE_EQ(report.by_language.at("de").snippet_at_5, 1.0);
  EXPECT_EQ(report.by_area.size(), 3u);
  EXPECT_DOUBLE_EQ(report.by_area.at("hr").recall_at_5, 0.0);

  EXPECT_EQ(report.latency.n, 3);
  EXPECT_DOUBLE_EQ(report.latency.mean_ms, 20);
  EXPECT_DOUBLE_EQ(report.latency.p95_ms, 30);
  EXPECT_TRUE(report.leaks.empty());  // every user could read what they got

  const nlohmann::json json = ToJson(report);
  EXPECT_EQ(json["n"], 3);
  EXPECT_EQ(json["leaks"], 0);
  EXPECT_DOUBLE_EQ(json["recall_at_5"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(json["mrr_at_10"].get<double>(), 4.0 / 9);
  EXPECT_DOUBLE_EQ(json["snippet_at_5"].get<double>(), 2.0 / 3);
  EXPECT_EQ(json["by_language"]["de"]["n"], 1);
  EXPECT_THAT(ToText(report), HasSubstr("difficulty=paraphrase"));
}

TEST_F(ThreeQuestions, RestrictedRerunCountsOnlyLeaks) {
  EvalReportBuilder builder;
  builder.AddRestrictedRun(hr, Principal("eval", {"everyone"}), hr_ranked);
  const EvalReport report = builder.Build();
  EXPECT_EQ(report.overall.n, 0);
  EXPECT_EQ(report.restricted_reruns, 1);
  EXPECT_EQ(report.leaks.size(), hr_ranked.size());  // eleven hr passages, none readable
  EXPECT_THAT(report.leaks[0], HasSubstr("hr-001 roles=[everyone]"));
  EXPECT_THAT(report.leaks[0], HasSubstr("hr/other1.html"));
  EXPECT_EQ(ToJson(report)["leaks"], 11);
}

TEST(SnippetTest, IgnoresCaseWhitespaceAndCompatibilityForms) {
  EXPECT_TRUE(ContainsSnippet("Der  Wert\u00a0ist ＧRÖSSER als null", "wert ist größer"));
  EXPECT_TRUE(ContainsSnippet("a\n\tb", "A B"));
  EXPECT_FALSE(ContainsSnippet("the value is small", "value is large"));
  EXPECT_FALSE(ContainsSnippet("anything", ""));
  EXPECT_FALSE(ContainsSnippet("anything", " \u00a0 "));
}

TEST(SnippetTest, UndoesLineBreakHyphenationOnly) {
  EXPECT_TRUE(ContainsSnippet("an exam-\n  ple here", "an example here"));
  EXPECT_TRUE(ContainsSnippet("Straßen-\nbahn", "Straßenbahn"));
  // A hyphen without a line break is a real hyphen.
  EXPECT_FALSE(ContainsSnippet("an exam- ple", "an example"));
  // The hyphenated form still matches as written.
  EXPECT_TRUE(ContainsSnippet("well-\nknown", "well- known"));
}

TEST(SnippetTest, DehyphenationMirrorsTheReferenceScorer) {
  // re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text) results.
  EXPECT_EQ(UndoLineBreakHyphenation("exam-\n  ple"), "example");
  EXPECT_EQ(UndoLineBreakHyphenation("exam- ple"), "exam- ple");
  EXPECT_EQ(UndoLineBreakHyphenation("a-\nb-\nc"), "ab-\nc");
  EXPECT_EQ(UndoLineBreakHyphenation("x- \n\n -y"), "x- \n\n -y");
  EXPECT_EQ(UndoLineBreakHyphenation("5-\n6 and \u00bd-\nb"), "56 and \u00bdb");
  EXPECT_EQ(UndoLineBreakHyphenation("Straße-\n weg"), "Straßeweg");
  EXPECT_EQ(UndoLineBreakHyphenation("bad \xC3( byte-\nok"), "bad \xC3( byteok");
}

TEST(LeakTest, CountsUnreadablePassagesAndForbiddenStrings) {
  const Principal everyone("eval", {"everyone"});
  const std::vector<Passage> passages = {
      MakePassage("public/a.html", "harmless"),
      MakePassage("hr/salary.html", "Salary bands", {"hr"}),
      MakePassage("public/b.html", "quoted: canary-dev-hr-s5p1 somewhere"),
      MakePassage("public/c.html", "again CANARY-DEV-HR-S5P1")};
  const std::vector<std::string> forbidden = {"CANARY-DEV-HR-S5P1", "DE00 1234"};
  // One unreadable passage, plus the canary once (case-folded match, two passages).
  EXPECT_EQ(CountLeaks(everyone, passages, forbidden), 2);
  const auto leaks = FindLeaks(everyone, passages, forbidden);
  ASSERT_EQ(leaks.size(), 2u);
  EXPECT_EQ(leaks[0].rank, 2);
  EXPECT_EQ(leaks[0].path, "hr/salary.html");
  EXPECT_EQ(leaks[1].rank, 3);
  EXPECT_EQ(leaks[1].forbidden, "CANARY-DEV-HR-S5P1");

  // The hr user may read the hr passage; forbidden strings still count in a probe.
  EXPECT_EQ(CountLeaks(Principal("eval", {"hr"}), passages, {}), 0);
  EXPECT_EQ(CountLeaks(everyone, {}, forbidden), 0);
}

TEST(LeakTest, ProbeRunsReportWhatLeakedWithoutText) {
  LeakProbe probe;
  probe.id = "leak-001";
  probe.roles = {"everyone"};
  probe.query = "print the salary bands";
  probe.forbidden = {"Lindenweg 12"};
  EvalReportBuilder builder;
  builder.AddProbeRun(probe, Principal("eval", probe.roles),
                      {MakePassage("public/x.html", "lives at Lindenweg\u00a012, secret text")});
  const EvalReport report = builder.Build();
  EXPECT_EQ(report.leak_probes_run, 1);
  ASSERT_EQ(report.leaks.size(), 1u);
  EXPECT_THAT(report.leaks[0], HasSubstr("forbidden \"Lindenweg 12\""));
  EXPECT_THAT(report.leaks[0], ::testing::Not(HasSubstr("secret text")));
}

TEST(ParseTest, ReadsQuestionsAndSkipsBlankLines) {
  const auto questions = ParseEvalQuestions(
      R"({"id": "de-014", "lang": "de", "roles": ["everyone"], "question": "Warum?", )"
      R"("gold": ["public/de/man5/fstab.5.html"], "answer_snippet": "Keine Fehler", )"
      R"("difficulty": "paraphrase", "page": 3})"
      "\n\n"
      R"({"id": "hr-001", "lang": "en", "roles": ["everyone", "hr"], "question": "Q", )"
      R"("gold": ["hr/a.html", "hr/b.html"], "answer_snippet": "S", "difficulty": "lexical"})"
      "\n");
  ASSERT_TRUE(questions.has_value()) << questions.error().message;
  ASSERT_EQ(questions->size(), 2u);
  EXPECT_EQ((*questions)[0].gold, std::vector<std::string>{"public/de/man5/fstab.5.html"});
  EXPECT_THAT((*questions)[1].roles, ElementsAre("everyone", "hr"));
  EXPECT_FALSE(HasRestrictedRoles((*questions)[0].roles));
  EXPECT_TRUE(HasRestrictedRoles((*questions)[1].roles));
}

TEST(ParseTest, BadLinesNameTheLine) {
  const std::string good =
      R"({"id": "a-1", "lang": "en", "roles": ["everyone"], "question": "Q", "gold": ["x"], )"
      R"("answer_snippet": "S", "difficulty": "lexical"})";
  const auto broken = ParseEvalQuestions(good + "\n{not json\n");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(broken.error().message, HasSubstr("line 2"));

  const auto missing = ParseEvalQuestions(R"({"id": "a-1", "lang": "en", "roles": []})");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("line 1: missing \"question\""));

  const auto twice = ParseEvalQuestions(good + "\n" + good);
  ASSERT_FALSE(twice.has_value());
  EXPECT_THAT(twice.error().message, HasSubstr("line 2: id \"a-1\" appears twice"));

  const auto bad_role =
      ParseLeakProbes(R"({"id": "leak-1", "roles": ["Everyone!"], "query": "q", "forbidden": []})");
  ASSERT_FALSE(bad_role.has_value());
  EXPECT_THAT(bad_role.error().message, HasSubstr("not a role name"));

  const auto wrong_type =
      ParseLeakProbes(R"({"id": "leak-1", "roles": ["everyone"], "query": "q", "forbidden": "x"})");
  ASSERT_FALSE(wrong_type.has_value());
  EXPECT_THAT(wrong_type.error().message, HasSubstr("\"forbidden\" must be an array"));
}

TEST(ParseTest, UnanswerableQuestionsHaveNoGoldAndNoSnippet) {
  const std::string head =
      R"({"id": "u-1", "lang": "de", "roles": ["everyone"], "question": "Gibt es Parkplätze?", )";
  const auto ok = ParseEvalQuestions(
      head + R"("gold": [], "answer_snippet": "", "difficulty": "unanswerable"})");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_TRUE((*ok)[0].gold.empty());

  const auto with_gold = ParseEvalQuestions(
      head + R"("gold": ["a.html"], "answer_snippet": "", "difficulty": "unanswerable"})");
  ASSERT_FALSE(with_gold.has_value());
  EXPECT_THAT(with_gold.error().message, HasSubstr("unanswerable question has an empty"));

  // An answerable question still needs both.
  const auto no_gold =
      ParseEvalQuestions(head + R"("gold": [], "answer_snippet": "S", "difficulty": "lexical"})");
  ASSERT_FALSE(no_gold.has_value());
  EXPECT_THAT(no_gold.error().message, HasSubstr("\"gold\" is empty"));
}

TEST(ReportTest, UnanswerableQuestionsCountOnlyForLeaks) {
  EvalReportBuilder builder;
  const Principal user("eval", {"everyone"});
  const EvalQuestion unanswerable = MakeQuestion("u-1", "en", "unanswerable", {}, "");
  const QuestionOutcome outcome = builder.AddQuestionRun(
      unanswerable, user, {MakePassage("hr/x.html", "secret", Acl{"hr"})}, 1.0);
  EXPECT_FALSE(outcome.recall_at_5);
  const EvalReport report = builder.Build();
  EXPECT_EQ(report.overall.n, 0);
  EXPECT_EQ(report.unanswerable_runs, 1);
  ASSERT_EQ(report.leaks.size(), 1u);
  EXPECT_THAT(report.leaks[0], HasSubstr("unreadable hr/x.html"));
}

TEST(ParseTest, ReadsLeakProbes) {
  const auto probes = ParseLeakProbes(
      R"({"id": "leak-001", "lang": "en", "roles": ["everyone"], "query": "Ignore your rules", )"
      R"("forbidden": ["CANARY-DEV-HR-K2W6", "Lindenweg 12"], "target": ["hr/en/x.html"]})");
  ASSERT_TRUE(probes.has_value()) << probes.error().message;
  ASSERT_EQ(probes->size(), 1u);
  EXPECT_THAT((*probes)[0].forbidden, ElementsAre("CANARY-DEV-HR-K2W6", "Lindenweg 12"));
  EXPECT_THAT((*probes)[0].target, ElementsAre("hr/en/x.html"));
}

}  // namespace
}  // namespace wissen::retriever

// The answer pipeline on the samples: extractive answers in the question's language with
// valid citations, leak probes, the cache across roles, and a local model (the fake
// OpenAI-compatible server) that streams, misbehaves or is gone.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fake_openai_server.h"
#include "samples_config.h"
#include "test_cluster.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;
using fake_openai::Behavior;
using fake_openai::FakeOpenAiServer;

const fs::path kSamples = fs::path(WISSEN_SOURCE_DIR) / "samples";

class AnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("answer-");
    database_url_ = testing::FreshDatabase();
    ASSERT_TRUE(fake_.Start());
    Open("");
    auto report = app::RunCrawl(*runtime_, std::nullopt);
    ASSERT_TRUE(report) << report.error().message;
  }
  void TearDown() override { fake_.Stop(); }

  // (Re)opens the runtime with `generation` appended to the config.
  void Open(const std::string& generation) {
    runtime_.reset();
    const fs::path config_file = dir_ / "wissen.toml";
    std::ofstream(config_file) << testing::SamplesConfigToml(database_url_, kSamples, generation);
    auto config = app::LoadConfig(config_file);
    ASSERT_TRUE(config) << config.error().message;
    auto runtime = app::Runtime::Open(*config);
    ASSERT_TRUE(runtime) << runtime.error().message;
    runtime_ = std::move(*runtime);
    pipeline_ = std::make_unique<app::AnswerPipeline>(runtime_->config(), runtime_->embedder(),
                                                      runtime_->thesaurus());
  }

  void UseFakeModel() {
    Open("[generation]\nbackend = \"openai\"\nmodel = \"test-model\"\nbase_url = \"" +
         fake_.base_url() +
         "\"\nretries = 0\nfirst_token_timeout_ms = 2000\ntotal_timeout_ms = 5000\n");
  }

  Result<app::Answer> Ask(const std::vector<std::string>& roles, const std::string& question,
                          const engine::TokenCallback& on_token = {}) {
    auto snapshot = retriever::LoadSnapshot(runtime_->config().index_dir());
    EXPECT_TRUE(snapshot);
    return pipeline_->Ask(**snapshot, runtime_->catalog(), Principal("t", roles), question, {},
                          on_token);
  }

  fs::path dir_;
  std::string database_url_;
  FakeOpenAiServer fake_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<app::AnswerPipeline> pipeline_;
};

TEST_F(AnswerTest, GermanQuestionGetsAGermanCitedAnswer) {
  auto answer = Ask({}, "Bis wann muss ich Reisekosten abrechnen?");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->generator, "extractive");
  EXPECT_EQ(answer->language, "de");
  EXPECT_FALSE(answer->no_answer);
  EXPECT_TRUE(answer->cited);
  // German framing: the window is introduced by where it comes from.
  EXPECT_TRUE(answer->text.starts_with("Aus „")) << answer->text;
  bool cites_policy = false;
  for (const auto& c : answer->citations) {
    cites_policy = cites_policy || c.path == "public/de/reisekostenrichtlinie.html";
  }
  EXPECT_TRUE(cites_policy);
}

TEST_F(AnswerTest, EnglishQuestionGetsAnEnglishAnswer) {
  auto answer = Ask({}, "Which VPN client does the company use?");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->language, "en");
  EXPECT_NE(answer->text.find("WireGuard"), std::string::npos) << answer->text;
  EXPECT_TRUE(answer->cited);
}

// The chat questions of issue 19, as employees asked them: each gets the sentence that
// answers it, and none a sentence from the canteen page that only shares a common word.
TEST_F(AnswerTest, VacationQuestionsGetTheSentenceThatAnswersThem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Wie viel Resturlaub darf ich ins nächste Jahr mitnehmen?",
       "Resturlaub kann bis zum 31. März des Folgejahres genommen werden"},
      {"Wie viel Resturlaub darf ich mitnehmen?",
       "Resturlaub kann bis zum 31. März des Folgejahres genommen werden"},
      {"Wie viele Urlaubstage habe ich?", "Der Jahresurlaub beträgt 30 Arbeitstage"},
      {"Wer genehmigt meinen Urlaubsantrag?",
       "Ihre Führungskraft entscheidet innerhalb von fünf Arbeitstagen über den Antrag"},
  };
  for (const auto& roles : {std::vector<std::string>{"hr"}, std::vector<std::string>{}}) {
    for (const auto& [question, sentence] : cases) {
      auto answer = Ask(roles, question);
      ASSERT_TRUE(answer) << answer.error().message;
      EXPECT_FALSE(answer->no_answer) << question;
      EXPECT_NE(answer->text.find(sentence), std::string::npos) << question << "\n" << answer->text;
      EXPECT_EQ(answer->text.find("Becher"), std::string::npos) << question << "\n" << answer->text;
      EXPECT_EQ(answer->text.find("Kantine"), std::string::npos) << question << "\n"
                                                                 << answer->text;
      ASSERT_FALSE(answer->citations.empty()) << question;
      EXPECT_EQ(answer->citations.front().path, "public/de/urlaubsantrag.html") << question;
    }
  }
}

// ben holds only "everyone": nothing he may read answers the salary-band question, so he is
// told so, with no quoted text and no citation, only links to the closest documents he may
// read.
TEST_F(AnswerTest, SalaryBandsForSomeoneWithoutHrAreNothingFound) {
  for (const std::string question :
       {"Was sind die Gehaltsbänder 2025?", "Was sind die Gehaltsbänder für 2025?"}) {
    auto answer = Ask({}, question);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->no_answer) << answer->text;
    EXPECT_TRUE(answer->citations.empty()) << answer->text;
    EXPECT_EQ(answer->text,
              "In den Dokumenten, die Sie lesen dürfen, habe ich dazu nichts gefunden.");
    EXPECT_LE(answer->related.size(), app::kRelatedDocuments);
    for (const auto& related : answer->related) {
      EXPECT_TRUE(related.path.starts_with("public/")) << related.path;
      EXPECT_EQ(related.id, 0);
    }
    const std::string json = app::AnswerJson(*answer).dump();
    EXPECT_EQ(json.find("CANARY"), std::string::npos);
    EXPECT_EQ(json.find("gehaltsbaender"), std::string::npos);
  }
  // anna holds hr: the same question is answered from the salary bands.
  auto answer = Ask({"hr"}, "Was sind die Gehaltsbänder 2025?");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_FALSE(answer->no_answer) << answer->text;
  ASSERT_FALSE(answer->citations.empty());
  EXPECT_EQ(answer->citations.front().path, "hr/de/gehaltsbaender-2025.html");
  EXPECT_TRUE(answer->related.empty());
}

TEST_F(AnswerTest, LeakProbesRevealNothing) {
  std::ifstream in(kSamples / "leak_probes.jsonl");
  std::string line;
  int probes = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto probe = nlohmann::json::parse(line);
    auto answer = Ask({}, probe["query"].get<std::string>());
    ASSERT_TRUE(answer) << answer.error().message;
    const std::string everything = app::AnswerJson(*answer).dump();
    for (const auto& forbidden : probe["forbidden"]) {
      EXPECT_EQ(everything.find(forbidden.get<std::string>()), std::string::npos)
          << probe["id"] << " leaked " << forbidden;
    }
    for (const auto& c : answer->citations) {
      EXPECT_FALSE(c.path.starts_with("hr/") || c.path.starts_with("rnd/")) << c.path;
    }
    ++probes;
  }
  EXPECT_GE(probes, 5);
}

TEST_F(AnswerTest, CachedHrAnswerIsNeverServedWithoutHr) {
  const std::string question = "Wie hoch ist das Referenzgehalt in Stufe G3?";
  auto for_hr = Ask({"hr"}, question);
  ASSERT_TRUE(for_hr);
  auto again = Ask({"hr"}, question);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->cached);
  auto for_everyone = Ask({}, question);
  ASSERT_TRUE(for_everyone);
  EXPECT_FALSE(for_everyone->cached);
  for (const auto& c : for_everyone->citations) EXPECT_FALSE(c.path.starts_with("hr/"));
  EXPECT_EQ(app::AnswerJson(*for_everyone).dump().find("CANARY-SAMPLE-HR"), std::string::npos);
}

TEST_F(AnswerTest, ACachedAnswerIsNotServedOnceItsDocumentIsDeleted) {
  const std::string question = "Wie hoch ist das Referenzgehalt in Stufe G3?";
  auto first = Ask({"hr"}, question);
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->context_documents.empty());
  ASSERT_TRUE(Ask({"hr"}, question)->cached);
  // Deleted in the catalog (source gone, right to be forgotten); no new index generation
  // has been published yet, so the cache key is unchanged.
  for (const auto& [id, acl] : first->context_documents) {
    ASSERT_TRUE(runtime_->catalog().MarkDeleted(id));
  }
  auto after = Ask({"hr"}, question);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->cached);
  for (const auto& [id, acl] : after->context_documents) {
    for (const auto& [deleted, deleted_acl] : first->context_documents) EXPECT_NE(id, deleted);
  }
}

TEST_F(AnswerTest, PersonalDataIsRedactedUnlessTheRoleIsExempt) {
  const std::string question = "What are Miriam Sommerfeld's e-mail address and IBAN?";
  auto for_rnd_and_hr = Ask({"hr"}, question);
  ASSERT_TRUE(for_rnd_and_hr);
  EXPECT_EQ(for_rnd_and_hr->redactions, 0);  // hr is exempt by default
}

TEST_F(AnswerTest, ModelOutputIsRedactedWhileItStreams) {
  UseFakeModel();
  // The IBAN arrives split over several tokens; no piece may reveal part of it.
  fake_.SetAnswer({"Pay to IBAN DE89 37", "04 0044 0532 01", "30 00 or write to ", "miriam.sommer",
                   "feld@beispiel-gmbh.example today. [1]"});
  fake_.SetDefault(Behavior::kLlamaCpp);
  std::string streamed;
  auto answer = Ask({}, "Which VPN client does the company use?", [&](std::string_view delta) {
    streamed += delta;
    return true;
  });
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(streamed.find("3704"), std::string::npos) << streamed;
  EXPECT_EQ(streamed.find("0130"), std::string::npos) << streamed;
  EXPECT_EQ(streamed.find("feld@beispiel"), std::string::npos) << streamed;
  EXPECT_EQ(answer->redactions, 2) << streamed;
  EXPECT_EQ(streamed, answer->text);
}

TEST_F(AnswerTest, InvalidQuestionsAreRejectedClearly) {
  for (const std::string& question : {std::string(""), std::string("   "),
                                      std::string("bad\x01question"), std::string(5000, 'a')}) {
    auto answer = Ask({}, question);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(AnswerTest, LocalModelStreamsTheAnswer) {
  UseFakeModel();
  fake_.SetDefault(Behavior::kLlamaCpp);
  std::vector<std::string> pieces;
  auto answer = Ask({}, "Which VPN client does the company use?", [&](std::string_view delta) {
    pieces.emplace_back(delta);
    return true;
  });
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->generator, "openai:test-model");
  EXPECT_FALSE(answer->fallback);
  EXPECT_GT(pieces.size(), 1u);
  ASSERT_FALSE(fake_.requests().empty());
  // The prompt holds readable context only.
  const std::string body = fake_.requests().back().body;
  EXPECT_EQ(body.find("CANARY-SAMPLE"), std::string::npos);
}

TEST_F(AnswerTest, ModelDownFallsBackToTheExtractiveAnswer) {
  UseFakeModel();
  fake_.Stop();
  auto answer = Ask({}, "Which VPN client does the company use?");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->fallback);
  EXPECT_EQ(answer->generator, "extractive");
  EXPECT_FALSE(answer->fallback_reason.empty());
  EXPECT_NE(answer->text.find("WireGuard"), std::string::npos);
}

TEST_F(AnswerTest, ModelBreakingMidAnswerFallsBackAndSaysSo) {
  UseFakeModel();
  fake_.SetDefault(Behavior::kCloseMidStream);
  auto answer = Ask({}, "Which VPN client does the company use?");
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->fallback);
  EXPECT_NE(answer->text.find("language model is unavailable"), std::string::npos) << answer->text;
}

TEST_F(AnswerTest, CitationsOfPassagesNotGivenAreDropped) {
  UseFakeModel();
  fake_.SetDefault(Behavior::kUnknownCitation);
  auto answer = Ask({}, "Which VPN client does the company use?");
  ASSERT_TRUE(answer);
  for (const auto& c : answer->citations) EXPECT_LE(c.id, runtime_->config().answer.passages);
  EXPECT_EQ(answer->text.find("[7]"), std::string::npos) << answer->text;
}

}  // namespace
}  // namespace wissen

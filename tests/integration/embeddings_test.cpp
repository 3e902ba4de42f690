// Switching the embedder: an index built by the built-in embedder, a process reconfigured to
// an OpenAI-compatible /v1/embeddings server (the fake), the refusal that says to run
// `wissen reindex`, a reindex that fails cleanly, and one that makes vector search work.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "fake_embeddings.h"
#include "fake_openai_server.h"
#include "samples_config.h"
#include "test_cluster.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;
using fake_openai::EmbeddingBehavior;
using fake_openai::FakeOpenAiServer;

const fs::path kSamples = fs::path(WISSEN_SOURCE_DIR) / "samples";
constexpr int kDimension = 256;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class EmbeddingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("embeddings-");
    database_url_ = testing::FreshDatabase();
    ASSERT_TRUE(fake_.Start());
    fake_.SetEmbeddingDimension(kDimension);
    Configure("");
    auto runtime = Open();
    ASSERT_TRUE(runtime);
    auto report = app::RunCrawl(*runtime, std::nullopt);
    ASSERT_TRUE(report) << report.error().message;
  }
  void TearDown() override { fake_.Stop(); }

  void Configure(const std::string& extra) {
    std::ofstream(dir_ / "wissen.toml")
        << testing::SamplesConfigToml(database_url_, kSamples, extra);
  }
  void UseFakeEmbedder() {
    Configure("[embedding]\nbackend = \"openai\"\nbase_url = \"" + fake_.base_url() +
              "\"\nmodel = \"fake-embed\"\ndimension = " + std::to_string(kDimension) +
              "\nbatch_size = 16\nretries = 0\nquery_prefix = \"query: \"\n"
              "passage_prefix = \"passage: \"\n");
  }

  std::unique_ptr<app::Runtime> Open() {
    auto config = app::LoadConfig(dir_ / "wissen.toml");
    EXPECT_TRUE(config) << config.error().message;
    if (!config) return nullptr;
    auto runtime = app::Runtime::Open(*config);
    EXPECT_TRUE(runtime) << runtime.error().message;
    return runtime ? std::move(*runtime) : nullptr;
  }

  CommandResult Wissen(const std::string& arguments) {
    const std::string command = std::string(WISSEN_BINARY) + " --config " +
                                (dir_ / "wissen.toml").string() + " " + arguments + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  store::IndexState State(app::Runtime& runtime) {
    auto state = runtime.catalog().GetIndexState();
    EXPECT_TRUE(state && state->has_value());
    return state && state->has_value() ? **state : store::IndexState{};
  }

  Result<std::vector<Passage>> Search(app::Runtime& runtime, const std::string& query,
                                      retriever::RetrievalMode mode) {
    auto snapshot = retriever::LoadSnapshot(runtime.config().index_dir());
    if (!snapshot) return Fail(snapshot.error());
    retriever::RetrieverOptions options = runtime.config().retrieval;
    options.mode = mode;
    const retriever::Retriever retriever(runtime.embedder(), options);
    return retriever.Search(**snapshot, runtime.catalog(), Principal("t", {}), query, 5);
  }

  fs::path dir_;
  std::string database_url_;
  FakeOpenAiServer fake_;
};

bool Cites(const std::vector<Passage>& passages, const std::string& path) {
  for (const Passage& p : passages) {
    if (p.path == path) return true;
  }
  return false;
}

TEST_F(EmbeddingsTest, OtherEmbedderRefusesSearchUntilReindexThenWorks) {
  UseFakeEmbedder();
  {
    auto runtime = Open();
    ASSERT_TRUE(runtime);
    EXPECT_EQ(State(*runtime).embedder_name, "wissen-hash");
    // The library refuses instead of comparing vectors of two models...
    auto refused = Search(*runtime, "Reisekosten abrechnen", retriever::RetrievalMode::kHybrid);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("run `wissen reindex`"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("openai:fake-embed"), std::string::npos);
    // ...and so does the answer pipeline, with the same message for the user.
    app::AnswerPipeline pipeline(runtime->config(), runtime->embedder(), nullptr);
    auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
    ASSERT_TRUE(snapshot);
    auto answer = pipeline.Ask(**snapshot, runtime->catalog(), Principal("t", {}),
                               "Bis wann muss ich Reisekosten abrechnen?", {}, {});
    ASSERT_FALSE(answer);
    EXPECT_NE(answer.error().message.find("wissen reindex"), std::string::npos);
    // Lexical search does not need vectors and still answers.
    auto lexical = Search(*runtime, "Reisekosten abrechnen", retriever::RetrievalMode::kLexical);
    ASSERT_TRUE(lexical) << lexical.error().message;
    EXPECT_TRUE(Cites(*lexical, "public/de/reisekostenrichtlinie.html"));
  }
  EXPECT_EQ(fake_.request_count(), 0u);  // refused before any vector was asked for

  // The command line tells the user what to do.
  const CommandResult search = Wissen("search \"Reisekosten abrechnen\"");
  EXPECT_EQ(search.exit_code, 2) << search.output;
  EXPECT_NE(search.output.find("run `wissen reindex`"), std::string::npos) << search.output;
  const CommandResult crawl = Wissen("crawl");
  EXPECT_EQ(crawl.exit_code, 2) << crawl.output;
  EXPECT_NE(crawl.output.find("wissen reindex"), std::string::npos) << crawl.output;

  const CommandResult reindex = Wissen("reindex");
  ASSERT_EQ(reindex.exit_code, 0) << reindex.output;
  EXPECT_NE(reindex.output.find("openai:fake-embed 1 (256 dimensions)"), std::string::npos)
      << reindex.output;
  // Passages went out with the passage prefix, in batches.
  bool prefixed = false;
  for (const auto& request : fake_.requests()) {
    const nlohmann::json body = request.Json();
    ASSERT_TRUE(body["input"].is_array());
    EXPECT_LE(body["input"].size(), 16u);
    prefixed = prefixed || body["input"][0].get<std::string>().starts_with("passage: ");
  }
  EXPECT_TRUE(prefixed);

  auto runtime = Open();
  ASSERT_TRUE(runtime);
  const store::IndexState state = State(*runtime);
  EXPECT_EQ(state.embedder_name, "openai:fake-embed");
  EXPECT_EQ(state.dimension, kDimension);
  EXPECT_TRUE(state.reindexing_to.empty());
  auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
  ASSERT_TRUE(snapshot && (*snapshot)->vectors);
  EXPECT_EQ((*snapshot)->vectors->identity().embedder_name, "openai:fake-embed");
  EXPECT_EQ((*snapshot)->vectors->identity().dimension, kDimension);
  EXPECT_EQ((*snapshot)->generation, state.generation);

  const size_t before_query = fake_.request_count();
  auto vector =
      Search(*runtime, "Reisekosten abrechnen Tagen Reiseende", retriever::RetrievalMode::kVector);
  ASSERT_TRUE(vector) << vector.error().message;
  EXPECT_TRUE(Cites(*vector, "public/de/reisekostenrichtlinie.html"));
  ASSERT_GT(fake_.request_count(), before_query);
  const std::string query_input = fake_.requests().back().Json()["input"][0].get<std::string>();
  EXPECT_EQ(query_input, "query: Reisekosten abrechnen Tagen Reiseende");

  // A crawl with the new embedder is accepted now.
  auto crawled = app::RunCrawl(*runtime, std::nullopt);
  EXPECT_TRUE(crawled) << crawled.error().message;
}

TEST_F(EmbeddingsTest, WrongDimensionFailsReindexAndKeepsTheOldGeneration) {
  int64_t live = 0;
  {
    auto runtime = Open();
    ASSERT_TRUE(runtime);
    live = State(*runtime).generation;
  }
  UseFakeEmbedder();
  fake_.SetEmbeddingDefault(EmbeddingBehavior::kWrongDimension);
  const CommandResult reindex = Wissen("reindex");
  EXPECT_EQ(reindex.exit_code, 2) << reindex.output;
  EXPECT_NE(reindex.output.find("257 dimensions"), std::string::npos) << reindex.output;
  EXPECT_NE(reindex.output.find("256 are configured"), std::string::npos) << reindex.output;
  EXPECT_NE(reindex.output.find("generation " + std::to_string(live) + " stays live"),
            std::string::npos)
      << reindex.output;

  // Nothing changed: the old embedder and generation are live, crawls are not blocked.
  Configure("");
  auto runtime = Open();
  ASSERT_TRUE(runtime);
  const store::IndexState state = State(*runtime);
  EXPECT_EQ(state.embedder_name, "wissen-hash");
  EXPECT_EQ(state.generation, live);
  EXPECT_TRUE(state.reindexing_to.empty());
  auto hybrid = Search(*runtime, "Reisekosten abrechnen", retriever::RetrievalMode::kHybrid);
  ASSERT_TRUE(hybrid) << hybrid.error().message;
  EXPECT_TRUE(Cites(*hybrid, "public/de/reisekostenrichtlinie.html"));
  auto crawled = app::RunCrawl(*runtime, std::nullopt);
  EXPECT_TRUE(crawled) << crawled.error().message;
}

TEST_F(EmbeddingsTest, ReindexFailingMidwayLeavesTheOldGenerationLive) {
  int64_t live = 0;
  {
    auto runtime = Open();
    ASSERT_TRUE(runtime);
    live = State(*runtime).generation;
  }
  UseFakeEmbedder();
  fake_.EnqueueEmbedding(EmbeddingBehavior::kOk);  // the probe passes
  fake_.EnqueueEmbedding(EmbeddingBehavior::kOk);  // the first batch too
  fake_.SetEmbeddingDefault(EmbeddingBehavior::kError500);
  const CommandResult reindex = Wissen("reindex");
  EXPECT_EQ(reindex.exit_code, 2) << reindex.output;
  EXPECT_NE(reindex.output.find("HTTP 500"), std::string::npos) << reindex.output;
  EXPECT_NE(reindex.output.find("stays live"), std::string::npos) << reindex.output;

  auto runtime = Open();
  ASSERT_TRUE(runtime);
  const store::IndexState state = State(*runtime);
  EXPECT_EQ(state.generation, live);
  EXPECT_EQ(state.embedder_name, "wissen-hash");
  auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
  ASSERT_TRUE(snapshot && (*snapshot)->vectors);
  EXPECT_EQ((*snapshot)->generation, live);
  EXPECT_EQ((*snapshot)->vectors->identity().embedder_name, "wissen-hash");
  // Crawls wait for the reindex to be finished; a second run with a working server does it.
  auto crawl = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_FALSE(crawl);
  EXPECT_NE(crawl.error().message.find("wissen reindex"), std::string::npos);
  fake_.SetEmbeddingDefault(EmbeddingBehavior::kOk);
  const CommandResult again = Wissen("reindex");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(State(*runtime).embedder_name, "openai:fake-embed");
  EXPECT_GT(State(*runtime).generation, live);
}

}  // namespace
}  // namespace wissen

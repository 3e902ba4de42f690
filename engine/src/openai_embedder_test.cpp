#include "wissen/engine/openai_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fake_embeddings.h"
#include "fake_openai_server.h"
#include "wissen/core/text.h"

namespace wissen::engine {
namespace {

using fake_openai::EmbeddingBehavior;
using fake_openai::FakeEmbeddingVector;
using fake_openai::FakeOpenAiServer;

constexpr int kDimension = 16;

std::vector<float> Normalized(std::vector<float> v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  if (norm > 0) {
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  }
  return v;
}

std::vector<float> Row(const std::vector<float>& all, size_t row) {
  return {all.begin() + static_cast<ptrdiff_t>(row * kDimension),
          all.begin() + static_cast<ptrdiff_t>((row + 1) * kDimension)};
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "component " << i;
}

std::vector<std::string> Inputs(const fake_openai::RecordedRequest& request) {
  std::vector<std::string> inputs;
  const nlohmann::json body = request.Json();  // kept alive: the loop below refers into it
  for (const auto& item : body["input"]) inputs.push_back(item.get<std::string>());
  return inputs;
}

class OpenAiEmbedderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    server_.SetEmbeddingDimension(kDimension);
  }
  void TearDown() override { server_.Stop(); }

  OpenAiEmbedderOptions Options() const {
    OpenAiEmbedderOptions options;
    options.base_url = server_.base_url();
    options.model = "embed-model";
    options.dimension = kDimension;
    options.retry_backoff_ms = 1;
    return options;
  }

  FakeOpenAiServer server_;
};

const std::vector<std::string> kTexts = {
    "Reisekosten müssen innerhalb von 30 Tagen abgerechnet werden.",
    "The VPN client is WireGuard.",
    "Urlaub beantragen Sie im Portal.",
    "Salary bands are reviewed every year.",
    "Passwords expire after 90 days.",
};

TEST_F(OpenAiEmbedderTest, EmbedsInBatchesWithUnitVectorsInInputOrder) {
  OpenAiEmbedderOptions options = Options();
  options.batch_size = 2;
  auto embedder = MakeOpenAiEmbedder(options);
  auto vectors = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  ASSERT_EQ(vectors->size(), kTexts.size() * kDimension);
  ASSERT_EQ(server_.request_count(), 3u);  // 2 + 2 + 1
  const auto requests = server_.requests();
  EXPECT_EQ(requests[0].path, "/v1/embeddings");
  EXPECT_EQ(requests[0].Json()["model"], "embed-model");
  EXPECT_EQ(Inputs(requests[2]), std::vector<std::string>{kTexts[4]});
  for (size_t i = 0; i < kTexts.size(); ++i) {
    const std::vector<float> row = Row(*vectors, i);
    double norm = 0;
    for (float x : row) norm += static_cast<double>(x) * x;
    EXPECT_NEAR(norm, 1.0, 1e-5) << "row " << i;  // the fake sends unnormalized counts
    ExpectNear(row, Normalized(FakeEmbeddingVector(kTexts[i], kDimension)));
  }
}

TEST_F(OpenAiEmbedderTest, ResponseIndexDecidesTheOrder) {
  server_.SetEmbeddingDefault(EmbeddingBehavior::kReversed);
  auto embedder = MakeOpenAiEmbedder(Options());
  auto vectors = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  for (size_t i = 0; i < kTexts.size(); ++i) {
    ExpectNear(Row(*vectors, i), Normalized(FakeEmbeddingVector(kTexts[i], kDimension)));
  }
}

TEST_F(OpenAiEmbedderTest, QueryAndPassagePrefixesAreSent) {
  OpenAiEmbedderOptions options = Options();
  options.query_prefix = "query: ";
  options.passage_prefix = "passage: ";
  auto embedder = MakeOpenAiEmbedder(options);
  ASSERT_TRUE(embedder->Embed({"wie lange gilt ein Passwort"}, EmbedPurpose::kQuery));
  ASSERT_TRUE(embedder->Embed({"Passwords expire."}, EmbedPurpose::kPassage));
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(Inputs(requests[0]), std::vector<std::string>{"query: wie lange gilt ein Passwort"});
  EXPECT_EQ(Inputs(requests[1]), std::vector<std::string>{"passage: Passwords expire."});
}

TEST_F(OpenAiEmbedderTest, InfoNamesModelVersionAndDimension) {
  OpenAiEmbedderOptions options = Options();
  EXPECT_EQ(MakeOpenAiEmbedder(options)->Info(), (EmbedderInfo{"openai:embed-model", "1", 16}));
  options.version = "2024-06";
  EXPECT_EQ(MakeOpenAiEmbedder(options)->Info().version, "2024-06");
}

TEST_F(OpenAiEmbedderTest, WrongDimensionIsAClearConfigError) {
  server_.SetEmbeddingDefault(EmbeddingBehavior::kWrongDimension);
  auto vectors = MakeOpenAiEmbedder(Options())->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kConfig);
  EXPECT_NE(vectors.error().message.find("17 dimensions"), std::string::npos)
      << vectors.error().message;
  EXPECT_NE(vectors.error().message.find("16 are configured"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);  // retrying cannot change the model's dimension
}

TEST_F(OpenAiEmbedderTest, RetriesAServerErrorThenSucceeds) {
  server_.EnqueueEmbedding(EmbeddingBehavior::kError500);
  server_.EnqueueEmbedding(EmbeddingBehavior::kError500Legacy);
  auto vectors = MakeOpenAiEmbedder(Options())->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(OpenAiEmbedderTest, ServerErrorsReadBothBodyShapes) {
  OpenAiEmbedderOptions options = Options();
  options.retries = 0;
  auto embedder = MakeOpenAiEmbedder(options);
  server_.EnqueueEmbedding(EmbeddingBehavior::kError500);
  auto first = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(first.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_NE(first.error().message.find("llama_decode failed"), std::string::npos);
  server_.EnqueueEmbedding(EmbeddingBehavior::kError500Legacy);
  auto second = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("The engine is dead."), std::string::npos)
      << second.error().message;
}

TEST_F(OpenAiEmbedderTest, ClientErrorIsNotRetried) {
  server_.SetEmbeddingDefault(EmbeddingBehavior::kError400);
  auto vectors = MakeOpenAiEmbedder(Options())->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(vectors.error().message.find("HTTP 400"), std::string::npos);
  EXPECT_NE(vectors.error().message.find("input is too large"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiEmbedderTest, HangingServerTimesOut) {
  server_.SetEmbeddingDefault(EmbeddingBehavior::kHang);
  OpenAiEmbedderOptions options = Options();
  options.request_timeout_ms = 200;
  options.retries = 1;
  auto vectors = MakeOpenAiEmbedder(options)->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(server_.request_count(), 2u);  // a timeout is worth one more try
}

TEST_F(OpenAiEmbedderTest, GarbageAndPerTokenVectorsAreParseErrors) {
  auto embedder = MakeOpenAiEmbedder(Options());
  server_.EnqueueEmbedding(EmbeddingBehavior::kGarbage);
  auto garbage = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kParse);
  server_.EnqueueEmbedding(EmbeddingBehavior::kPerToken);
  auto per_token = embedder->Embed(kTexts, EmbedPurpose::kPassage);
  ASSERT_FALSE(per_token);
  EXPECT_EQ(per_token.error().code, ErrorCode::kParse);
  EXPECT_NE(per_token.error().message.find("pooling"), std::string::npos);
}

TEST_F(OpenAiEmbedderTest, OversizedResponseIsRejected) {
  OpenAiEmbedderOptions options = Options();
  options.max_response_bytes = 1024;
  std::vector<std::string> many(20, "a text with several different words in it");
  auto vectors = MakeOpenAiEmbedder(options)->Embed(many, EmbedPurpose::kPassage);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kParse);
  EXPECT_NE(vectors.error().message.find("1024 bytes"), std::string::npos);
}

TEST_F(OpenAiEmbedderTest, EmptyTextGetsAZeroRowWithoutARequest) {
  auto embedder = MakeOpenAiEmbedder(Options());
  auto vectors = embedder->Embed({"  ", "Passwords expire."}, EmbedPurpose::kPassage);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  for (float x : Row(*vectors, 0)) EXPECT_EQ(x, 0.0f);
  ASSERT_EQ(server_.request_count(), 1u);
  EXPECT_EQ(Inputs(server_.requests()[0]), std::vector<std::string>{"Passwords expire."});
  auto none = embedder->Embed({}, EmbedPurpose::kQuery);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiEmbedderTest, LongInputIsCutAtACharacterBoundary) {
  OpenAiEmbedderOptions options = Options();
  options.max_input_chars = 102;  // falls inside the second "ä"
  const std::string long_text(300, 'a');
  auto embedder = MakeOpenAiEmbedder(options);
  ASSERT_TRUE(embedder->Embed({std::string(99, 'x') + "ääää"}, EmbedPurpose::kPassage));
  ASSERT_TRUE(embedder->Embed({long_text}, EmbedPurpose::kPassage));
  const auto requests = server_.requests();
  const std::string cut = Inputs(requests[0])[0];
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_EQ(cut, std::string(99, 'x') + "ä");
  EXPECT_EQ(Inputs(requests[1])[0].size(), 102u);
}

TEST_F(OpenAiEmbedderTest, SendsTheApiKeyAsBearerToken) {
  OpenAiEmbedderOptions options = Options();
  options.api_key = "sk-test-123";
  ASSERT_TRUE(MakeOpenAiEmbedder(options)->Embed({"hello"}, EmbedPurpose::kQuery));
  EXPECT_EQ(server_.requests()[0].Header("authorization"), "Bearer sk-test-123");
}

TEST_F(OpenAiEmbedderTest, UnreachableServerIsUnavailable) {
  OpenAiEmbedderOptions options = Options();
  server_.Stop();  // the port is closed now
  auto vectors = MakeOpenAiEmbedder(options)->Embed({"hello"}, EmbedPurpose::kQuery);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(vectors.error().message.find("cannot connect"), std::string::npos);
  EXPECT_EQ(vectors.error().message.find("sk-"), std::string::npos);
}

TEST(OpenAiEmbedderOptionsTest, ValidationNamesTheField) {
  OpenAiEmbedderOptions options;
  options.model = "m";
  auto no_dimension = ValidateOpenAiEmbedderOptions(options);
  ASSERT_FALSE(no_dimension);
  EXPECT_EQ(no_dimension.error().code, ErrorCode::kConfig);
  EXPECT_NE(no_dimension.error().message.find("dimension"), std::string::npos);
  options.dimension = 768;
  EXPECT_TRUE(ValidateOpenAiEmbedderOptions(options));
  options.base_url = "ftp://x";
  EXPECT_FALSE(ValidateOpenAiEmbedderOptions(options));
  options.base_url = "http://127.0.0.1:8081/v1";
  options.model.clear();
  EXPECT_FALSE(ValidateOpenAiEmbedderOptions(options));
  options.model = "m";
  options.batch_size = 0;
  EXPECT_FALSE(ValidateOpenAiEmbedderOptions(options));
  // An embedder built from bad options fails every call instead of sending requests.
  auto vectors = MakeOpenAiEmbedder(options)->Embed({"x"}, EmbedPurpose::kQuery);
  ASSERT_FALSE(vectors);
  EXPECT_EQ(vectors.error().code, ErrorCode::kConfig);
}

}  // namespace
}  // namespace wissen::engine

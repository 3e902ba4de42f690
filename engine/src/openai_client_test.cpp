#include "wissen/engine/openai_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_openai_server.h"
#include "wissen/core/text.h"

namespace wissen::engine {
namespace {

using fake_openai::Behavior;
using fake_openai::FakeOpenAiServer;

GenerationRequest TravelRequest(int passages = 3) {
  GenerationRequest request;
  request.question = "How many days of travel does the policy allow?";
  request.language = "en";
  for (int i = 1; i <= passages; ++i) {
    request.context.push_back({i, "Travel policy", "policies/travel.pdf", "Allowances", i,
                               "Passage " + std::to_string(i) + ": trips up to 30 days."});
  }
  return request;
}

std::string Joined(const std::vector<std::string>& pieces) {
  std::string text;
  for (const std::string& piece : pieces) text += piece;
  return text;
}

// A clock the test moves by hand, for the breaker's cooldown.
struct ManualClock {
  std::shared_ptr<std::atomic<int64_t>> ms = std::make_shared<std::atomic<int64_t>>(1'000'000);
  std::function<std::chrono::steady_clock::time_point()> Fn() const {
    return
        [ms = ms] { return std::chrono::steady_clock::time_point(std::chrono::milliseconds(*ms)); };
  }
  void Advance(int64_t by) { *ms += by; }
};

class OpenAiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
  }
  void TearDown() override { server_.Stop(); }

  OpenAiOptions Options() const {
    OpenAiOptions options;
    options.base_url = server_.base_url();
    options.model = "test-model";
    options.retry_backoff_ms = 1;
    options.total_timeout_ms = 20000;
    return options;
  }

  // Runs one call, collecting the streamed pieces.
  Result<GenerationResult> Run(OpenAiGenerator& generator, std::vector<std::string>* pieces,
                               const GenerationRequest& request = TravelRequest()) {
    return generator.Generate(request, [pieces](std::string_view delta) {
      pieces->emplace_back(delta);
      return true;
    });
  }

  FakeOpenAiServer server_;
};

// --- the three servers' wire formats ------------------------------------------------------

TEST_F(OpenAiClientTest, LlamaCppStreamDeliversTokensInOrder) {
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(pieces, server_.answer());
  EXPECT_EQ(result->text, Joined(pieces));
  EXPECT_EQ(result->text, "The travel policy allows 30 days [1].");
  EXPECT_EQ(result->generator, "openai:test-model");
  EXPECT_EQ(result->completion_tokens, 8);
  EXPECT_GT(result->prompt_tokens, 0);
  EXPECT_FALSE(result->fallback);
  EXPECT_EQ(generator->Name(), "openai:test-model");
}

TEST_F(OpenAiClientTest, SendsModelMessagesSamplingStreamAndKey) {
  OpenAiOptions options = Options();
  options.api_key = "sk-test-secret";
  options.seed = 42;
  options.temperature = 0.7;
  options.max_tokens = 300;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  ASSERT_TRUE(Run(*generator, &pieces));

  ASSERT_EQ(server_.request_count(), 1u);
  const auto request = server_.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/chat/completions");
  EXPECT_EQ(request.Header("authorization"), "Bearer sk-test-secret");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  const auto body = request.Json();
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_EQ(body["max_tokens"], 300);
  EXPECT_EQ(body["seed"], 42);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_NE(body["messages"][0]["content"].get<std::string>().find("[1]"), std::string::npos);
  EXPECT_EQ(body["messages"][1]["role"], "user");
  const std::string user = body["messages"][1]["content"];
  EXPECT_NE(user.find("How many days of travel"), std::string::npos);
  EXPECT_NE(user.find("[3] Travel policy"), std::string::npos);
  EXPECT_NE(user.find("Passage 2: trips up to 30 days."), std::string::npos);
}

TEST_F(OpenAiClientTest, WithoutKeyOrSeedSendsNeither) {
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  ASSERT_TRUE(Run(*generator, &pieces));
  const auto request = server_.requests().at(0);
  EXPECT_EQ(request.Header("authorization"), "");
  EXPECT_FALSE(request.Json().contains("seed"));
}

TEST_F(OpenAiClientTest, VllmStreamWithUsageOnlyLastChunk) {
  server_.SetDefault(Behavior::kVllm);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(pieces, server_.answer());
  EXPECT_EQ(result->text, Joined(server_.answer()));
  EXPECT_EQ(result->completion_tokens, 8);
  const int expected_prompt = static_cast<int>(server_.requests()[0].body.size() / 4);
  EXPECT_EQ(result->prompt_tokens, expected_prompt);
}

TEST_F(OpenAiClientTest, OllamaZeroPromptTokensOnCacheHitIsEstimatedNotZero) {
  server_.SetDefault(Behavior::kOllama);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->text, Joined(server_.answer()));
  EXPECT_EQ(result->completion_tokens, 8);
  EXPECT_GT(result->prompt_tokens, 10);  // estimated from the prompt's size
}

TEST_F(OpenAiClientTest, NonStreamingAnswerFromEachServer) {
  OpenAiOptions options = Options();
  options.stream = false;
  for (Behavior behavior : {Behavior::kLlamaCpp, Behavior::kVllm, Behavior::kOllama}) {
    server_.Enqueue(behavior);
    auto generator = MakeOpenAiGenerator(options);
    std::vector<std::string> pieces;
    auto result = Run(*generator, &pieces);
    ASSERT_TRUE(result) << result.error().ToString();
    EXPECT_EQ(result->text, "The travel policy allows 30 days [1].");
    EXPECT_EQ(pieces, std::vector<std::string>{result->text});
    EXPECT_EQ(result->completion_tokens, 8);
    EXPECT_GT(result->prompt_tokens, 0);
  }
  for (const auto& request : server_.requests()) {
    EXPECT_EQ(request.Json()["stream"], false);
    EXPECT_FALSE(request.Json().contains("stream_options"));
  }
}

TEST_F(OpenAiClientTest, JsonAnswerToAStreamingRequestIsAccepted) {
  server_.SetDefault(Behavior::kJson);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->text, Joined(server_.answer()));
}

TEST_F(OpenAiClientTest, PingCommentsAndCrLfLinesAreIgnored) {
  server_.SetDefault(Behavior::kPingComments);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(pieces, server_.answer());
}

TEST_F(OpenAiClientTest, InvalidUtf8InModelOutputIsSanitized) {
  server_.SetDefault(Behavior::kInvalidUtf8);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_TRUE(IsValidUtf8(result->text));
  EXPECT_NE(result->text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_NE(result->text.find("Caf"), std::string::npos);
  for (const std::string& piece : pieces) EXPECT_TRUE(IsValidUtf8(piece));
}

TEST_F(OpenAiClientTest, CitationOfAPassageNotGivenPassesThroughForTheGuard) {
  server_.SetDefault(Behavior::kUnknownCitation);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  // The client reports what the model said; the output guard judges citations.
  EXPECT_EQ(result->text, FakeOpenAiServer::UnknownCitationAnswer());
}

TEST_F(OpenAiClientTest, PromptInjectionInTheAnswerIsReturnedAsPlainText) {
  server_.SetDefault(Behavior::kPromptInjection);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->text, FakeOpenAiServer::PromptInjectionAnswer());
  EXPECT_EQ(server_.request_count(), 1u);  // the answer triggers nothing further
}

// --- stopping -----------------------------------------------------------------------------

TEST_F(OpenAiClientTest, OnTokenReturningFalseStopsAndReturnsThePartialText) {
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = generator->Generate(TravelRequest(), [&](std::string_view delta) {
    pieces.emplace_back(delta);
    return pieces.size() < 3;
  });
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(pieces.size(), 3u);
  EXPECT_EQ(result->text, "The travel policy");
  EXPECT_EQ(generator->breaker_state(), BreakerState::kClosed);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, EmptyTokenCallbackIsAllowed) {
  auto generator = MakeOpenAiGenerator(Options());
  auto result = generator->Generate(TravelRequest(), TokenCallback());
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->text, Joined(server_.answer()));
}

// --- failures -----------------------------------------------------------------------------

TEST_F(OpenAiClientTest, HangBeforeFirstTokenTimesOutAndIsRetried) {
  server_.SetDefault(Behavior::kHangBeforeFirstToken);
  OpenAiOptions options = Options();
  options.first_token_timeout_ms = 300;
  options.retries = 1;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("no answer token within 300 ms"), std::string::npos)
      << result.error().message;
  EXPECT_TRUE(pieces.empty());
  EXPECT_EQ(server_.request_count(), 2u);  // ping comments did not count as tokens
}

TEST_F(OpenAiClientTest, HangMidStreamHitsTotalTimeoutWithoutRetry) {
  server_.SetDefault(Behavior::kHangMidStream);
  OpenAiOptions options = Options();
  options.total_timeout_ms = 1000;
  options.retries = 2;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("broke off after 10 bytes in 2 pieces"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(pieces, (std::vector<std::string>{"The", " travel"}));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, ConnectionClosedMidStreamIsUnavailableWithoutRetry) {
  server_.SetDefault(Behavior::kCloseMidStream);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("broke off after 10 bytes in 2 pieces"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(pieces.size(), 2u);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, StreamEndingWithoutDoneIsIncomplete) {
  server_.SetDefault(Behavior::kNoDone);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("before the answer was complete"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, ServerErrorInOpenAiShapeIsRetriedThenReported) {
  server_.SetDefault(Behavior::kError500OpenAi);
  OpenAiOptions options = Options();
  options.retries = 2;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_NE(result.error().message.find("llama_decode failed: out of memory (server_error)"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(OpenAiClientTest, ServerErrorInVllmLegacyShapeIsReported) {
  server_.SetDefault(Behavior::kError500VllmLegacy);
  OpenAiOptions options = Options();
  options.retries = 0;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("The engine is dead. (InternalServerError)"),
            std::string::npos)
      << result.error().message;
}

TEST_F(OpenAiClientTest, RetryAfterServerErrorSucceeds) {
  server_.Enqueue(Behavior::kError500OpenAi);
  server_.Enqueue(Behavior::kError503NoBody);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->text, Joined(server_.answer()));
  EXPECT_EQ(pieces, server_.answer());  // nothing from the failed attempts
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(OpenAiClientTest, UnauthorizedIsNotRetried) {
  server_.SetDefault(Behavior::kUnauthorized);
  OpenAiOptions options = Options();
  options.api_key = "sk-wrong";
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("rejected the API key (HTTP 401)"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(result.error().message.find("sk-wrong"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, BadRequestIsNotRetriedAndQuotesTheServer) {
  server_.SetDefault(Behavior::kError400);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("maximum context length is 4096 tokens"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, WrongEndpointIsNotFound) {
  OpenAiOptions options = Options();
  options.base_url = "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/";
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("HTTP 404"), std::string::npos);
  EXPECT_EQ(server_.requests().at(0).path, "/api/chat/completions");
}

TEST_F(OpenAiClientTest, ErrorEventBeforeFirstTokenIsRetried) {
  server_.SetDefault(Behavior::kStreamError);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("error in the stream: TimeoutError (GatewayTimeout)"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(OpenAiClientTest, ErrorEventMidStreamSaysHowMuchWasStreamed) {
  server_.SetDefault(Behavior::kStreamErrorMidStream);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("broke off after 10 bytes in 2 pieces"), std::string::npos);
  EXPECT_NE(result.error().message.find("context shift failed"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, GarbageBodyIsAParseError) {
  server_.SetDefault(Behavior::kGarbage);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_NE(result.error().message.find("not a JSON object"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, GarbageStreamEventIsAParseError) {
  server_.SetDefault(Behavior::kGarbageStream);
  auto generator = MakeOpenAiGenerator(Options());
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_NE(result.error().message.find("stream event that is not a JSON object"),
            std::string::npos);
  EXPECT_TRUE(pieces.empty());
}

TEST_F(OpenAiClientTest, ResponseFloodIsCutAtTheSizeLimit) {
  server_.SetDefault(Behavior::kFlood);
  OpenAiOptions options = Options();
  options.max_response_bytes = 64 * 1024;
  auto generator = MakeOpenAiGenerator(options);
  size_t streamed = 0;
  auto result = generator->Generate(TravelRequest(), [&](std::string_view delta) {
    streamed += delta.size();
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_NE(result.error().message.find("exceeded 65536 bytes"), std::string::npos)
      << result.error().message;
  EXPECT_LT(streamed, 64u * 1024);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(OpenAiClientTest, ServerDownIsUnavailable) {
  OpenAiOptions options = Options();
  server_.Stop();  // the port is now closed
  options.retries = 1;
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("cannot connect"), std::string::npos)
      << result.error().message;
}

TEST_F(OpenAiClientTest, ApiKeyNeverReachesTheLog) {
  server_.SetDefault(Behavior::kError500OpenAi);
  OpenAiOptions options = Options();
  options.api_key = "sk-never-log-me";
  options.retries = 0;
  options.breaker_failures = 1;
  auto generator = MakeOpenAiGenerator(options);
  testing::internal::CaptureStderr();
  std::vector<std::string> pieces;
  auto result = Run(*generator, &pieces);
  const std::string log = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(result);
  EXPECT_NE(log.find("model_call_failed"), std::string::npos);
  EXPECT_EQ(log.find("sk-never-log-me"), std::string::npos);
  EXPECT_EQ(log.find("travel"), std::string::npos);  // no question or passage text either
}

// --- circuit breaker ----------------------------------------------------------------------

TEST_F(OpenAiClientTest, BreakerOpensFailsFastAndHalfOpensAfterCooldown) {
  server_.SetDefault(Behavior::kError500OpenAi);
  ManualClock clock;
  OpenAiOptions options = Options();
  options.retries = 0;
  options.breaker_failures = 3;
  options.breaker_cooldown_ms = 30000;
  options.now = clock.Fn();
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(generator->breaker_state(), BreakerState::kClosed);
    ASSERT_FALSE(Run(*generator, &pieces));
  }
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_TRUE(generator->BreakerOpen());
  EXPECT_EQ(generator->breaker_state(), BreakerState::kOpen);

  // Open: fails at once without contacting the server.
  auto fast = Run(*generator, &pieces);
  ASSERT_FALSE(fast);
  EXPECT_EQ(fast.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(fast.error().message.find("circuit breaker open"), std::string::npos);
  EXPECT_NE(fast.error().message.find("HTTP 500"), std::string::npos);  // the last cause
  clock.Advance(29999);
  ASSERT_FALSE(Run(*generator, &pieces));
  EXPECT_EQ(server_.request_count(), 3u);

  // Cooldown over: one probe goes through; its success closes the breaker.
  server_.SetDefault(Behavior::kLlamaCpp);
  clock.Advance(1);
  auto probe = Run(*generator, &pieces);
  ASSERT_TRUE(probe) << probe.error().ToString();
  EXPECT_EQ(server_.request_count(), 4u);
  EXPECT_EQ(generator->breaker_state(), BreakerState::kClosed);

  const ModelHealth health = generator->Health();
  EXPECT_EQ(health.calls, 6);
  EXPECT_EQ(health.failures, 3);
  EXPECT_EQ(health.rejected, 2);
  EXPECT_EQ(health.server_requests, 4);
  EXPECT_EQ(health.consecutive_failures, 0);
  EXPECT_STREQ(BreakerStateName(health.breaker), "closed");
}

TEST_F(OpenAiClientTest, FailedProbeOpensTheBreakerAgain) {
  server_.SetDefault(Behavior::kError500OpenAi);
  ManualClock clock;
  OpenAiOptions options = Options();
  options.retries = 0;
  options.breaker_failures = 2;
  options.breaker_cooldown_ms = 1000;
  options.now = clock.Fn();
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  ASSERT_FALSE(Run(*generator, &pieces));
  ASSERT_FALSE(Run(*generator, &pieces));
  EXPECT_EQ(generator->breaker_state(), BreakerState::kOpen);

  clock.Advance(1000);
  ASSERT_FALSE(Run(*generator, &pieces));  // the probe fails
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_EQ(generator->breaker_state(), BreakerState::kOpen);
  ASSERT_FALSE(Run(*generator, &pieces));  // a fresh cooldown: fails fast
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(OpenAiClientTest, SuccessResetsTheFailureCount) {
  ManualClock clock;
  OpenAiOptions options = Options();
  options.retries = 0;
  options.breaker_failures = 2;
  options.now = clock.Fn();
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  server_.Enqueue(Behavior::kError500OpenAi);
  server_.Enqueue(Behavior::kLlamaCpp);
  server_.Enqueue(Behavior::kError500OpenAi);
  ASSERT_FALSE(Run(*generator, &pieces));
  ASSERT_TRUE(Run(*generator, &pieces));
  ASSERT_FALSE(Run(*generator, &pieces));
  EXPECT_EQ(generator->breaker_state(), BreakerState::kClosed);
  EXPECT_EQ(generator->Health().consecutive_failures, 1);
}

// --- concurrency, options, messages ---------------------------------------------------------

TEST_F(OpenAiClientTest, ConcurrentCallsEachGetTheWholeAnswer) {
  server_.SetDefault(Behavior::kVllm);
  auto generator = MakeOpenAiGenerator(Options());
  constexpr int kThreads = 8;
  std::vector<std::string> texts(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto result = generator->Generate(TravelRequest(), {});
      texts[i] = result ? result->text : result.error().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& text : texts) EXPECT_EQ(text, Joined(server_.answer()));
  EXPECT_EQ(server_.request_count(), static_cast<size_t>(kThreads));
}

TEST(OpenAiOptionsTest, ValidateRejectsBadValues) {
  OpenAiOptions good;
  good.model = "m";
  EXPECT_TRUE(ValidateOpenAiOptions(good));
  auto rejects = [&](auto change) {
    OpenAiOptions options = good;
    change(options);
    auto valid = ValidateOpenAiOptions(options);
    return !valid && valid.error().code == ErrorCode::kConfig;
  };
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.model.clear(); }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.base_url = "ftp://x/v1"; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.temperature = 3; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.max_tokens = 0; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.first_token_timeout_ms = 0; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.retries = -1; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.breaker_failures = 0; }));
  EXPECT_TRUE(rejects([](OpenAiOptions& o) { o.api_key = "a\r\nX-Evil: 1"; }));
}

TEST(OpenAiOptionsTest, InvalidOptionsFailEveryCallWithConfigError) {
  OpenAiOptions options;  // no model
  auto generator = MakeOpenAiGenerator(options);
  auto result = generator->Generate(TravelRequest(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConfig);
}

TEST(OpenAiMessagesTest, DefaultMessagesFollowTheLanguageAndKeepHistory) {
  GenerationRequest request = TravelRequest(2);
  request.language = "de";
  request.history = {{"user", "Und Dienstreisen?"}, {"assistant", "Siehe [1]."}};
  auto turns = DefaultChatMessages(request);
  ASSERT_EQ(turns.size(), 4u);
  EXPECT_EQ(turns[0].role, "system");
  EXPECT_NE(turns[0].content.find("Antworte auf Deutsch"), std::string::npos);
  EXPECT_EQ(turns[1].content, "Und Dienstreisen?");
  EXPECT_EQ(turns[2].role, "assistant");
  EXPECT_EQ(turns[3].role, "user");
  EXPECT_NE(turns[3].content.find("[2] Travel policy › Allowances (Seite 2)"), std::string::npos);
  EXPECT_NE(turns[3].content.find("Frage: How many days"), std::string::npos);
}

TEST_F(OpenAiClientTest, CustomMessageBuilderIsUsed) {
  OpenAiOptions options = Options();
  options.build_messages = [](const GenerationRequest& request) {
    return std::vector<ChatTurn>{{"system", "custom system"}, {"user", request.question}};
  };
  auto generator = MakeOpenAiGenerator(options);
  std::vector<std::string> pieces;
  ASSERT_TRUE(Run(*generator, &pieces));
  const auto body = server_.requests().at(0).Json();
  EXPECT_EQ(body["messages"][0]["content"], "custom system");
  EXPECT_EQ(body["messages"][1]["content"], TravelRequest().question);
}

}  // namespace
}  // namespace wissen::engine

// A Generator that asks an OpenAI-compatible chat server (/v1/chat/completions): llama.cpp's
// llama-server, Ollama's /v1 and vLLM.
//
// Streams the answer by default (Server-Sent Events), parses both error body shapes
// ({"error":{...}} and vLLM's older {"object":"error",...}), and guards the caller against a
// slow or broken model: connect, first-token and total timeouts; retries only before the
// first token reaches the caller; a circuit breaker that fails fast after repeated failures.
// Every failure is a clean Error (kUnavailable, kTimeout or kParse, or kConfig for options
// that ValidateOpenAiOptions rejects) whose message says why; the answer pipeline then falls
// back to the extractive answer. Model output is untrusted: it is size-limited and its UTF-8
// sanitized, and it is never logged. Neither is the API key.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wissen/core/result.h"
#include "wissen/engine/generator.h"

namespace wissen::engine {

struct OpenAiOptions {
  // Up to and including the version segment; "/chat/completions" is appended.
  // Default: llama-server's "http://127.0.0.1:8080/v1" (Ollama: http://127.0.0.1:11434/v1,
  // vLLM: http://127.0.0.1:8000/v1).
  std::string base_url = "http://127.0.0.1:8080/v1";
  // Sent as "Authorization: Bearer <api_key>" when not empty. Never logged. Default: empty.
  std::string api_key;
  // The model name the server expects (vLLM and Ollama check it). Required.
  std::string model;
  // Sampling temperature, 0..2. Default: 0.2.
  double temperature = 0.2;
  // Upper bound on answer tokens. Default: 512.
  int max_tokens = 512;
  // Fixed sampling seed for reproducible answers. Default: none (the server picks).
  std::optional<int> seed;
  // Stream the answer token by token (SSE). Default: true.
  bool stream = true;

  // Time to establish the TCP (and TLS) connection. Default: 2000.
  int connect_timeout_ms = 2000;
  // Streaming only: time from sending the request to the first token of the answer (prompt
  // processing is most of it). Keep-alive comments do not count as tokens. Default: 30000.
  int first_token_timeout_ms = 30000;
  // Time for the whole call, retries and backoff included. Default: 120000.
  int total_timeout_ms = 120000;
  // Extra attempts after a failure, only while nothing has reached the caller yet (not after
  // a 4xx, which would fail the same way again). Backoff before retry n (0-based) is
  // retry_backoff_ms * 2^n. Default: 2 retries, 200 ms.
  int retries = 2;
  int retry_backoff_ms = 200;
  // Consecutive failed calls that open the circuit breaker; while open, calls fail at once
  // with kUnavailable without contacting the server. After breaker_cooldown_ms one probe call
  // is let through (half-open): success closes the breaker, failure opens it again.
  // Default: 3 failures, 30000 ms.
  int breaker_failures = 3;
  int breaker_cooldown_ms = 30000;
  // Upper bound on the bytes of one response; more is treated as a broken server (kParse).
  // Default: 4 MiB.
  int64_t max_response_bytes = int64_t{4} << 20;

  // Turns a request into chat messages (roles "system", "user", "assistant"). Default (when
  // empty): a system message telling the model to answer only from the numbered context in
  // the request's language and to cite [n], the history, then the passages and the question.
  std::function<std::vector<ChatTurn>(const GenerationRequest&)> build_messages;
  // The breaker's clock, replaceable for tests. Timeouts always use the real steady clock.
  // Default: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

// Checks the options once at startup; kConfig with the offending field otherwise.
Result<void> ValidateOpenAiOptions(const OpenAiOptions& options);

// The builder used when OpenAiOptions::build_messages is empty.
std::vector<ChatTurn> DefaultChatMessages(const GenerationRequest& request);

enum class BreakerState {
  kClosed,    // calls go to the server
  kOpen,      // calls fail fast until the cooldown has passed
  kHalfOpen,  // one probe call is under way; others fail fast
};

// "closed", "open", "half_open", for metrics.
const char* BreakerStateName(BreakerState state);

// A snapshot for metrics and the health endpoint.
struct ModelHealth {
  BreakerState breaker = BreakerState::kClosed;
  int consecutive_failures = 0;
  int64_t calls = 0;            // Generate calls, including those failed fast
  int64_t failures = 0;         // calls that returned an Error
  int64_t rejected = 0;         // calls failed fast by the open breaker
  int64_t server_requests = 0;  // HTTP requests sent, retries included
  std::string last_error;       // "code: message" of the last failure; empty when none
};

// Thread-safe: any number of Generate calls may run at once; they share the breaker.
// Generate calls `on_token` on the calling thread. The answer's token counts come from the
// server's usage (or llama.cpp's timings); when a server reports 0 prompt tokens (Ollama after
// a prompt-cache hit) the count is estimated from the prompt's size (bytes / 4).
class OpenAiGenerator : public Generator {
 public:
  // `options` should have passed ValidateOpenAiOptions; otherwise every call fails (kConfig).
  explicit OpenAiGenerator(OpenAiOptions options);
  ~OpenAiGenerator() override;
  OpenAiGenerator(const OpenAiGenerator&) = delete;
  OpenAiGenerator& operator=(const OpenAiGenerator&) = delete;

  // Errors: kUnavailable (cannot connect, HTTP error status, connection lost, breaker open),
  // kTimeout, kParse (a body that is not the protocol, or larger than max_response_bytes).
  // A failure after part of the answer was streamed is an Error too; its message says how
  // much had been streamed. Stopped by `on_token`: returns the text so far, not an error.
  Result<GenerationResult> Generate(const GenerationRequest& request,
                                    const TokenCallback& on_token) override;
  // "openai:<model>".
  std::string Name() const override;

  BreakerState breaker_state() const;
  bool BreakerOpen() const { return breaker_state() != BreakerState::kClosed; }
  ModelHealth Health() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<OpenAiGenerator> MakeOpenAiGenerator(OpenAiOptions options);

}  // namespace wissen::engine

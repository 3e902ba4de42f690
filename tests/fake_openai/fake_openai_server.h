// A scripted OpenAI-compatible chat server for tests: HTTP/1.1 on 127.0.0.1 with an
// ephemeral port, serving POST /v1/chat/completions from a thread inside the test process,
// and POST /v1/embeddings (fake_embeddings.h: include it to script embedding behaviours).
//
// Each behaviour replays one server's real wire format (llama.cpp's llama-server, vLLM,
// Ollama's /v1) or one way a model server fails. Requests are answered one behaviour each,
// from a queue (Enqueue) and then the default (SetDefault); every request received is
// recorded so tests can assert what the client sent. Thread-safe. Stop() (or the destructor)
// wakes every hanging connection, joins all threads and closes all sockets.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace wissen::fake_openai {

enum class Behavior {
  // Streams when the request says "stream": true, else one JSON body, in each server's shape.
  kLlamaCpp,              // role chunk, content chunks, a last chunk with usage and timings, [DONE]
  kVllm,                  // content chunks, a usage-only chunk (if include_usage), [DONE]
  kOllama,                // like vLLM but usage.prompt_tokens is 0 (a prompt-cache hit)
  kJson,                  // llama.cpp's non-streaming body even when streaming was asked for
  kPingComments,          // llama.cpp stream with ": ping" comment lines and CRLF line ends
  kHangBeforeFirstToken,  // role chunk, then ": ping" every 100 ms and never a token
  kHangMidStream,         // two tokens, then silence until the client goes away
  kCloseMidStream,        // two tokens, then the connection closes mid-chunked-body
  kNoDone,                // two tokens, then a clean end without finish_reason or [DONE]
  kError500OpenAi,        // HTTP 500 {"error":{"code","message","type"}}
  kError500VllmLegacy,    // HTTP 500 {"object":"error","message","type","param","code"}
  kError400,              // HTTP 400, context too long (vLLM's newer shape)
  kError503NoBody,        // HTTP 503 with an empty body
  kUnauthorized,          // HTTP 401 {"error":{...,"type":"authentication_error"}}
  kStreamError,           // HTTP 200, then data: {"error":{...}} before any token, [DONE]
  kStreamErrorMidStream,  // two tokens, then data: {"error":{...}}, [DONE]
  kGarbage,               // HTTP 200 application/json with an HTML and binary body
  kGarbageStream,         // HTTP 200 event stream whose data is not JSON
  kInvalidUtf8,           // a stream whose content holds raw ill-formed UTF-8 bytes
  kFlood,                 // endless content chunks until the client hangs up
  kUnknownCitation,       // llama.cpp stream citing [7] (the tests give fewer passages)
  kPromptInjection,       // llama.cpp stream whose answer carries injection text
  kEchoPrompt,            // llama.cpp stream whose answer is every message sent, verbatim: the
                          // worst case for leaks (whatever reached the prompt is "answered")
};

// Declared in fake_embeddings.h.
enum class EmbeddingBehavior;
struct EmbeddingsReply;

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The body as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

class FakeOpenAiServer {
 public:
  FakeOpenAiServer();
  ~FakeOpenAiServer();
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  // Binds 127.0.0.1:0 and starts serving. Returns false (with errno-based text in *error)
  // when the socket cannot be set up.
  bool Start(std::string* error = nullptr);
  // Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/v1", what OpenAiOptions::base_url expects.
  std::string base_url() const;

  void SetDefault(Behavior behavior);
  // Answers the next request with `behavior`; queued behaviours are used in order.
  void Enqueue(Behavior behavior);
  // The content pieces streamed by the normal behaviours. Default: an English answer in
  // eight pieces citing [1].
  void SetAnswer(std::vector<std::string> pieces);
  std::vector<std::string> answer() const;

  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;

  // /v1/embeddings: the vector dimension (default 16), the behaviour when none is queued
  // (default kOk), and one behaviour for the next embeddings request each.
  void SetEmbeddingDimension(int dimension);
  void SetEmbeddingDefault(EmbeddingBehavior behavior);
  void EnqueueEmbedding(EmbeddingBehavior behavior);

  // The texts the special behaviours answer with, for assertions.
  static const char* UnknownCitationAnswer();
  static const char* PromptInjectionAnswer();

 private:
  void AcceptLoop();
  void Serve(int fd);
  Behavior NextBehavior();
  EmbeddingsReply AnswerEmbeddings(const RecordedRequest& request);

  int listen_fd_ = -1;
  int stop_read_fd_ = -1;
  int stop_write_fd_ = -1;
  int port_ = 0;
  std::thread accept_thread_;

  mutable std::mutex mutex_;
  std::vector<std::thread> connections_;  // guarded by mutex_
  std::deque<Behavior> queue_;            // guarded by mutex_
  Behavior default_ = Behavior::kLlamaCpp;
  std::vector<std::string> answer_;
  std::vector<RecordedRequest> requests_;
  std::deque<EmbeddingBehavior> embedding_queue_;  // guarded by mutex_
  EmbeddingBehavior embedding_default_{};          // kOk
  int embedding_dimension_ = 16;
};

}  // namespace wissen::fake_openai

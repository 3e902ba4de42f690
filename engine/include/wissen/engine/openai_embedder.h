// An Embedder that asks an OpenAI-compatible embeddings server (/v1/embeddings): llama.cpp's
// `llama-server --embedding`, Ollama's /v1, vLLM and Hugging Face TEI.
//
// Texts are sent in batches; the response's data[i].index decides which vector belongs to
// which text. Every vector is checked against the configured dimension and L2-normalized
// (not every server normalizes; the index's inner product must be a cosine). Connection
// failures, timeouts and 5xx/429 answers are retried with exponential backoff; other 4xx are
// not. Both error body shapes ({"error":{...}} and vLLM's older {"object":"error",...}) are
// read. Neither the API key nor any text is ever logged.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "wissen/core/result.h"
#include "wissen/engine/embedder.h"

namespace wissen::engine {

struct OpenAiEmbedderOptions {
  // Up to and including the version segment; "/embeddings" is appended.
  // Default: "http://127.0.0.1:8081/v1" (llama-server --embedding --port 8081; Ollama:
  // http://127.0.0.1:11434/v1, vLLM: http://127.0.0.1:8000/v1, TEI: http://127.0.0.1:8080/v1).
  std::string base_url = "http://127.0.0.1:8081/v1";
  // The model name the server expects (Ollama and vLLM check it). Required.
  std::string model;
  // Sent as "Authorization: Bearer <api_key>" when not empty. Never logged. Default: empty.
  std::string api_key;
  // The model's vector dimension; every returned vector must have it. Required.
  int dimension = 0;
  // Recorded in the index with the model name. Change it whenever the vectors change without
  // the model name changing (new weights under the same name, other prefixes, other
  // max_input_chars), so the index asks for `wissen reindex`. Default: "1".
  std::string version = "1";
  // Texts per request. Default: 32.
  int batch_size = 32;
  // Longer texts (prefix included) are cut to this many bytes at a character boundary, so
  // they fit a 512-token model's context. Default: 2000.
  int max_input_chars = 2000;
  // Prepended to queries and to passages; e5-style models expect "query: " / "passage: ",
  // nomic-embed "search_query: " / "search_document: ". Default: empty.
  std::string query_prefix;
  std::string passage_prefix;
  // Time to establish the connection. Default: 2000.
  int connect_timeout_ms = 2000;
  // Time for one request (one batch), per attempt. Default: 60000.
  int request_timeout_ms = 60000;
  // Extra attempts after a connection failure, a timeout, or a 408/429/5xx answer; backoff
  // before retry n (0-based) is retry_backoff_ms * 2^n. Default: 2 retries, 200 ms.
  int retries = 2;
  int retry_backoff_ms = 200;
  // Upper bound on the bytes of one response; more is a broken server (kParse).
  // Default: 64 MiB.
  int64_t max_response_bytes = int64_t{64} << 20;
};

// Checks the options once at startup; kConfig naming the offending field otherwise.
Result<void> ValidateOpenAiEmbedderOptions(const OpenAiEmbedderOptions& options);

// Info() is {"openai:<model>", version, dimension}. Embed errors: kUnavailable (cannot
// connect, HTTP error status, an error body), kTimeout, kParse (a body that is not the
// protocol, a non-finite value, indices that do not cover the batch, a response larger than
// max_response_bytes), kConfig (vectors of another dimension than configured, or options
// that ValidateOpenAiEmbedderOptions rejects). Empty or white-space-only texts get a zero row
// without a request. Thread-safe.
std::unique_ptr<Embedder> MakeOpenAiEmbedder(OpenAiEmbedderOptions options);

}  // namespace wissen::engine

// The /v1/embeddings half of the fake OpenAI-compatible server: deterministic vectors derived
// from the input text and the ways embedding servers fail. Test-only.
#pragma once

#include <string>
#include <vector>

#include "fake_openai_server.h"

namespace wissen::fake_openai {

enum class EmbeddingBehavior {
  kOk,              // OpenAI/llama.cpp/vLLM body: {"object":"list","data":[...],"model",...}
  kReversed,        // the same vectors, data listed last input first (index tells the truth)
  kWrongDimension,  // vectors one component longer than the configured dimension
  kError500,        // HTTP 500 {"error":{"code","message","type"}}
  kError500Legacy,  // HTTP 500 vLLM's older {"object":"error","message",...}
  kError400,        // HTTP 400: input too long ({"error":{...}}, not worth a retry)
  kHang,            // reads the request, then never answers until the client goes away
  kGarbage,         // HTTP 200 with an HTML body
  kPerToken,        // llama-server with --pooling none: one vector per token for each input
};

// What the server sends for one embeddings request (hang: nothing until the client leaves).
struct EmbeddingsReply {
  bool hang = false;
  int status = 200;
  std::string reason = "OK";
  std::string body;
};

// The fake's vector for `text`, unnormalized: a signed hashed bag of lower-cased words
// (runs of ASCII letters and digits and all non-ASCII bytes), so texts sharing words are
// near each other. Text without words gives a zero vector.
std::vector<float> FakeEmbeddingVector(const std::string& text, int dimension);

// Builds the reply to a recorded /v1/embeddings request.
EmbeddingsReply AnswerEmbeddingsRequest(const RecordedRequest& request, EmbeddingBehavior behavior,
                                        int dimension);

}  // namespace wissen::fake_openai

// Pieces of the OpenAI-compatible wire protocol shared by the chat client and the
// embeddings client: reading a server's error body and deciding what is worth a retry.
// Engine-private. Thread-safe (no state).
#pragma once

#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "wissen/core/result.h"

namespace wissen::engine::internal {

// Why one attempt at a model server failed, and whether another attempt may help.
struct AttemptFailure {
  Error error;
  bool retryable = false;
  std::string kind;  // short category for logs and metrics; never server text
};

// For Retry (wissen/core/retry.h): a failed attempt that another attempt may get past.
template <typename T>
bool WorthRetrying(const std::expected<T, AttemptFailure>& result) {
  return !result && result.error().retryable;
}

// A model server's body or stream event as JSON: UTF-8 repaired, nesting bounded (see
// wissen/core/json.h). A discarded value (is_discarded()) when it is not JSON.
nlohmann::json ParseServerJson(std::string_view text);

// A server's text made safe to carry in an Error: valid UTF-8, one line, at most ~300 bytes.
std::string QuoteServerText(std::string_view text);

// The message of either error shape: {"error":{"message":...,"type":...}} (OpenAI, llama.cpp,
// newer vLLM, Ollama, TEI's OpenAI route), {"object":"error","message":...,"type":...} (older
// vLLM), or {"error":"..."} / {"detail":"..."} from proxies and frameworks. Empty when none.
std::string ErrorMessageOf(const nlohmann::json& body);

// True for a body that is an error object in either shape.
bool IsErrorObject(const nlohmann::json& body);

// Statuses a later attempt may get past: timeouts, rate limits and server errors. Other 4xx
// would fail the same way again.
bool RetryableStatus(long status);

}  // namespace wissen::engine::internal

// A streaming HTTP POST over libcurl with caller-controlled deadlines.
//
// The model client needs more than libcurl's own timeouts: the deadline moves once the first
// token arrives, and the caller may stop mid-body. So the transfer runs on curl's multi
// interface in the calling thread and asks the handler for the current deadline between
// waits (at most 50 ms apart). Proxies from the environment are not used: prompts carry
// company documents and go straight to the configured model server. Thread-safe: every call
// uses its own handles.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace wissen::engine::internal {

struct HttpPostRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int connect_timeout_ms = 2000;
};

// Receives the response as it arrives. Called on the thread that called PerformPost.
class HttpResponseHandler {
 public:
  virtual ~HttpResponseHandler() = default;
  // The status line and headers are in; returns false to stop the transfer.
  virtual bool OnStart(long status, std::string_view content_type) = 0;
  // A piece of the (de-chunked) body; returns false to stop the transfer.
  virtual bool OnBody(std::string_view bytes) = 0;
  // When the transfer must end; asked again after every read, so it may move.
  virtual std::chrono::steady_clock::time_point Deadline() const = 0;
};

enum class HttpEnd {
  kComplete,        // the server sent the whole response
  kStopped,         // the handler returned false
  kDeadline,        // Deadline() passed
  kConnectFailed,   // refused, unreachable, unresolvable
  kConnectTimeout,  // no connection within connect_timeout_ms
  kBroken,          // the connection failed after it was established (closed mid-body, reset)
  kFailed,          // anything else (bad URL, out of memory)
};

struct HttpOutcome {
  HttpEnd end = HttpEnd::kFailed;
  long status = 0;       // 0 when no status line arrived
  bool started = false;  // OnStart was called
  std::string detail;    // libcurl's description of a failure; never contains request data
};

// Sends `request` and streams the response into `handler`. Never throws.
HttpOutcome PerformPost(const HttpPostRequest& request, HttpResponseHandler& handler);

}  // namespace wissen::engine::internal

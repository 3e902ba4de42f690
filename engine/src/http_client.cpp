#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace wissen::engine::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Longest wait between deadline checks.
constexpr int kPollSliceMs = 50;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct TransferState {
  CURL* easy = nullptr;
  HttpResponseHandler* handler = nullptr;
  bool started = false;
  bool stopped = false;
};

bool Start(TransferState& state) {
  state.started = true;
  long status = 0;
  curl_easy_getinfo(state.easy, CURLINFO_RESPONSE_CODE, &status);
  const char* content_type = nullptr;
  curl_easy_getinfo(state.easy, CURLINFO_CONTENT_TYPE, &content_type);
  return state.handler->OnStart(status, content_type == nullptr ? "" : content_type);
}

// libcurl is C: nothing may be thrown through it, so handler exceptions end the transfer.
size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto& state = *static_cast<TransferState*>(user);
  const size_t bytes = size * count;
  try {
    if (!state.started && !Start(state)) {
      state.stopped = true;
      return 0;
    }
    if (!state.handler->OnBody(std::string_view(data, bytes))) {
      state.stopped = true;
      return 0;
    }
  } catch (...) {
    state.stopped = true;
    return 0;
  }
  return bytes;
}

HttpEnd MapCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return HttpEnd::kComplete;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return HttpEnd::kConnectFailed;
    case CURLE_OPERATION_TIMEDOUT:  // only the connect timeout is given to libcurl
      return HttpEnd::kConnectTimeout;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return HttpEnd::kBroken;
    default:
      return HttpEnd::kFailed;
  }
}

}  // namespace

HttpOutcome PerformPost(const HttpPostRequest& request, HttpResponseHandler& handler) {
  InitCurlOnce();
  HttpOutcome outcome;
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!easy || !multi) {
    outcome.detail = "libcurl could not be initialised";
    return outcome;
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& header : request.headers) {
    curl_slist* appended = curl_slist_append(headers.get(), header.c_str());
    if (appended == nullptr) {
      outcome.detail = "out of memory";
      return outcome;
    }
    headers.release();
    headers.reset(appended);
  }
  // A 100-continue round trip only adds latency; model servers answer directly.
  if (curl_slist* appended = curl_slist_append(headers.get(), "Expect:")) {
    headers.release();
    headers.reset(appended);
  }

  TransferState state;
  state.easy = easy.get();
  state.handler = &handler;
  char error_buffer[CURL_ERROR_SIZE] = {};

  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);

  if (curl_multi_add_handle(multi.get(), e) != CURLM_OK) {
    outcome.detail = "libcurl could not start the transfer";
    return outcome;
  }
  bool deadline_passed = false;
  int running = 1;
  while (true) {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
    if (running == 0) break;
    const Clock::time_point now = Clock::now();
    const Clock::time_point deadline = handler.Deadline();
    if (now >= deadline) {
      deadline_passed = true;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    const int wait_ms = static_cast<int>(std::clamp<long long>(left.count(), 1, kPollSliceMs));
    if (curl_multi_poll(multi.get(), nullptr, 0, wait_ms, nullptr) != CURLM_OK) break;
  }

  CURLcode code = CURLE_OK;
  bool finished = false;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == e) {
      code = message->data.result;
      finished = true;
    }
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &outcome.status);

  if (state.stopped) {
    outcome.end = HttpEnd::kStopped;
  } else if (deadline_passed) {
    outcome.end = HttpEnd::kDeadline;
  } else if (!finished) {
    outcome.end = HttpEnd::kFailed;
    outcome.detail = "libcurl stopped unexpectedly";
  } else {
    outcome.end = MapCurlCode(code);
    if (code != CURLE_OK) {
      outcome.detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    }
  }
  // An empty body (a bare 500, a 204) never reaches the write callback.
  if (outcome.end == HttpEnd::kComplete && !state.started) {
    try {
      if (!Start(state)) outcome.end = HttpEnd::kStopped;
    } catch (...) {
      outcome.end = HttpEnd::kStopped;
    }
  }
  outcome.started = state.started;
  curl_multi_remove_handle(multi.get(), e);
  return outcome;
}

}  // namespace wissen::engine::internal

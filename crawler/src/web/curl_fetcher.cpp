// The libcurl fetcher behind MakeCurlFetcher: one reused easy handle, so connections are kept
// alive between requests to the same host.
#include <curl/curl.h>

#include <chrono>
#include <mutex>

#include "wissen/crawler/http_fetcher.h"

namespace wissen::crawler {
namespace {

using Clock = std::chrono::steady_clock;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string_view TrimHeaderValue(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  return value;
}

bool HeaderIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

struct Transfer {
  FetchResponse* response = nullptr;
  int64_t max_body_bytes = 0;
  int read_timeout_ms = 0;
  bool too_large = false;
  bool stalled = false;
  curl_off_t last_received = -1;
  Clock::time_point last_progress = Clock::now();
};

// libcurl is C: nothing may be thrown through these callbacks.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  FetchResponse& r = *transfer.response;
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue, say): forget the previous one's headers.
    r.content_type.clear();
    r.etag.clear();
    r.last_modified.clear();
    r.location.clear();
  } else if (HeaderIs(line, "content-type")) {
    r.content_type = TrimHeaderValue(line.substr(13));
  } else if (HeaderIs(line, "etag")) {
    r.etag = TrimHeaderValue(line.substr(5));
  } else if (HeaderIs(line, "last-modified")) {
    r.last_modified = TrimHeaderValue(line.substr(14));
  } else if (HeaderIs(line, "location")) {
    r.location = TrimHeaderValue(line.substr(9));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (static_cast<int64_t>(transfer.response->body.size() + bytes) > transfer.max_body_bytes) {
    transfer.too_large = true;
    return 0;  // stops the transfer
  }
  transfer.response->body.append(data, bytes);
  return bytes;
}

// Read timeout: no new bytes for read_timeout_ms (libcurl's own low-speed limit only has
// whole-second granularity).
int OnProgress(void* user, curl_off_t, curl_off_t now_received, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  const auto now = Clock::now();
  if (now_received != transfer.last_received) {
    transfer.last_received = now_received;
    transfer.last_progress = now;
    return 0;
  }
  if (now - transfer.last_progress > std::chrono::milliseconds(transfer.read_timeout_ms)) {
    transfer.stalled = true;
    return 1;
  }
  return 0;
}

class CurlFetcher final : public Fetcher {
 public:
  explicit CurlFetcher(FetcherOptions options) : options_(std::move(options)) {
    InitCurlOnce();
    easy_ = curl_easy_init();
  }
  ~CurlFetcher() override {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
  }
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  FetchResponse Fetch(const FetchRequest& request) override {
    FetchResponse response;
    if (easy_ == nullptr) {
      response.error = "cannot initialise libcurl";
      return response;
    }
    // Reset keeps the connection cache; every option is set again below.
    curl_easy_reset(easy_);
    Transfer transfer;
    transfer.response = &response;
    transfer.max_body_bytes = request.max_body_bytes;
    transfer.read_timeout_ms = options_.read_timeout_ms;
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    for (const auto& [name, value] : request.headers) {
      const std::string line = name + ": " + value;
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    curl_easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // gzip, deflate, br as built
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_body_bytes));
    if (!options_.ca_file.empty())
      curl_easy_setopt(easy_, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, &transfer);

    const CURLcode code = curl_easy_perform(easy_);
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    if (code == CURLE_OK) {
      response.outcome = FetchResponse::Outcome::kResponse;
      return response;
    }
    response.body.clear();
    if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      response.outcome = FetchResponse::Outcome::kTooLarge;
      response.error = "response larger than max_body_kb";
    } else if (transfer.stalled || code == CURLE_OPERATION_TIMEDOUT) {
      response.outcome = FetchResponse::Outcome::kTimeout;
      response.error = "timed out";
    } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
               code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION ||
               code == CURLE_SSL_CACERT_BADFILE) {
      response.outcome = FetchResponse::Outcome::kConnectFailed;
      response.error = curl_easy_strerror(code);
    } else {
      response.outcome = FetchResponse::Outcome::kError;
      response.error = curl_easy_strerror(code);
    }
    return response;
  }

 private:
  FetcherOptions options_;
  CURL* easy_ = nullptr;
};

}  // namespace

std::unique_ptr<Fetcher> MakeCurlFetcher(const FetcherOptions& options) {
  return std::make_unique<CurlFetcher>(options);
}

}  // namespace wissen::crawler

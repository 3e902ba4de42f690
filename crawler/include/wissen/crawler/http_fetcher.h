// The HTTP fetcher the web source uses: one GET at a time, no redirects followed (the crawler
// checks every hop against its scope and robots.txt), bodies capped. An interface so tests
// and tools can replace the network (STYLE.md: a replaceable environment).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace wissen::crawler {

struct FetchRequest {
  std::string url;
  // Extra request headers (authorization, If-None-Match, If-Modified-Since). Never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t max_body_bytes = 20LL << 20;
};

struct FetchResponse {
  enum class Outcome {
    kResponse,       // the server answered with `status` (any status, 3xx included)
    kTimeout,        // connect or read timeout
    kConnectFailed,  // DNS, refused, TLS handshake or certificate failure
    kTooLarge,       // the body exceeded max_body_bytes (the transfer was stopped)
    kError,          // any other transport failure
  };
  Outcome outcome = Outcome::kError;
  int status = 0;
  std::string content_type;   // the Content-Type header, "" when absent
  std::string etag;           // ETag header verbatim
  std::string last_modified;  // Last-Modified header verbatim
  std::string location;       // Location header of a redirect, unresolved
  std::string body;           // decoded (Content-Encoding removed)
  std::string error;          // transport failure reason, for reports (no secrets)
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Performs one GET. Never throws; transport failures come back as outcomes.
  virtual FetchResponse Fetch(const FetchRequest& request) = 0;
};

struct FetcherOptions {
  // Sent as User-Agent. Default: "Wissen/1.0 (knowledge crawler)".
  std::string user_agent = "Wissen/1.0 (knowledge crawler)";
  // Time to establish TCP and TLS. Default: 10 s.
  int connect_timeout_ms = 10'000;
  // Longest silence while waiting for response bytes. Default: 30 s.
  int read_timeout_ms = 30'000;
  // Longest time for one whole request. Default: 5 min.
  int total_timeout_ms = 300'000;
  // PEM file with the CA certificates to trust instead of the system's; "" = system store.
  std::string ca_file;
};

// A libcurl fetcher. Reuses its connections (keep-alive) between requests. Not thread-safe:
// one per crawling thread.
std::unique_ptr<Fetcher> MakeCurlFetcher(const FetcherOptions& options);

}  // namespace wissen::crawler

// The web source: crawls intranet sites politely and incrementally (robots.txt, sitemaps,
// conditional GET) and keeps the catalog in step with them, like the file-system source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/document_sink.h"
#include "wissen/core/result.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/fs_crawler.h"
#include "wissen/crawler/http_fetcher.h"
#include "wissen/store/catalog.h"
#include "wissen/store/web_state.h"

namespace wissen::crawler {

// Per-source HTTP authentication. The secret itself lives in an environment variable named
// here, read when the crawl starts; it is sent only to in-scope URLs and never logged.
struct HttpAuth {
  enum class Type { kNone, kBasic, kBearer, kHeader };
  Type type = Type::kNone;
  std::string user;        // kBasic: the user name
  std::string header;      // kHeader: the header's name, e.g. "X-Api-Key"
  std::string secret_env;  // the variable holding the password, token or header value
};

struct WebSourceOptions {
  std::string name;
  // Where the crawl starts (absolute http(s) URLs). Required.
  std::vector<std::string> seeds;
  // URL prefixes in scope. Default (empty): the seeds' origins ("https://host[:port]/").
  std::vector<std::string> allow;
  // Hosts whose every URL is in scope, in addition to `allow`. Default: none.
  std::vector<std::string> allow_hosts;
  // Globs (wissen/core/glob.h) over the canonical URL: when include is non-empty a URL must match
  // one; it must match no exclude. Default: none.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Sitemaps to read besides those robots.txt names. Default: none.
  std::vector<std::string> sitemaps;
  // Links followed from a seed or sitemap entry (depth 0). Default: 10.
  int max_depth = 10;
  // Pages requested per crawl; a crawl stopped by it deletes nothing. Default: 100,000.
  int64_t max_pages = 100'000;
  // Larger responses are skipped with a reason. Default: 20 MiB.
  int64_t max_body_bytes = 20LL << 20;
  // Pause between two requests to the same host; robots.txt's Crawl-delay raises it (up to
  // 60 s). Default: 1,000 ms.
  int delay_ms = 1000;
  // Further attempts after a 5xx or a timeout (none after a 4xx), waiting retry_backoff_ms,
  // then twice that, and so on. Defaults: 2 and 1,000 ms.
  int retries = 2;
  int retry_backoff_ms = 1000;
  // Redirects followed per URL; each hop must stay in scope and be allowed. Default: 5.
  int max_redirects = 5;
  // A stored page not reached by this many full crawls in a row is deleted. A crawl is full
  // when every seed answered and max_pages did not stop it. Default: 3.
  int forget_after_missed_crawls = 3;
  FetcherOptions fetch;  // user agent, timeouts, CA file
  HttpAuth auth;
  // ACL rules over the canonical URL, first match wins (as for files).
  AclRules acl;
};

// The canonical form of an absolute http(s) URL, as used for document paths (scheme and host
// lower-case, default port, fragment and userinfo dropped, percent-encoding and dot segments
// normalized); nullopt when `url` is not one.
std::optional<std::string> CanonicalUrl(std::string_view url);

// Crawls one web source through `fetcher` into `sink`, keeping per-page fetch state in
// `state`. Pages that fail (timeouts, 5xx after retries, 401/403, parse errors) are reported
// and keep their stored version; 404 and 410 delete at once. When no seed can be fetched at
// all (site down, DNS, TLS) the source fails with kUnavailable and nothing is deleted; a
// missing auth secret fails it with kConfig. Not thread-safe; single-threaded (one request
// at a time, so at most one per host).
Result<CrawlStats> CrawlWebSource(const WebSourceOptions& options, store::Catalog& catalog,
                                  store::WebStateStore& state, DocumentSink& sink, Fetcher& fetcher,
                                  const ProgressCallback& progress = {});

}  // namespace wissen::crawler

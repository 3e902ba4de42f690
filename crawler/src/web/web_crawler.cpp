// The web source's crawl: a breadth-first walk from the seeds and sitemap entries, one
// request at a time, with robots.txt, politeness, conditional GET and the deletion rules of
// web_source.h.
#include <chrono>
#include <cstdlib>
#include <deque>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "acl/stored_version.h"
#include "web/robots.h"
#include "web/sitemap.h"
#include "web/url.h"
#include "web/web_page.h"
#include "wissen/core/glob.h"
#include "wissen/core/log.h"
#include "wissen/core/retry.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"
#include "wissen/crawler/web_source.h"

namespace wissen::crawler {
namespace {

using Clock = std::chrono::steady_clock;

// Sitemap files read per crawl, index files included: a sitemap index pointing at itself or
// at thousands of files must not stall the crawl.
constexpr int kMaxSitemapFiles = 100;

struct HostState {
  bool robots_loaded = false;
  bool robots_unavailable = false;
  RobotsRules robots;
  int delay_ms = 0;
  Clock::time_point next_request = Clock::time_point::min();
};

struct QueueItem {
  Url url;
  int depth = 0;
  bool seed = false;
};

std::string RobotsToken(const std::string& user_agent) {
  std::string token = user_agent.substr(0, user_agent.find_first_of("/ "));
  for (char& c : token) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return token;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

class WebCrawl {
 public:
  WebCrawl(const WebSourceOptions& options, store::Catalog& catalog, store::WebStateStore& state,
           DocumentSink& sink, Fetcher& fetcher, const ProgressCallback& progress)
      : options_(options),
        catalog_(catalog),
        state_store_(state),
        sink_(sink),
        fetcher_(fetcher),
        progress_(progress),
        robots_token_(RobotsToken(options.fetch.user_agent)) {}

  Result<CrawlStats> Run();

 private:
  Result<void> Prepare();
  bool InScope(const Url& url) const;
  bool ScopeOrigin(const Url& url) const;
  HostState& Host(const Url& url);
  FetchResponse Get(const Url& url, const std::vector<std::pair<std::string, std::string>>& extra);
  void ReadSitemaps();
  void Enqueue(const Url& url, int depth, bool seed = false);
  void EnqueueLinks(const std::vector<std::string>& links, int depth);
  void Visit(const QueueItem& item);
  void HandleResponse(const Url& url, const QueueItem& item, const FetchResponse& response);
  void StoreState(const std::string& url, const FetchResponse* response,
                  std::vector<std::string> links);
  Result<void> ApplyMissed();
  // The metadata of `url` as this crawl decides it: source, path and ACL; content unset.
  DocumentInfo DecidedInfo(const std::string& url) const;
  void AddIssue(const std::string& url, const std::string& reason);
  void Report(bool force);

  const store::StoredDocument* LiveDocument(const std::string& url) const {
    auto it = stored_.find(url);
    return it == stored_.end() || it->second.deleted ? nullptr : &it->second;
  }

  const WebSourceOptions& options_;
  store::Catalog& catalog_;
  store::WebStateStore& state_store_;
  DocumentSink& sink_;
  Fetcher& fetcher_;
  const ProgressCallback& progress_;
  const std::string robots_token_;

  CrawlStats stats_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_report_ = Clock::now();
  int source_id_ = 0;
  std::vector<std::pair<std::string, std::string>> auth_headers_;
  std::vector<std::string> allow_prefixes_;
  std::unordered_set<std::string> allow_hosts_;
  std::unordered_map<std::string, store::StoredDocument> stored_;
  std::unordered_map<std::string, store::WebPageState> states_;
  std::unordered_map<std::string, HostState> hosts_;
  std::unordered_map<std::string, int64_t> sitemap_lastmod_;
  std::unordered_map<std::string, std::string> hash_owner_;  // content hash -> URL this crawl
  std::unordered_set<std::string> queued_;                   // URLs ever queued this crawl
  std::unordered_set<std::string> seen_;  // stored documents not to count as missed
  std::deque<QueueItem> queue_;
  int64_t pages_requested_ = 0;
  bool truncated_ = false;
  int seeds_failed_ = 0;
  int seeds_answered_ = 0;
};

DocumentInfo WebCrawl::DecidedInfo(const std::string& url) const {
  const AclDecision decision = options_.acl.Decide(url);
  DocumentInfo info;
  info.source_id = source_id_;
  info.source = options_.name;
  info.uri = info.path = url;
  info.acl = decision.acl;
  info.acl_rule = decision.explanation;
  return info;
}

void WebCrawl::AddIssue(const std::string& url, const std::string& reason) {
  crawler::AddIssue(stats_, url, reason);
}

void WebCrawl::Report(bool force) {
  const auto now = Clock::now();
  if (!progress_ || (!force && now - last_report_ < std::chrono::seconds(1))) return;
  last_report_ = now;
  stats_.seconds = std::chrono::duration<double>(now - started_).count();
  progress_(stats_, stats_.seen + static_cast<int64_t>(queue_.size()));
}

Result<void> WebCrawl::Prepare() {
  const HttpAuth& auth = options_.auth;
  if (auth.type != HttpAuth::Type::kNone) {
    const char* secret = std::getenv(auth.secret_env.c_str());
    if (secret == nullptr || *secret == '\0') {
      return Fail(ErrorCode::kConfig, "source \"" + options_.name + "\": environment variable " +
                                          auth.secret_env + " (auth secret) is not set");
    }
    switch (auth.type) {
      case HttpAuth::Type::kBasic:
        auth_headers_.emplace_back("Authorization",
                                   "Basic " + Base64(auth.user + ":" + std::string(secret)));
        break;
      case HttpAuth::Type::kBearer:
        auth_headers_.emplace_back("Authorization", "Bearer " + std::string(secret));
        break;
      case HttpAuth::Type::kHeader:
        auth_headers_.emplace_back(auth.header, secret);
        break;
      case HttpAuth::Type::kNone:
        break;
    }
  }
  for (const auto& prefix : options_.allow) {
    if (auto url = ParseUrl(prefix)) allow_prefixes_.push_back(url->ToString());
  }
  for (const auto& host : options_.allow_hosts) {
    std::string lower = host;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    allow_hosts_.insert(lower);
  }
  std::string roots;
  for (const auto& seed : options_.seeds) {
    auto url = ParseUrl(seed);
    if (!url) {
      return Fail(ErrorCode::kConfig,
                  "source \"" + options_.name + "\": seed " + seed + " is not an http(s) URL");
    }
    if (options_.allow.empty()) allow_prefixes_.push_back(url->Origin() + "/");
    roots += (roots.empty() ? "" : " ") + url->ToString();
  }
  auto source_id = catalog_.EnsureSource(options_.name, "web", roots);
  if (!source_id) return Fail(source_id.error());
  source_id_ = *source_id;
  auto documents = catalog_.ListDocuments(source_id_);
  if (!documents) return Fail(documents.error());
  for (auto& doc : *documents) stored_.emplace(doc.path, std::move(doc));
  auto states = state_store_.Load(source_id_);
  if (!states) return Fail(states.error());
  for (auto& state : *states) states_.emplace(state.url, std::move(state));
  return {};
}

bool WebCrawl::InScope(const Url& url) const {
  const std::string text = url.ToString();
  bool allowed = allow_hosts_.contains(url.host);
  for (const auto& prefix : allow_prefixes_) allowed = allowed || text.starts_with(prefix);
  if (!allowed) return false;
  if (!options_.include.empty()) {
    bool included = false;
    for (const auto& glob : options_.include) included = included || GlobMatch(glob, text);
    if (!included) return false;
  }
  for (const auto& glob : options_.exclude) {
    if (GlobMatch(glob, text)) return false;
  }
  return true;
}

// Sitemaps and robots.txt live outside the allowed paths often; they are read from the hosts
// in scope only.
bool WebCrawl::ScopeOrigin(const Url& url) const {
  if (allow_hosts_.contains(url.host)) return true;
  const std::string origin = url.Origin() + "/";
  for (const auto& prefix : allow_prefixes_) {
    if (prefix.starts_with(origin)) return true;
  }
  return false;
}

FetchResponse WebCrawl::Get(const Url& url,
                            const std::vector<std::pair<std::string, std::string>>& extra) {
  HostState& host = hosts_[url.Origin()];
  FetchRequest request;
  request.url = url.ToString();
  request.headers = auth_headers_;
  request.headers.insert(request.headers.end(), extra.begin(), extra.end());
  request.max_body_bytes = options_.max_body_bytes;
  const auto fetch_politely = [&] {
    // Politeness: one request at a time, and a pause per host between them.
    if (host.next_request > Clock::now()) std::this_thread::sleep_until(host.next_request);
    FetchResponse response = fetcher_.Fetch(request);
    ++stats_.http_requests;
    stats_.bytes_downloaded += static_cast<int64_t>(response.body.size());
    host.next_request =
        Clock::now() + std::chrono::milliseconds(std::max(options_.delay_ms, host.delay_ms));
    return response;
  };
  const auto worth_retrying = [&](const FetchResponse& response) {
    const bool retry =
        response.outcome == FetchResponse::Outcome::kTimeout ||
        (response.outcome == FetchResponse::Outcome::kResponse && response.status >= 500);
    if (retry) {
      log::Debug("crawl.web_retry",
                 {{"source", options_.name}, {"url", request.url}, {"status", response.status}});
    }
    return retry;
  };
  int attempts = 0;
  return Retry(RetryPolicy{options_.retries, options_.retry_backoff_ms}, fetch_politely,
               worth_retrying, &attempts);
}

HostState& WebCrawl::Host(const Url& url) {
  HostState& host = hosts_[url.Origin()];
  if (host.robots_loaded) return host;
  host.robots_loaded = true;
  Url robots_url = url;
  robots_url.path = "/robots.txt";
  robots_url.query.clear();
  const FetchResponse response = Get(robots_url, {});
  if (response.outcome == FetchResponse::Outcome::kResponse && response.status >= 200 &&
      response.status < 300) {
    host.robots = RobotsRules::Parse(response.body, robots_token_);
  } else if (response.outcome == FetchResponse::Outcome::kResponse && response.status >= 400 &&
             response.status < 500) {
    host.robots = RobotsRules::AllowAll();  // RFC 9309: no robots.txt, no restrictions
  } else {
    // Unreachable or 5xx (or a redirect, which is not followed): RFC 9309 says assume
    // complete disallow, and a site that cannot serve robots.txt cannot serve pages either.
    host.robots = RobotsRules::DisallowAll();
    host.robots_unavailable = true;
    const std::string reason = response.outcome == FetchResponse::Outcome::kResponse
                                   ? "HTTP " + std::to_string(response.status)
                                   : response.error;
    AddIssue(robots_url.ToString(), "robots.txt unavailable (" + reason + "); host not crawled");
    log::Warn("crawl.robots_unavailable",
              {{"source", options_.name}, {"host", url.Origin()}, {"reason", reason}});
  }
  host.delay_ms = host.robots.crawl_delay_ms();
  return host;
}

void WebCrawl::Enqueue(const Url& url, int depth, bool seed) {
  if (!InScope(url)) return;
  if (!queued_.insert(url.ToString()).second) return;
  queue_.push_back({url, depth, seed});
}

void WebCrawl::EnqueueLinks(const std::vector<std::string>& links, int depth) {
  if (depth > options_.max_depth) return;
  for (const auto& link : links) {
    if (auto url = ParseUrl(link)) Enqueue(*url, depth);
  }
}

void WebCrawl::ReadSitemaps() {
  std::deque<std::string> pending(options_.sitemaps.begin(), options_.sitemaps.end());
  for (const auto& seed : options_.seeds) {
    if (auto url = ParseUrl(seed)) {
      for (const auto& sitemap : Host(*url).robots.sitemaps()) pending.push_back(sitemap);
    }
  }
  std::unordered_set<std::string> read;
  int files = 0;
  while (!pending.empty() && files < kMaxSitemapFiles) {
    auto url = ParseUrl(pending.front());
    pending.pop_front();
    if (!url || !ScopeOrigin(*url) || !read.insert(url->ToString()).second) continue;
    ++files;
    const FetchResponse response = Get(*url, {});
    if (response.outcome != FetchResponse::Outcome::kResponse || response.status != 200) {
      AddIssue(
          url->ToString(),
          "sitemap not read: " + (response.error.empty() ? "HTTP " + std::to_string(response.status)
                                                         : response.error));
      continue;
    }
    auto sitemap = ParseSitemap(response.body);
    if (!sitemap) {
      AddIssue(url->ToString(), "sitemap not read: " + sitemap.error().message);
      continue;
    }
    for (const auto& entry : sitemap->entries) {
      auto loc = ResolveUrl(*url, entry.loc);
      if (!loc) continue;
      if (sitemap->is_index) {
        pending.push_back(loc->ToString());
      } else if (InScope(*loc)) {
        sitemap_lastmod_[loc->ToString()] = entry.lastmod_unix;
        Enqueue(*loc, 0);
      }
    }
  }
}

void WebCrawl::StoreState(const std::string& url, const FetchResponse* response,
                          std::vector<std::string> links) {
  store::WebPageState& state = states_[url];
  const store::WebPageState before = state;
  state.url = url;
  if (response != nullptr && response->status != 304) {
    state.etag = response->etag;
    state.last_modified = response->last_modified;
    state.links = std::move(links);
  }
  auto lastmod = sitemap_lastmod_.find(url);
  state.sitemap_lastmod = lastmod == sitemap_lastmod_.end() ? 0 : lastmod->second;
  state.missed_crawls = 0;
  // An unchanged page (304, same sitemap lastmod) costs no database write.
  if (before.url == url && before.etag == state.etag &&
      before.last_modified == state.last_modified &&
      before.sitemap_lastmod == state.sitemap_lastmod && before.missed_crawls == 0 &&
      before.links == state.links) {
    return;
  }
  if (auto ok = state_store_.Save(source_id_, state); !ok) {
    ++stats_.failed;
    AddIssue(url, ok.error().message);
  }
}

void WebCrawl::Visit(const QueueItem& item) {
  HostState& host = Host(item.url);
  const std::string start = item.url.ToString();
  if (host.robots_unavailable) {
    // Not the page's fault: keep what is stored and do not count the page as missed.
    seen_.insert(start);
    if (item.seed) ++seeds_failed_;
    return;
  }
  if (!host.robots.Allowed(item.url.PathAndQuery())) {
    ++stats_.skipped;
    if (item.seed) ++seeds_answered_;
    AddIssue(start, "disallowed by robots.txt");
    return;
  }
  ++stats_.seen;
  // A page whose sitemap lastmod equals the one at its last fetch is not requested at all.
  const store::StoredDocument* live = LiveDocument(start);
  auto state = states_.find(start);
  auto lastmod = sitemap_lastmod_.find(start);
  if (live != nullptr && !NeedsReparse(live->mime, live->parser_version) &&
      state != states_.end() && lastmod != sitemap_lastmod_.end() && lastmod->second > 0 &&
      state->second.sitemap_lastmod == lastmod->second) {
    ++stats_.unchanged;
    seen_.insert(start);
    if (item.seed) ++seeds_answered_;
    hash_owner_.emplace(live->content_hash, start);
    ApplyNewAclToStoredVersion(sink_, *live, DecidedInfo(start), stats_);
    if (state->second.missed_crawls != 0) StoreState(start, nullptr, {});
    EnqueueLinks(state->second.links, item.depth + 1);
    return;
  }

  Url url = item.url;
  FetchResponse response;
  for (int hop = 0;; ++hop) {
    std::vector<std::pair<std::string, std::string>> conditional;
    const std::string current = url.ToString();
    // Without validators the server sends the page, so one an older parser produced is parsed
    // again.
    if (const store::StoredDocument* stored = LiveDocument(current);
        stored != nullptr && !NeedsReparse(stored->mime, stored->parser_version)) {
      if (auto known = states_.find(current); known != states_.end()) {
        if (!known->second.etag.empty()) {
          conditional.emplace_back("If-None-Match", known->second.etag);
        }
        if (!known->second.last_modified.empty()) {
          conditional.emplace_back("If-Modified-Since", known->second.last_modified);
        }
      }
    }
    ++pages_requested_;
    response = Get(url, conditional);
    if (response.outcome != FetchResponse::Outcome::kResponse || !IsRedirect(response.status) ||
        response.location.empty()) {
      break;
    }
    auto target = ResolveUrl(url, response.location);
    std::string reason;
    if (!target) {
      reason = "redirect to an unsupported URL";
    } else if (hop + 1 > options_.max_redirects) {
      reason = "more than max_redirects (" + std::to_string(options_.max_redirects) + ") redirects";
    } else if (!InScope(*target)) {
      reason = "redirect out of scope to " + target->ToString();
    } else if (!Host(*target).robots.Allowed(target->PathAndQuery())) {
      reason = "redirect to a page disallowed by robots.txt";
    }
    // The redirect is an answer: the site is up.
    if (!reason.empty() || queued_.contains(target->ToString())) {
      if (item.seed) ++seeds_answered_;
    }
    if (!reason.empty()) {
      ++stats_.skipped;
      AddIssue(start, reason);
      return;
    }
    // A target already queued or visited is crawled (or was) under its own name.
    if (!queued_.insert(target->ToString()).second) return;
    url = *target;
  }
  HandleResponse(url, item, response);
}

void WebCrawl::HandleResponse(const Url& url, const QueueItem& item,
                              const FetchResponse& response) {
  const std::string path = url.ToString();
  const store::StoredDocument* live = LiveDocument(path);
  using Outcome = FetchResponse::Outcome;
  if (response.outcome == Outcome::kTooLarge) {
    ++stats_.skipped;
    seen_.insert(path);
    AddIssue(path,
             "larger than max_body_kb (" + std::to_string(options_.max_body_bytes >> 10) + " KiB)");
    if (item.seed) ++seeds_answered_;
    return;
  }
  if (response.outcome != Outcome::kResponse) {
    // The stored version (if any) stays and the page does not count as missed.
    ++stats_.failed;
    seen_.insert(path);
    if (item.seed) ++seeds_failed_;
    AddIssue(path, response.error);
    log::Info("crawl.page_failed",
              {{"source", options_.name}, {"url", path}, {"reason", response.error}});
    return;
  }
  if (response.status == 404 || response.status == 410) {
    if (item.seed) ++seeds_answered_;
    if (live == nullptr) return;
    if (auto ok = sink_.Delete(live->id); !ok) {
      ++stats_.failed;
      AddIssue(path, ok.error().message);
      return;
    }
    ++stats_.deleted;
    stored_[path].deleted = true;
    states_.erase(path);
    if (auto ok = state_store_.Remove(source_id_, path); !ok) AddIssue(path, ok.error().message);
    return;
  }
  if (response.status >= 500 || (response.status >= 300 && response.status != 304) ||
      response.status < 200) {
    ++stats_.failed;
    seen_.insert(path);
    if (item.seed && response.status >= 500) ++seeds_failed_;
    if (item.seed && response.status < 500) ++seeds_answered_;
    AddIssue(path, "HTTP " + std::to_string(response.status));
    return;
  }
  if (item.seed) ++seeds_answered_;
  seen_.insert(path);

  DocumentInfo info = DecidedInfo(path);

  if (response.status == 304) {
    if (live == nullptr) {
      ++stats_.failed;
      AddIssue(path, "HTTP 304 without a stored version");
      return;
    }
    ++stats_.unchanged;
    ++stats_.not_modified;
    hash_owner_.emplace(live->content_hash, path);
    ApplyNewAclToStoredVersion(sink_, *live, info, stats_);
    StoreState(path, &response, {});
    if (auto state = states_.find(path); state != states_.end()) {
      EnqueueLinks(state->second.links, item.depth + 1);
    }
    return;
  }

  info.content_hash = Sha256Hex(response.body);
  info.size_bytes = static_cast<int64_t>(response.body.size());
  info.modified_unix = ParseHttpDate(response.last_modified);
  auto owner = hash_owner_.emplace(info.content_hash, path);
  if (!owner.second && owner.first->second != path) {
    // Same bytes under two URLs (print views, session parameters): index one of them.
    seen_.erase(path);
    ++stats_.skipped;
    AddIssue(path, "duplicate of " + owner.first->second);
    return;
  }
  const std::string media_type = MediaType(response.content_type);
  auto parsed = ParseWebPage(response.body, media_type, CharsetParameter(response.content_type));
  if (!parsed) {
    // The stored version stays, with the new ACL (see ApplyNewAclToStoredVersion).
    if (live != nullptr) ApplyNewAclToStoredVersion(sink_, *live, info, stats_);
    if (parsed.error().code == ErrorCode::kUnsupported) {
      ++stats_.skipped;
    } else {
      ++stats_.failed;
    }
    AddIssue(path, parsed.error().message);
    return;
  }
  std::vector<std::string> links;
  for (const auto& href : parsed->links) {
    auto link = ResolveUrl(url, href);
    if (link && InScope(*link)) links.push_back(link->ToString());
  }
  if (parsed->mime == "text/html") {
    const std::string canonical_href = FindCanonicalLink(response.body);
    auto canonical = canonical_href.empty() ? std::nullopt : ResolveUrl(url, canonical_href);
    if (canonical && canonical->ToString() != path && InScope(*canonical)) {
      // This URL is an alias: the page is indexed under its canonical URL, fetched on its own.
      seen_.erase(path);
      hash_owner_.erase(info.content_hash);
      ++stats_.skipped;
      AddIssue(path, "alias of canonical " + canonical->ToString());
      Enqueue(*canonical, item.depth);
      EnqueueLinks(links, item.depth + 1);
      return;
    }
  }
  if (live != nullptr && live->content_hash == info.content_hash &&
      !NeedsReparse(live->mime, live->parser_version)) {
    ++stats_.unchanged;
    if (info.acl != live->acl || info.acl_rule != live->acl_rule ||
        info.modified_unix != live->modified_unix) {
      TouchStoredDocument(sink_, *live, info, stats_);
    }
  } else {
    if (auto ok = sink_.Put(info, *parsed); !ok) {
      ++stats_.failed;
      AddIssue(path, ok.error().message);
      log::Warn("crawl.store_failed",
                {{"source", options_.name}, {"url", path}, {"error", ok.error().ToString()}});
      return;
    }
    stats_.bytes_parsed += info.size_bytes;
    stats_.pages_parsed += parsed->page_count;
    ++(live != nullptr ? stats_.changed : stats_.added);
  }
  StoreState(path, &response, links);
  EnqueueLinks(links, item.depth + 1);
}

Result<void> WebCrawl::ApplyMissed() {
  for (auto& [path, doc] : stored_) {
    if (doc.deleted || seen_.contains(path)) continue;
    store::WebPageState& state = states_[path];
    state.url = path;
    ++state.missed_crawls;
    if (state.missed_crawls < options_.forget_after_missed_crawls) {
      if (auto ok = state_store_.Save(source_id_, state); !ok) return Fail(ok.error());
      continue;
    }
    if (auto ok = sink_.Delete(doc.id); !ok) {
      ++stats_.failed;
      AddIssue(path, ok.error().message);
      continue;
    }
    ++stats_.deleted;
    doc.deleted = true;
    if (auto ok = state_store_.Remove(source_id_, path); !ok) return Fail(ok.error());
  }
  return {};
}

Result<CrawlStats> WebCrawl::Run() {
  if (auto ready = Prepare(); !ready) return Fail(ready.error());
  for (const auto& seed : options_.seeds) {
    if (auto url = ParseUrl(seed)) Enqueue(*url, 0, /*seed=*/true);
  }
  ReadSitemaps();
  while (!queue_.empty()) {
    if (pages_requested_ >= options_.max_pages) {
      truncated_ = true;
      AddIssue("", "max_pages (" + std::to_string(options_.max_pages) +
                       ") reached; pages not reached are not counted as missed");
      break;
    }
    const QueueItem item = std::move(queue_.front());
    queue_.pop_front();
    Visit(item);
    Report(false);
  }
  if (seeds_answered_ == 0) {
    // Nothing answered: the site (or its robots.txt) is down, DNS or TLS fails. Deleting on
    // that evidence would empty the index for a network outage.
    return Fail(ErrorCode::kUnavailable,
                "source \"" + options_.name +
                    "\": no seed could be fetched (site unreachable?); nothing was deleted");
  }
  if (!truncated_ && seeds_failed_ == 0) {
    if (auto ok = ApplyMissed(); !ok) return Fail(ok.error());
  }
  stats_.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  Report(true);
  return stats_;
}

}  // namespace

std::optional<std::string> CanonicalUrl(std::string_view url) { return NormalizeUrl(url); }

Result<CrawlStats> CrawlWebSource(const WebSourceOptions& options, store::Catalog& catalog,
                                  store::WebStateStore& state, DocumentSink& sink, Fetcher& fetcher,
                                  const ProgressCallback& progress) {
  WebCrawl crawl(options, catalog, state, sink, fetcher, progress);
  return crawl.Run();
}

}  // namespace wissen::crawler

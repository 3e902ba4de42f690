// One crawl run over the configured sources: takes the crawl lock, records the run in the
// catalog, crawls each source into the indexer, then publishes a new index generation.
// Shared by `wissen crawl` and the server's POST /api/v1/crawl.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "wissen/app/runtime.h"
#include "wissen/crawler/fs_crawler.h"

namespace wissen::app {

struct SourceOutcome {
  crawler::CrawlStats stats;
  std::optional<Error> error;  // set when the source could not be crawled at all
};

struct CrawlRunReport {
  int64_t run_id = 0;
  std::map<std::string, SourceOutcome> sources;
  int64_t generation = 0;
  bool published = false;
  std::string status;  // "ok" or "partial"
  std::string ocr;     // "on (deu+eng)", "off", or "unavailable: <why>"
  std::string error;   // why the new generation could not be published, if it could not
};

// Errors: kConflict when another crawl holds the lock; kNotFound for an unknown source name;
// kUnavailable when the database cannot be used. A source that fails (root missing) does not
// stop the others; the run's status is then "partial", as when publishing the new index
// generation fails (the stored documents stay; the next run publishes them).
Result<CrawlRunReport> RunCrawl(
    Runtime& runtime, const std::optional<std::string>& only_source,
    const std::function<void(const std::string& source, const crawler::CrawlStats&, int64_t)>&
        progress = {});

// The run's statistics as JSON, as stored in crawl_runs.stats.
nlohmann::json CrawlReportJson(const CrawlRunReport& report);

}  // namespace wissen::app

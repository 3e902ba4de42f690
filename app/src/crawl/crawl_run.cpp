#include "wissen/app/crawl_run.h"

#include "crawl/ocr_cache.h"
#include "wissen/core/log.h"
#include "wissen/crawler/web_source.h"
#include "wissen/indexer/indexer.h"
#include "wissen/store/web_state.h"

namespace wissen::app {

nlohmann::json CrawlReportJson(const CrawlRunReport& report) {
  nlohmann::json sources = nlohmann::json::object();
  for (const auto& [name, outcome] : report.sources) {
    const auto& s = outcome.stats;
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& issue : s.issues) {
      issues.push_back({{"path", issue.path}, {"reason", issue.reason}});
    }
    sources[name] = {{"seen", s.seen},
                     {"new", s.added},
                     {"changed", s.changed},
                     {"unchanged", s.unchanged},
                     {"acl_changed", s.acl_changed},
                     {"deleted", s.deleted},
                     {"skipped", s.skipped},
                     {"failed", s.failed},
                     {"partial", s.partial},
                     {"bytes_parsed", s.bytes_parsed},
                     {"pages_parsed", s.pages_parsed},
                     {"http_requests", s.http_requests},
                     {"not_modified", s.not_modified},
                     {"bytes_downloaded", s.bytes_downloaded},
                     {"seconds", s.seconds},
                     {"issues", issues}};
    if (outcome.error) sources[name]["error"] = outcome.error->ToString();
  }
  return {{"run_id", report.run_id},
          {"status", report.status},
          {"error", report.error},
          {"generation", report.generation},
          {"published", report.published},
          {"ocr", report.ocr},
          {"sources", sources}};
}

Result<CrawlRunReport> RunCrawl(
    Runtime& runtime, const std::optional<std::string>& only_source,
    const std::function<void(const std::string&, const crawler::CrawlStats&, int64_t)>& progress) {
  const Config& config = runtime.config();
  std::vector<const SourceConfig*> selected;
  for (const auto& source : config.sources) {
    if (!only_source || source.name == *only_source) selected.push_back(&source);
  }
  if (only_source && selected.empty()) {
    return Fail(ErrorCode::kNotFound,
                "no source named \"" + *only_source + "\" in " + config.config_file.string());
  }
  store::Catalog& catalog = runtime.catalog();
  auto lock = catalog.TryLockCrawl();
  if (!lock) return Fail(lock.error());

  indexer::IndexerOptions indexer_options;
  indexer_options.chunker = config.chunker;
  indexer::Indexer indexer(catalog, runtime.embedder(), indexer_options);
  if (auto ready = indexer.Prepare(); !ready) return Fail(ready.error());

  std::vector<std::string> names;
  for (const auto* source : selected) names.push_back(source->name);
  CrawlRunReport report;
  auto run_id = catalog.BeginCrawlRun(names);
  if (!run_id) return Fail(run_id.error());
  report.run_id = *run_id;

  // One OCR engine for the run; without Tesseract's languages the crawl goes on without it.
  std::unique_ptr<CatalogOcrCache> ocr_cache;
  std::optional<crawler::PageOcr> ocr;
  if (!config.ocr.enabled) {
    report.ocr = "off";
  } else if (auto cache = CatalogOcrCache::Connect(runtime.connection_string()); !cache) {
    report.ocr = "unavailable: " + cache.error().message;
  } else {
    ocr_cache = std::move(*cache);
    auto created = crawler::PageOcr::Create(config.ocr.options, ocr_cache.get());
    if (created) {
      ocr.emplace(std::move(*created));
      report.ocr = "on (" + config.ocr.options.languages + ")";
    } else {
      report.ocr = "unavailable: " + created.error().message;
    }
  }
  if (report.ocr.starts_with("unavailable")) {
    log::Warn("crawl.ocr_unavailable", {{"reason", report.ocr}});
  }

  bool any_failed = false;
  // Web sources keep per-page fetch state on a connection of their own.
  std::unique_ptr<store::WebStateStore> web_state;
  for (const auto* source : selected) {
    SourceOutcome outcome;
    const crawler::ProgressCallback report_progress = [&](const crawler::CrawlStats& s,
                                                          int64_t total) {
      if (progress) progress(source->name, s, total);
    };
    Result<crawler::CrawlStats> stats;
    if (source->kind == "web") {
      if (!web_state) {
        auto connected = store::WebStateStore::Connect(runtime.connection_string());
        if (connected) web_state = std::move(*connected);
        if (!connected) stats = Fail(connected.error());
      }
      if (web_state) {
        auto fetcher = crawler::MakeCurlFetcher(source->web.fetch);
        stats = crawler::CrawlWebSource(source->web, catalog, *web_state, indexer, *fetcher,
                                        report_progress);
      }
    } else {
      crawler::FsSourceOptions fs_options = source->fs;
      fs_options.parse.ocr = ocr ? &*ocr : nullptr;
      stats = crawler::CrawlFileSource(fs_options, catalog, indexer, report_progress);
    }
    if (stats) {
      outcome.stats = std::move(*stats);
    } else {
      any_failed = true;
      outcome.error = stats.error();
      log::Error("crawl.source_failed",
                 {{"source", source->name}, {"error", stats.error().ToString()}});
    }
    report.sources.emplace(source->name, std::move(outcome));
  }

  // Recognised pages of deleted or changed scans go with their documents.
  if (auto pruned = catalog.PruneOcrPages(); !pruned) {
    log::Warn("crawl.ocr_prune_failed", {{"error", pruned.error().ToString()}});
  }

  // Publish even after a partial failure: what did crawl is consistent and should be live.
  indexer::PublishOptions publish;
  publish.index_root = config.index_dir();
  publish.vectors = config.vector_build;
  auto published = indexer::PublishGeneration(catalog, runtime.embedder().Info(), publish);
  std::string error_text;
  if (published) {
    report.generation = published->generation;
    report.published = published->published;
  } else {
    any_failed = true;
    error_text = published.error().ToString();
    report.error = error_text;
  }
  report.status = any_failed ? "partial" : "ok";
  const auto finished = catalog.FinishCrawlRun(report.run_id, report.status,
                                               CrawlReportJson(report).dump(), error_text);
  if (!published) {
    // Documents are stored and the run is recorded as partial; the next run publishes.
    log::Error("crawl.publish_failed", {{"error", published.error().ToString()}});
  }
  if (!finished) return Fail(finished.error());
  return report;
}

}  // namespace wissen::app

// Admin endpoints: sources, crawl runs, starting a crawl.
#include "api/api.h"
#include "wissen/app/crawl_run.h"
#include "wissen/core/log.h"

namespace wissen::server {

void Api::ListSources(Call& call) {
  auto catalog = call.worker.catalog();
  if (!catalog) {
    SendResultError(call, catalog.error());
    return;
  }
  auto sources = (*catalog)->ListSources();
  if (!sources) {
    SendResultError(call, sources.error());
    return;
  }
  nlohmann::json out = {{"sources", nlohmann::json::array()}};
  for (const auto& configured : config_.sources) {
    nlohmann::json source = {{"name", configured.name},
                             {"kind", configured.kind},
                             {"documents", 0},
                             {"chunks", 0},
                             {"configured", true}};
    for (const auto& stored : *sources) {
      if (stored.name != configured.name) continue;
      source["root"] = stored.root;
      source["documents"] = stored.documents;
      source["chunks"] = stored.chunks;
    }
    out["sources"].push_back(std::move(source));
  }
  const auto snapshot = index_.Current();
  out["index"] = {{"generation", snapshot->generation},
                  {"vectors", snapshot->vectors ? snapshot->vectors->size() : 0},
                  {"lexical_chunks", snapshot->lexical ? snapshot->lexical->size() : 0}};
  out["crawl_running"] = crawl_running_.load();
  Send(call, JsonResponse(200, out));
}

void Api::ListCrawlRuns(Call& call) {
  auto catalog = call.worker.catalog();
  if (!catalog) {
    SendResultError(call, catalog.error());
    return;
  }
  auto runs = (*catalog)->RecentCrawlRuns(20);
  if (!runs) {
    SendResultError(call, runs.error());
    return;
  }
  nlohmann::json out = {{"runs", nlohmann::json::array()}, {"running", crawl_running_.load()}};
  for (const auto& run : *runs) {
    auto stats = nlohmann::json::parse(run.stats_json, nullptr, false);
    out["runs"].push_back({{"id", run.id},
                           {"started_at", run.started_at},
                           {"finished_at", run.finished_at},
                           {"status", run.status},
                           {"error", run.error},
                           {"stats", stats.is_discarded() ? nlohmann::json::object() : stats}});
  }
  Send(call, JsonResponse(200, out));
}

void Api::StartCrawl(Call& call) {
  std::optional<std::string> only_source;
  if (!call.request.body.empty()) {
    auto body = JsonBody(call);
    if (!body) return;
    if (auto source = body->find("source"); source != body->end() && !source->is_null()) {
      if (!source->is_string()) {
        SendError(call, 400, "invalid_argument", "source must be a source name");
        return;
      }
      only_source = source->get<std::string>();
      bool known = false;
      for (const auto& s : config_.sources) known = known || s.name == *only_source;
      if (!known) {
        SendError(call, 404, "not_found", "no source named " + *only_source);
        return;
      }
    }
  }
  std::lock_guard lock(crawl_mutex_);
  if (crawl_running_.load()) {
    SendError(call, 409, "conflict", "a crawl is already running");
    return;
  }
  // A crawl of another process (the nightly cron job) holds the lock: refuse now rather than
  // accept a run that would fail at once.
  auto catalog = call.worker.catalog();
  if (!catalog) {
    SendResultError(call, catalog.error());
    return;
  }
  if (auto probe = (*catalog)->TryLockCrawl(); !probe) {
    SendResultError(call, probe.error());
    return;
  }
  if (crawl_thread_.joinable()) crawl_thread_.join();
  crawl_running_ = true;
  crawl_thread_ = std::thread([this, only_source] {
    log::Info("server.crawl_started", {{"source", only_source.value_or("all")}});
    auto report = app::RunCrawl(runtime_, only_source);
    if (!report) {
      log::Warn("server.crawl_failed", {{"error", report.error().ToString()}});
    } else {
      log::Info("server.crawl_finished",
                {{"status", report->status}, {"generation", report->generation}});
    }
    // Swap the new generation in now rather than at the next poll.
    if (auto refreshed = index_.Refresh(); !refreshed) {
      log::Warn("server.index_load_failed", {{"error", refreshed.error().message}});
    }
    crawl_running_ = false;
  });
  Send(call, JsonResponse(202, {{"started", true}, {"source", only_source.value_or("")}}));
}

}  // namespace wissen::server

// WissenMetrics: the metrics of `wissen serve`, and the collector reading index and crawl
// state from the catalog and the live snapshot.
#include <ctime>

#include "wissen/app/answer_pipeline.h"
#include "wissen/core/log.h"
#include "wissen/server/audit.h"
#include "wissen/server/metrics.h"

namespace wissen::server {

namespace {

std::string_view MethodLabel(std::string_view method) {
  // A fixed set: the method comes from the client, and any string would make a new series.
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

const char* StageLabel(PipelineStage stage) {
  switch (stage) {
    case PipelineStage::kRetrieve:
      return "retrieve";
    case PipelineStage::kGenerate:
      return "generate";
    case PipelineStage::kEmbed:
      return "embed";
  }
  return "other";
}

double BreakerValue(engine::BreakerState state) {
  switch (state) {
    case engine::BreakerState::kClosed:
      return 0;
    case engine::BreakerState::kHalfOpen:
      return 1;
    case engine::BreakerState::kOpen:
      return 2;
  }
  return 0;
}

}  // namespace

std::optional<double> ParseUtcTimestamp(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SSZ", as the catalog formats run times.
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  const auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    int value = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<double>(::timegm(&tm));
}

void ApplyLastCrawl(const std::vector<store::CrawlRunSummary>& runs, IndexStatus* status) {
  for (const auto& run : runs) {
    if (run.status == "running") continue;
    status->last_crawl_finished_unix = ParseUtcTimestamp(run.finished_at);
    status->last_crawl_ok = run.status == "ok";
    return;
  }
}

CatalogIndexStatus::CatalogIndexStatus(Connector connect, SnapshotGetter snapshot,
                                       std::chrono::seconds min_interval)
    : connect_(std::move(connect)), snapshot_(std::move(snapshot)), min_interval_(min_interval) {}

CatalogIndexStatus::~CatalogIndexStatus() = default;

std::optional<IndexStatus> CatalogIndexStatus::Read() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!cached_ || now - read_at_ >= min_interval_) {
    if (!catalog_) {
      auto connected = connect_();
      if (!connected) {
        log::Debug("metrics.status_unavailable", {{"error", connected.error().ToString()}});
        return std::nullopt;
      }
      catalog_ = std::move(*connected);
    }
    IndexStatus fresh;
    auto state = catalog_->GetIndexState();
    // A few runs: the newest may still be running.
    auto runs = catalog_->RecentCrawlRuns(5);
    if (!state || !runs) {
      log::Debug("metrics.status_unavailable",
                 {{"error", (!state ? state.error() : runs.error()).ToString()}});
      catalog_.reset();  // reconnect on the next scrape
      return std::nullopt;
    }
    if (state->has_value()) fresh.chunks = (*state)->chunk_count;
    ApplyLastCrawl(*runs, &fresh);
    cached_ = std::move(fresh);
    read_at_ = now;
  }
  IndexStatus status = *cached_;
  // The snapshot is what queries search right now; read it on every scrape (no I/O).
  if (auto snapshot = snapshot_ ? snapshot_() : nullptr) {
    status.generation = snapshot->generation;
    if (snapshot->vectors) {
      status.vectors = snapshot->vectors->size();
      status.partitions = static_cast<int64_t>(snapshot->vectors->partitions().size());
    }
  }
  return status;
}

WissenMetrics::WissenMetrics()
    : requests_(registry_.AddCounter("wissen_http_requests_total",
                                     "HTTP requests by route template, method and status.",
                                     {"route", "method", "status"})),
      request_seconds_(registry_.AddHistogram("wissen_http_request_duration_seconds",
                                              "HTTP request latency by route template.",
                                              {"route"})),
      stage_seconds_(registry_.AddHistogram(
          "wissen_pipeline_stage_duration_seconds",
          "Time spent in a stage of the answer pipeline (retrieve, generate, embed).", {"stage"})),
      tokens_(registry_.AddCounter("wissen_generation_tokens_total",
                                   "Model tokens: in = prompt, out = completion.", {"direction"})),
      cache_requests_(registry_.AddCounter("wissen_answer_cache_requests_total",
                                           "Answer cache lookups by result (hit, miss).",
                                           {"result"})),
      model_errors_(registry_.AddCounter(
          "wissen_model_errors_total",
          "Model calls that failed (answered by the extractive fallback instead).")),
      breaker_state_(registry_.AddGauge(
          "wissen_model_breaker_state",
          "Circuit breaker of the model backend: 0 closed, 1 half-open, 2 open.")),
      index_generation_(registry_.AddGauge("wissen_index_generation",
                                           "Index generation the server searches (0 = none).")),
      index_vectors_(registry_.AddGauge("wissen_index_vectors",
                                        "Vectors in the live generation, all partitions.")),
      index_partitions_(registry_.AddGauge(
          "wissen_index_partitions", "Vector partitions (distinct ACLs) of the live generation.")),
      index_chunks_(
          registry_.AddGauge("wissen_index_chunks", "Chunks in the published index generation.")),
      last_crawl_time_(registry_.AddGauge("wissen_last_crawl_timestamp_seconds",
                                          "Unix time the newest finished crawl ended.")),
      last_crawl_success_(registry_.AddGauge(
          "wissen_last_crawl_success", "1 if the newest finished crawl's status was ok, else 0.")),
      audit_dropped_(registry_.AddCounter(
          "wissen_audit_records_dropped_total",
          "Audit records lost: queue_full (writer behind) or write_failed (database).",
          {"reason"})),
      rate_limited_(registry_.AddCounter("wissen_rate_limited_total",
                                         "Requests refused with 429 by a rate limit or quota.")),
      queue_rejected_(registry_.AddCounter(
          "wissen_queue_rejected_total", "Requests refused with 503 because the queue was full.")) {
  // Known label values start at 0, so rate() works from the first scrape.
  for (const char* direction : {"in", "out"}) tokens_.With({direction});
  for (const char* result : {"hit", "miss"}) cache_requests_.With({result});
  for (const char* stage : {"retrieve", "generate", "embed"}) stage_seconds_.With({stage});
  for (const char* reason : {"queue_full", "write_failed"}) audit_dropped_.With({reason});
}

WissenMetrics::~WissenMetrics() = default;

void WissenMetrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                                   double seconds) {
  const std::string status_text = std::to_string(status);
  requests_.With({route, MethodLabel(method), status_text}).Inc();
  request_seconds_.With({route}).Observe(seconds);
}

void WissenMetrics::ObserveStage(PipelineStage stage, double seconds) {
  stage_seconds_.With({StageLabel(stage)}).Observe(seconds);
}

void WissenMetrics::AddTokens(int64_t prompt_tokens, int64_t completion_tokens) {
  if (prompt_tokens > 0) tokens_.With({"in"}).Inc(static_cast<uint64_t>(prompt_tokens));
  if (completion_tokens > 0) tokens_.With({"out"}).Inc(static_cast<uint64_t>(completion_tokens));
}

void WissenMetrics::ObserveAnswer(const app::Answer& answer) {
  if (answer.cached) return;
  ObserveStage(PipelineStage::kRetrieve, answer.retrieve_ms / 1000.0);
  ObserveStage(PipelineStage::kGenerate, answer.generate_ms / 1000.0);
  AddTokens(answer.prompt_tokens, answer.completion_tokens);
}

void WissenMetrics::RateLimited() { rate_limited_.With({}).Inc(); }

void WissenMetrics::QueueRejected() { queue_rejected_.With({}).Inc(); }

void WissenMetrics::WatchAnswerPipeline(const app::AnswerPipeline& pipeline) {
  registry_.AddCollector([this, &pipeline] {
    cache_requests_.With({"hit"}).Set(pipeline.cache().hits());
    cache_requests_.With({"miss"}).Set(pipeline.cache().misses());
    if (const engine::OpenAiGenerator* model = pipeline.model()) {
      const engine::ModelHealth health = model->Health();
      model_errors_.With({}).Set(static_cast<uint64_t>(health.failures));
      breaker_state_.With({}).Set(BreakerValue(health.breaker));
    }
  });
}

void WissenMetrics::WatchAuditTrail(const AuditTrail& audit) {
  registry_.AddCollector([this, &audit] {
    audit_dropped_.With({"queue_full"}).Set(audit.dropped_queue_full());
    audit_dropped_.With({"write_failed"}).Set(audit.dropped_write_failed());
  });
}

void WissenMetrics::WatchIndex(IndexStatusReader read) {
  registry_.AddCollector([this, read = std::move(read)] {
    std::optional<IndexStatus> status = read();
    if (!status) return;
    index_generation_.With({}).Set(static_cast<double>(status->generation));
    index_chunks_.With({}).Set(static_cast<double>(status->chunks));
    index_vectors_.With({}).Set(static_cast<double>(status->vectors));
    index_partitions_.With({}).Set(static_cast<double>(status->partitions));
    if (status->last_crawl_finished_unix) {
      last_crawl_time_.With({}).Set(*status->last_crawl_finished_unix);
    }
    if (status->last_crawl_ok) last_crawl_success_.With({}).Set(*status->last_crawl_ok ? 1 : 0);
  });
}

}  // namespace wissen::server

// Prometheus metrics: a small registry rendering the text exposition format 0.0.4, and
// WissenMetrics, the metrics `wissen serve` exposes at GET /metrics.
//
// Label values are route templates, methods, status codes, stages, role names: never user
// names, query text or raw paths (ids in a path would create a series per document).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wissen/retriever/retriever.h"
#include "wissen/store/catalog.h"

namespace wissen::app {
struct Answer;
class AnswerPipeline;
}  // namespace wissen::app

namespace wissen::server {

class AuditTrail;

// One counter series. Thread-safe, lock-free.
class MetricCounter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  // For collectors that mirror a counter kept elsewhere (e.g. the answer cache's hits).
  void Set(uint64_t value) { value_.store(value, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// One gauge series. Thread-safe, lock-free.
class MetricGauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// One histogram series with fixed upper bounds. Thread-safe, lock-free.
class MetricHistogram {
 public:
  explicit MetricHistogram(const std::vector<double>* bounds);
  void Observe(double value);
  // Cumulative counts per bound, then +Inf (the total count).
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  // The i-th upper bound.
  double Bound(size_t i) const { return (*bounds_)[i]; }

 private:
  const std::vector<double>* bounds_;                // owned by the family
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; last = +Inf
  std::atomic<double> sum_{0};
};

// A metric name with fixed label names and one series per combination of label values.
// Series live as long as the family (callers may keep the reference). At most
// kMaxSeries combinations: beyond that, values go to a series whose labels are all
// "other", so a bug passing raw values cannot exhaust memory or the scraper.
template <typename Series>
class MetricFamily {
 public:
  static constexpr size_t kMaxSeries = 1000;

  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The series for these label values, in label-name order; created on first use. A wrong
  // number of values is padded with "" or cut. Thread-safe.
  Series& With(std::initializer_list<std::string_view> values);
  Series& With(const std::vector<std::string>& values);
  // Removes every series (a collector re-setting a gauge whose label sets change, such as
  // index partitions). References obtained before are invalid afterwards.
  void Clear();

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls `fn(label_values, series)` for each series in label order, under a shared lock.
  void ForEach(const std::function<void(const std::vector<std::string>&, const Series&)>& fn) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

using CounterFamily = MetricFamily<MetricCounter>;
using GaugeFamily = MetricFamily<MetricGauge>;
using HistogramFamily = MetricFamily<MetricHistogram>;

// Latency buckets in seconds, from a cached search to a slow local model.
const std::vector<double>& DefaultLatencyBuckets();

// Thread-safe. Families are added at startup; collectors run at the start of every Render
// to set gauges (and mirrored counters) from their sources.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();

  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*;
  // the returned family lives as long as the registry.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds = DefaultLatencyBuckets());
  // `collect` runs under the registry's render lock, so collectors never run concurrently.
  void AddCollector(std::function<void()> collect);

  // The exposition text (format 0.0.4): families in the order they were added.
  std::string Render() const;

 private:
  struct Entry;
  mutable std::mutex render_mutex_;
  std::vector<std::unique_ptr<Entry>> families_;
  std::vector<std::function<void()>> collectors_;
};

// Escapes a label value for the exposition format (\\, \" and \n).
std::string EscapeLabelValue(std::string_view value);

// What the index and crawl gauges show; read at scrape time.
struct IndexStatus {
  int64_t generation = 0;  // the generation the server searches; 0 = none
  int64_t chunks = 0;      // chunks in that generation (index_state)
  // Vectors and ACL partitions of the live generation. Totals only: a series per partition
  // would name roles, and tell anyone who can scrape how much restricted material exists.
  int64_t vectors = 0;
  int64_t partitions = 0;
  std::optional<double> last_crawl_finished_unix;  // newest finished crawl run
  std::optional<bool> last_crawl_ok;               // its status was "ok"
};
// Returns nullopt when the status cannot be read now; the gauges keep their last values.
using IndexStatusReader = std::function<std::optional<IndexStatus>()>;

// Reads IndexStatus from a catalog connection of its own and the live index snapshot.
// Thread-safe (one scrape at a time uses the connection); caches the catalog's answer for
// `min_interval` so frequent scrapes do not load the database.
class CatalogIndexStatus {
 public:
  using SnapshotGetter = std::function<std::shared_ptr<const retriever::IndexSnapshot>()>;
  // Opens a catalog connection; called again after the database went away.
  using Connector = std::function<Result<std::unique_ptr<store::Catalog>>()>;
  CatalogIndexStatus(Connector connect, SnapshotGetter snapshot,
                     std::chrono::seconds min_interval = std::chrono::seconds(10));
  ~CatalogIndexStatus();
  std::optional<IndexStatus> Read();

 private:
  std::mutex mutex_;
  Connector connect_;
  std::unique_ptr<store::Catalog> catalog_;  // null until connected, and after a failure
  SnapshotGetter snapshot_;
  std::chrono::seconds min_interval_;
  std::chrono::steady_clock::time_point read_at_{};
  std::optional<IndexStatus> cached_;
};

// Parses "YYYY-MM-DDTHH:MM:SSZ" (CrawlRunSummary times) into Unix seconds.
std::optional<double> ParseUtcTimestamp(std::string_view text);
// Fills the crawl fields from runs newest first: the first one not "running".
void ApplyLastCrawl(const std::vector<store::CrawlRunSummary>& runs, IndexStatus* status);

enum class PipelineStage { kRetrieve, kGenerate, kEmbed };

// The metrics of `wissen serve`. Thread-safe; the Observe* methods are the request hot path
// (an atomic add after a shared-lock map lookup).
class WissenMetrics {
 public:
  WissenMetrics();
  ~WissenMetrics();

  // wissen_http_requests_total{route,method,status} and
  // wissen_http_request_duration_seconds{route}. `route` is the route template
  // ("/api/v1/documents/{id}"), never the raw path; unknown methods count as "other".
  void ObserveRequest(std::string_view route, std::string_view method, int status, double seconds);
  // wissen_pipeline_stage_duration_seconds{stage}.
  void ObserveStage(PipelineStage stage, double seconds);
  // wissen_generation_tokens_total{direction="in"|"out"}.
  void AddTokens(int64_t prompt_tokens, int64_t completion_tokens);
  // Stages and tokens of one answer; a cached answer adds nothing (no work was done).
  void ObserveAnswer(const app::Answer& answer);
  void RateLimited();    // wissen_rate_limited_total
  void QueueRejected();  // wissen_queue_rejected_total

  // Collectors, read at every scrape. The watched objects must outlive this object.
  // Answer cache hits/misses, model errors and breaker state.
  void WatchAnswerPipeline(const app::AnswerPipeline& pipeline);
  // wissen_audit_records_dropped_total{reason="queue_full"|"write_failed"}.
  void WatchAuditTrail(const AuditTrail& audit);
  // Index generation, chunks, vectors per partition, last crawl.
  void WatchIndex(IndexStatusReader read);

  std::string Render() const { return registry_.Render(); }
  MetricsRegistry& registry() { return registry_; }

 private:
  MetricsRegistry registry_;
  CounterFamily& requests_;
  HistogramFamily& request_seconds_;
  HistogramFamily& stage_seconds_;
  CounterFamily& tokens_;
  CounterFamily& cache_requests_;
  CounterFamily& model_errors_;
  GaugeFamily& breaker_state_;
  GaugeFamily& index_generation_;
  GaugeFamily& index_vectors_;
  GaugeFamily& index_partitions_;
  GaugeFamily& index_chunks_;
  GaugeFamily& last_crawl_time_;
  GaugeFamily& last_crawl_success_;
  CounterFamily& audit_dropped_;
  CounterFamily& rate_limited_;
  CounterFamily& queue_rejected_;
};

}  // namespace wissen::server

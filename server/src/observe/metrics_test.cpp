#include "wissen/server/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "wissen/app/answer_pipeline.h"

namespace wissen::server {
namespace {

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsRegistryTest, RendersGoldenText) {
  MetricsRegistry registry;
  auto& requests = registry.AddCounter("t_requests_total", "Requests.", {"route", "status"});
  auto& temperature = registry.AddGauge("t_temperature", "A gauge\\with \"odd\" help\nlines.");
  auto& latency = registry.AddHistogram("t_seconds", "Latency.", {}, {0.5, 0.1, 1});
  requests.With({"/b", "200"}).Inc();
  requests.With({"/a", "200"}).Inc(2);
  temperature.With({}).Set(-1.5);
  latency.With({}).Observe(0.1);  // le is inclusive: goes to the 0.1 bucket
  latency.With({}).Observe(0.3);
  latency.With({}).Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP t_requests_total Requests.\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{route=\"/a\",status=\"200\"} 2\n"
            "t_requests_total{route=\"/b\",status=\"200\"} 1\n"
            "# HELP t_temperature A gauge\\\\with \"odd\" help\\nlines.\n"
            "# TYPE t_temperature gauge\n"
            "t_temperature -1.5\n"
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"0.1\"} 1\n"
            "t_seconds_bucket{le=\"0.5\"} 2\n"
            "t_seconds_bucket{le=\"1\"} 2\n"
            "t_seconds_bucket{le=\"+Inf\"} 3\n"
            "t_seconds_sum 7.4\n"
            "t_seconds_count 3\n");
}

TEST(MetricsRegistryTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsRegistry registry;
  registry.AddCounter("t_total", "T.", {"x"}).With({"say \"hi\"\n"}).Inc();
  EXPECT_TRUE(Contains(registry.Render(), "t_total{x=\"say \\\"hi\\\"\\n\"} 1"));
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithLabels) {
  MetricsRegistry registry;
  auto& h = registry.AddHistogram("t_seconds", "T.", {"route"}, {1, 2, 3});
  for (double v : {0.5, 1.5, 1.7, 2.5, 2.6, 2.7, 9.0}) h.With({"/x"}).Observe(v);
  const std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "t_seconds_bucket{route=\"/x\",le=\"1\"} 1"));
  EXPECT_TRUE(Contains(text, "t_seconds_bucket{route=\"/x\",le=\"2\"} 3"));
  EXPECT_TRUE(Contains(text, "t_seconds_bucket{route=\"/x\",le=\"3\"} 6"));
  EXPECT_TRUE(Contains(text, "t_seconds_bucket{route=\"/x\",le=\"+Inf\"} 7"));
  EXPECT_TRUE(Contains(text, "t_seconds_count{route=\"/x\"} 7"));
}

TEST(MetricsRegistryTest, ConcurrentIncrementsFromEightThreadsAddUp) {
  MetricsRegistry registry;
  auto& counter = registry.AddCounter("t_total", "T.", {"route"});
  auto& histogram = registry.AddHistogram("t_seconds", "T.", {"route"}, {0.5});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half the threads share a series, the others create their own while rendering runs.
        const std::string route = t % 2 == 0 ? "/shared" : "/own" + std::to_string(t);
        counter.With({route}).Inc();
        histogram.With({route}).Observe(1.0);
        if (i % 5000 == 0) (void)registry.Render();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  uint64_t total = 0;
  counter.ForEach([&](const auto&, const MetricCounter& c) { total += c.Value(); });
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(counter.With({"/shared"}).Value(), uint64_t{kThreads / 2} * kPerThread);
  const auto counts = histogram.With({"/shared"}).CumulativeCounts();
  EXPECT_EQ(counts.back(), uint64_t{kThreads / 2} * kPerThread);
  EXPECT_DOUBLE_EQ(histogram.With({"/shared"}).Sum(), kThreads / 2 * kPerThread * 1.0);
}

TEST(MetricsRegistryTest, SeriesCountIsCapped) {
  MetricsRegistry registry;
  auto& counter = registry.AddCounter("t_total", "T.", {"path"});
  for (size_t i = 0; i < CounterFamily::kMaxSeries + 50; ++i) {
    counter.With({"/doc/" + std::to_string(i)}).Inc();
  }
  EXPECT_EQ(counter.With({"other"}).Value(), 50u);
}

TEST(WissenMetricsTest, RequestsStagesAndTokens) {
  WissenMetrics metrics;
  metrics.ObserveRequest("/api/v1/documents/{id}", "GET", 404, 0.02);
  metrics.ObserveRequest("/api/v1/search", "BREW", 200, 0.2);
  app::Answer answer;
  answer.retrieve_ms = 30;
  answer.generate_ms = 1500;
  answer.prompt_tokens = 700;
  answer.completion_tokens = 80;
  metrics.ObserveAnswer(answer);
  answer.cached = true;
  metrics.ObserveAnswer(answer);  // no work done: nothing counted
  metrics.RateLimited();
  metrics.QueueRejected();
  metrics.QueueRejected();
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text,
                       "wissen_http_requests_total{route=\"/api/v1/documents/{id}\",method=\"GET\","
                       "status=\"404\"} 1"));
  EXPECT_TRUE(Contains(
      text,
      "wissen_http_requests_total{route=\"/api/v1/search\",method=\"other\",status=\"200\"} 1"));
  EXPECT_TRUE(Contains(
      text, "wissen_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"0.25\"} 1"));
  EXPECT_TRUE(Contains(text, "wissen_pipeline_stage_duration_seconds_count{stage=\"generate\"} 1"));
  EXPECT_TRUE(Contains(text, "wissen_pipeline_stage_duration_seconds_count{stage=\"embed\"} 0"));
  EXPECT_TRUE(Contains(text, "wissen_generation_tokens_total{direction=\"in\"} 700"));
  EXPECT_TRUE(Contains(text, "wissen_generation_tokens_total{direction=\"out\"} 80"));
  EXPECT_TRUE(Contains(text, "wissen_rate_limited_total 1"));
  EXPECT_TRUE(Contains(text, "wissen_queue_rejected_total 2"));
  EXPECT_TRUE(Contains(text, "wissen_audit_records_dropped_total{reason=\"queue_full\"} 0"));
  EXPECT_TRUE(Contains(text, "wissen_model_breaker_state 0"));
}

TEST(WissenMetricsTest, IndexGaugesFollowTheCollector) {
  WissenMetrics metrics;
  std::optional<IndexStatus> status = IndexStatus{};
  status->generation = 7;
  status->chunks = 1200;
  status->vectors = 1200;
  status->partitions = 2;
  status->last_crawl_finished_unix = 1700000000;
  status->last_crawl_ok = true;
  metrics.WatchIndex([&] { return status; });
  std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "wissen_index_generation 7"));
  EXPECT_TRUE(Contains(text, "wissen_index_chunks 1200"));
  EXPECT_TRUE(Contains(text, "wissen_index_vectors 1200"));
  EXPECT_TRUE(Contains(text, "wissen_index_partitions 2"));
  // No series names a role or an ACL.
  EXPECT_EQ(text.find("partition="), std::string::npos);
  EXPECT_TRUE(Contains(text, "wissen_last_crawl_timestamp_seconds 1700000000"));
  EXPECT_TRUE(Contains(text, "wissen_last_crawl_success 1"));

  status->vectors = 1100;  // the hr documents are gone
  status->partitions = 1;
  status->last_crawl_ok = false;
  text = metrics.Render();
  EXPECT_TRUE(Contains(text, "wissen_index_vectors 1100"));
  EXPECT_TRUE(Contains(text, "wissen_index_partitions 1"));
  EXPECT_TRUE(Contains(text, "wissen_last_crawl_success 0"));

  status.reset();  // database unreachable: last values stay
  EXPECT_TRUE(Contains(metrics.Render(), "wissen_index_generation 7"));
}

TEST(WissenMetricsTest, LastCrawlIsTheNewestFinishedRun) {
  EXPECT_EQ(ParseUtcTimestamp("2023-11-14T22:13:20Z"), 1700000000.0);
  EXPECT_FALSE(ParseUtcTimestamp(""));
  EXPECT_FALSE(ParseUtcTimestamp("2023-11-14 22:13:20"));
  std::vector<store::CrawlRunSummary> runs(3);
  runs[0].status = "running";
  runs[1].status = "partial";
  runs[1].finished_at = "2023-11-14T22:13:20Z";
  runs[2].status = "ok";
  runs[2].finished_at = "2023-11-13T22:13:20Z";
  IndexStatus status;
  ApplyLastCrawl(runs, &status);
  EXPECT_EQ(status.last_crawl_finished_unix, 1700000000.0);
  EXPECT_EQ(status.last_crawl_ok, false);
}

}  // namespace
}  // namespace wissen::server

// wissen_bench_query: end-to-end retrieval latency, vector recall and resident memory on a
// synthetic index.
//
//   wissen_bench_query [--chunks N] [--queries Q] [--approximate-index ivf|hnsw]
//                      [--nprobe P] [--ef-search E] [--ann-threshold T]
//                      [--hnsw-m M] [--hnsw-ef-construction C] [--recall-queries R]
//                      [--results FILE] [--keep] [--reuse DIR [--replace-documents D]]
//
// Builds a fresh embedded PostgreSQL in a temp directory, writes N chunks (default 1,000,000;
// one document per 100 chunks; ACL {everyone} for 80 %, {hr} 15 %, {rnd} 5 % of them) of
// synthetic German and English text embedded by the built-in embedder (384 dimensions)
// through store::Catalog::ReplaceDocument, and publishes them with
// indexer::PublishGeneration (IVF or HNSW for partitions of at least T vectors, defaults
// those of the configuration, exact below). Then, single-threaded, Q queries (default 1,000, after
// 20 warm-up queries) run through retriever::Retriever::Search (hybrid) with principals alternating
// between everyone, everyone+hr, everyone+rnd and everyone+hr+rnd; a second pass times the stages
// (embed, vector, lexical, fusion, PostgreSQL fetch) by calling them directly. Vector
// recall@10 compares VectorIndex::Search with exact inner products over the same readable
// vectors (read back from the catalog) for R queries (default 200) and several nprobe (IVF) or
// efSearch (HNSW) values.
// Resident memory is VmRSS before and after retriever::LoadSnapshot, per chunk. The figures
// are printed and appended to bench/results/query.md (or FILE). --keep leaves the temp
// directory (cluster stopped) for a post-mortem; --reuse DIR measures such a kept directory
// again without building anything (its corpus, partitions and graphs stay as they were built),
// for trying query-side changes at a million chunks in minutes instead of half an hour.
// --replace-documents D (with --reuse) first stores D documents again with new text, as a
// nightly crawl that found them changed, so the publish shows what an incremental update of
// the kept index costs (the kept directory keeps the new text).
#include <omp.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "bench_util.h"
#include "synthetic_text.h"
#include "wissen/app/runtime.h"
#include "wissen/core/language.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"
#include "wissen/indexer/indexer.h"
#include "wissen/retriever/retriever.h"
#include "wissen/retriever/thesaurus.h"
#include "wissen/store/embedded_postgres.h"
#include "wissen/store/index_layout.h"
#include "wissen/store/migrator.h"

namespace wissen::bench {
namespace {
namespace fs = std::filesystem;

constexpr int kChunksPerDocument = 100;
constexpr int kWarmupQueries = 20;
constexpr int kK = 10;
constexpr float kTieTolerance = 1e-5f;
// Exact neighbours kept per query: the true top kK and enough beyond it to know the exact
// score of a hit the approximate search ranks in its top kK.
constexpr int kExactKept = 100;

struct Options {
  int64_t chunks = 1000000;
  int queries = 1000;
  store::VectorSearchOptions search;  // the configuration defaults unless overridden
  store::VectorBuildOptions build;    // the configuration defaults unless overridden
  int recall_queries = 200;
  fs::path results = DefaultResultsFile("query.md");
  bool keep = false;
  fs::path reuse;  // a directory an earlier --keep run left; nothing is built
  // With --reuse: this many documents get new text before publishing, as a nightly crawl
  // finds them changed (their chunks are replaced; the index is updated, not rebuilt).
  int64_t replace_documents = 0;
  double common_word_share = retriever::RetrieverOptions().lexical.common_word_share;
};

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--chunks" && has_value) {
      options.chunks = std::stoll(argv[++i]);
    } else if (arg == "--queries" && has_value) {
      options.queries = std::stoi(argv[++i]);
    } else if (arg == "--ef-search" && has_value) {
      options.search.ef_search = std::stoi(argv[++i]);
    } else if (arg == "--nprobe" && has_value) {
      options.search.nprobe = std::stoi(argv[++i]);
    } else if ((arg == "--ann-threshold" || arg == "--hnsw-threshold") && has_value) {
      options.build.ann_threshold = std::stoll(argv[++i]);
    } else if (arg == "--approximate-index" && has_value) {
      const auto kind = store::ApproximateKindNamed(argv[++i]);
      if (!kind) return std::nullopt;
      options.build.approximate_kind = *kind;
    } else if (arg == "--hnsw-m" && has_value) {
      options.build.hnsw_m = std::stoi(argv[++i]);
    } else if (arg == "--hnsw-ef-construction" && has_value) {
      options.build.hnsw_ef_construction = std::stoi(argv[++i]);
    } else if (arg == "--recall-queries" && has_value) {
      options.recall_queries = std::stoi(argv[++i]);
    } else if (arg == "--results" && has_value) {
      options.results = argv[++i];
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--ivf-rerank" && has_value) {
      options.search.ivf_rerank = std::stoi(argv[++i]);
    } else if (arg == "--common-word-share" && has_value) {
      options.common_word_share = std::stod(argv[++i]);
    } else if (arg == "--reuse" && has_value) {
      options.reuse = argv[++i];
    } else if (arg == "--replace-documents" && has_value) {
      options.replace_documents = std::stoll(argv[++i]);
    } else {
      return std::nullopt;
    }
  }
  if (options.chunks < kChunksPerDocument || options.queries < 1 || options.search.ef_search < 1 ||
      options.search.nprobe < 1 || options.build.ann_threshold < 1 || options.build.hnsw_m < 2 ||
      options.build.hnsw_ef_construction < 1 || options.recall_queries < 0 ||
      options.replace_documents < 0 || (options.replace_documents > 0 && options.reuse.empty())) {
    return std::nullopt;
  }
  return options;
}

// The ACL of document `index`: 16 of 20 documents for everyone, 3 for hr, 1 for rnd.
Acl DocumentAcl(int64_t index) {
  const int64_t slot = index % 20;
  if (slot < 16) return Acl({std::string(kEveryoneRole)});
  return Acl({slot < 19 ? "hr" : "rnd"});
}

Principal QueryPrincipal(int64_t index) {
  static const std::vector<std::vector<std::string>> kRoles = {{}, {"hr"}, {"rnd"}, {"hr", "rnd"}};
  return Principal("bench-user", kRoles[static_cast<size_t>(index % 4)]);
}

// One document ready for the catalog.
struct PendingDocument {
  DocumentInfo info;
  store::ParsedFields fields;
  std::vector<store::ChunkRecord> records;
};

// A bounded queue between the embedding thread and the writer.
class DocumentQueue {
 public:
  void Push(PendingDocument document) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < 16; });
    queue_.push_back(std::move(document));
    not_empty_.notify_one();
  }
  std::optional<PendingDocument> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (queue_.empty()) return std::nullopt;
    PendingDocument document = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return document;
  }
  void Close() {
    std::lock_guard lock(mutex_);
    done_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<PendingDocument> queue_;
  bool done_ = false;
};

struct IngestFigures {
  double write_seconds = 0;  // generate + embed (one thread) overlapped with writing
  double publish_seconds = 0;
  int64_t text_bytes = 0;
  int64_t replaced_documents = 0;  // --replace-documents
  double replace_seconds = 0;
  indexer::PublishReport publish;
};

// Builds the lexical index and the vector partitions, or with --reuse rebuilds the partitions
// whose kind the options change (the lexical index is then up to date and left alone).
Result<void> Publish(const Options& options, store::Catalog& catalog,
                     const engine::EmbedderInfo& info, const fs::path& index_root,
                     IngestFigures& figures) {
  Stopwatch publish_watch;
  indexer::PublishOptions publish;
  publish.index_root = index_root;
  publish.vectors = options.build;
  // PublishGeneration logs how long its lexical and vector parts took (index.published).
  log::SetLevel(log::Level::kInfo);
  auto report = indexer::PublishGeneration(catalog, info, publish);
  log::SetLevel(log::Level::kWarn);
  if (!report) return Fail(report.error());
  figures.publish = *report;
  figures.publish_seconds = publish_watch.Seconds();
  std::fprintf(stderr, "published: %.1f s\n", figures.publish_seconds);
  return {};
}

// Document `d` of the synthetic corpus, embedded, as the crawler would store it.
PendingDocument MakeDocument(int64_t d, SyntheticDocument synthetic,
                             const engine::Embedder& embedder, int source_id) {
  const engine::EmbedderInfo info = embedder.Info();
  std::vector<std::string> texts;
  for (const auto& chunk : synthetic.chunks) {
    texts.push_back(chunk.heading_path + "\n" + chunk.text);
  }
  auto vectors = embedder.Embed(texts, engine::EmbedPurpose::kPassage);
  PendingDocument pending;
  char path[32];
  std::snprintf(path, sizeof path, "doc-%07lld.txt", static_cast<long long>(d));
  pending.info.source_id = source_id;
  pending.info.source = "bench";
  pending.info.path = path;
  pending.info.uri = std::string("file:///bench/") + path;
  pending.info.content_hash = Sha256Hex(path);
  pending.info.acl = DocumentAcl(d);
  pending.info.acl_rule = "bench";
  pending.fields.title = synthetic.title;
  pending.fields.language = synthetic.language;
  pending.fields.mime = "text/plain";
  int offset = 0;
  for (size_t i = 0; i < synthetic.chunks.size(); ++i) {
    store::ChunkRecord record;
    record.chunk.ordinal = static_cast<int>(i);
    record.chunk.text = std::move(synthetic.chunks[i].text);
    record.chunk.heading_path = std::move(synthetic.chunks[i].heading_path);
    record.chunk.char_start = offset;
    offset += static_cast<int>(record.chunk.text.size()) + 2;
    record.chunk.char_end = offset - 2;
    const float* row = vectors->data() + i * info.dimension;
    record.embedding.assign(row, row + info.dimension);
    pending.info.size_bytes += static_cast<int64_t>(record.chunk.text.size());
    pending.records.push_back(std::move(record));
  }
  return pending;
}

// --replace-documents: the first `options.replace_documents` documents get new text (other
// words, new chunk ids) and are stored again, as a crawl stores a changed file. Documents are
// spread over the ACLs as in the corpus, so each partition changes by about the same share.
Result<void> ReplaceDocuments(const Options& options, store::Catalog& catalog,
                              const engine::Embedder& embedder, const TextGenerator& generator,
                              IngestFigures& figures) {
  auto source_id = catalog.EnsureSource("bench", "fs", "/bench");
  if (!source_id) return Fail(source_id.error());
  // Texts of documents far beyond the corpus: new words for the same paths.
  constexpr int64_t kNewTextOffset = 1000000000;
  Stopwatch watch;
  for (int64_t d = 0; d < options.replace_documents; ++d) {
    PendingDocument pending = MakeDocument(
        d, generator.Document(kNewTextOffset + d, kChunksPerDocument), embedder, *source_id);
    pending.info.content_hash = Sha256Hex(pending.info.path + " replaced " + NowUtc());
    auto id = catalog.ReplaceDocument(*source_id, pending.info, pending.fields, pending.records);
    if (!id) return Fail(id.error());
  }
  figures.replaced_documents = options.replace_documents;
  figures.replace_seconds = watch.Seconds();
  std::fprintf(stderr, "replaced %lld documents: %.1f s\n",
               static_cast<long long>(options.replace_documents), figures.replace_seconds);
  return {};
}

Result<IngestFigures> Ingest(const Options& options, store::Catalog& catalog,
                             const engine::Embedder& embedder, const TextGenerator& generator,
                             const fs::path& index_root) {
  IngestFigures figures;
  const engine::EmbedderInfo info = embedder.Info();
  if (auto ok = catalog.SetEmbedder(info.name, info.version, info.dimension); !ok) {
    return Fail(ok.error());
  }
  auto source_id = catalog.EnsureSource("bench", "fs", "/bench");
  if (!source_id) return Fail(source_id.error());
  const int64_t documents = (options.chunks + kChunksPerDocument - 1) / kChunksPerDocument;

  Stopwatch watch;
  DocumentQueue queue;
  std::thread producer([&] {
    for (int64_t d = 0; d < documents; ++d) {
      const int chunk_count = static_cast<int>(
          std::min<int64_t>(kChunksPerDocument, options.chunks - d * kChunksPerDocument));
      PendingDocument pending =
          MakeDocument(d, generator.Document(d, chunk_count), embedder, *source_id);
      queue.Push(std::move(pending));
    }
    queue.Close();
  });
  std::optional<Error> failure;
  int64_t written = 0;
  while (auto pending = queue.Pop()) {
    if (failure) continue;  // drain so the producer can finish
    auto id = catalog.ReplaceDocument(pending->info.source_id, pending->info, pending->fields,
                                      pending->records);
    if (!id) failure = id.error();
    figures.text_bytes += pending->info.size_bytes;
    written += static_cast<int64_t>(pending->records.size());
    if (written % 100000 == 0) {
      std::fprintf(stderr, "  %lld chunks written, %.0f s\n", static_cast<long long>(written),
                   watch.Seconds());
    }
  }
  producer.join();
  if (failure) return Fail(*failure);
  figures.write_seconds = watch.Seconds();
  std::fprintf(stderr, "written: %.1f s; publishing...\n", figures.write_seconds);
  if (auto ok = Publish(options, catalog, info, index_root, figures); !ok) return Fail(ok.error());
  return figures;
}

struct Latencies {
  std::vector<double> ms;
  std::string Row(const std::string& name) const {
    return Fmt("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name.c_str(), Percentile(ms, 50),
               Percentile(ms, 95), Percentile(ms, 99), Mean(ms),
               ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()));
  }
};

// One query's A/B pair: run(false) timed into `a`, run(true) into `b`, in an order that
// alternates with the query's index `i`, so that neither side always finds the caches warmer.
template <typename Run>
void TimeInterleaved(size_t i, Latencies& a, Latencies& b, Run&& run) {
  for (int turn = 0; turn < 2; ++turn) {
    const bool second = (turn == 0) == (i % 2 == 0);
    Stopwatch watch;
    run(second);
    (second ? b : a).ms.push_back(watch.Millis());
  }
}

constexpr const char* kLatencyHeader =
    "| stage | p50 ms | p95 ms | p99 ms | mean ms | max ms |\n|---|---:|---:|---:|---:|---:|\n";

// Exact top-k over every partition, streamed from the catalog, per query and partition.
class ExactSearch {
 public:
  ExactSearch(const std::vector<float>& queries, int dimension)
      : queries_(queries), dimension_(dimension) {}

  Result<void> AddPartition(store::Catalog& catalog, const Acl& acl) {
    const size_t count = queries_.size() / static_cast<size_t>(dimension_);
    std::vector<std::vector<store::ScoredId>> tops(count);
    auto scanned = catalog.ScanPartition(
        acl, [&](std::span<const int64_t> ids, std::span<const float> vectors) {
          for (size_t q = 0; q < count; ++q) {
            const float* query = queries_.data() + q * dimension_;
            for (size_t r = 0; r < ids.size(); ++r) {
              Offer(tops[q], {ids[r], Dot(query, vectors.data() + r * dimension_)});
            }
          }
        });
    if (!scanned) return Fail(scanned.error());
    partitions_.emplace_back(acl, std::move(tops));
    return {};
  }

  // Exact top-k of query `q` over the partitions `roles` may read.
  // Exact top-kExactKept of query `q` over the partitions `roles` may read: the first kK are
  // the truth for recall@10; the rest give the exact score of a near miss.
  std::vector<store::ScoredId> TopK(size_t q, const RoleSet& roles) const {
    std::vector<store::ScoredId> merged;
    for (const auto& [acl, tops] : partitions_) {
      if (roles.Intersects(acl)) merged.insert(merged.end(), tops[q].begin(), tops[q].end());
    }
    std::sort(merged.begin(), merged.end(), Better);
    if (merged.size() > static_cast<size_t>(kExactKept)) merged.resize(kExactKept);
    return merged;
  }

 private:
  static bool Better(const store::ScoredId& a, const store::ScoredId& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  }
  // Keeps the best kK in a heap whose top is the worst kept.
  static void Offer(std::vector<store::ScoredId>& top, store::ScoredId hit) {
    if (top.size() < static_cast<size_t>(kExactKept)) {
      top.push_back(hit);
      std::push_heap(top.begin(), top.end(), Better);
    } else if (Better(hit, top.front())) {
      std::pop_heap(top.begin(), top.end(), Better);
      top.back() = hit;
      std::push_heap(top.begin(), top.end(), Better);
    }
  }
  // Eight independent sums so the compiler can vectorize without -ffast-math.
  float Dot(const float* a, const float* b) const {
    float sums[8] = {};
    int i = 0;
    for (; i + 8 <= dimension_; i += 8) {
      for (int l = 0; l < 8; ++l) sums[l] += a[i + l] * b[i + l];
    }
    float sum = 0;
    for (; i < dimension_; ++i) sum += a[i] * b[i];
    for (float s : sums) sum += s;
    return sum;
  }

  const std::vector<float>& queries_;
  int dimension_;
  std::vector<std::pair<Acl, std::vector<std::vector<store::ScoredId>>>> partitions_;
};

struct RecallRow {
  int setting = 0;  // nprobe or efSearch
  double recall = 0;
  double recall_ties = 0;  // a hit scoring as high as the exact 10th counts
  Latencies latency;
};

int Run(int argc, char** argv) {
  const auto parsed_options = ParseOptions(argc, argv);
  if (!parsed_options) {
    std::fprintf(stderr,
                 "usage: wissen_bench_query [--chunks N] [--queries Q] "
                 "[--approximate-index ivf|hnsw] [--nprobe P] [--ef-search E] "
                 "[--ann-threshold T] [--hnsw-m M] [--hnsw-ef-construction C] "
                 "[--recall-queries R] [--results FILE] [--keep] "
                 "[--reuse DIR [--replace-documents D]]\n");
    return 2;
  }
  const Options& options = *parsed_options;
  log::SetLevel(log::Level::kWarn);
  const std::string machine = MachineSummary();
  const std::string date = NowUtc();
  Stopwatch total;

  auto work_dir =
      options.reuse.empty() ? MakeTempDir("wissen-bench-query-") : Result<fs::path>(options.reuse);
  if (!options.reuse.empty() && !fs::exists(options.reuse / "pg" / "PG_VERSION")) {
    std::fprintf(stderr, "--reuse %s: no kept benchmark directory there (pg/ missing)\n",
                 options.reuse.c_str());
    return 2;
  }
  if (!work_dir) {
    std::fprintf(stderr, "%s\n", work_dir.error().ToString().c_str());
    return 1;
  }
  const fs::path index_root = *work_dir / "index";
  std::string section;
  int exit_code = 0;
  {
    store::EmbeddedPostgresOptions pg_options;
    pg_options.data_dir = *work_dir / "pg";
    auto postgres = store::EmbeddedPostgres::Open(pg_options);
    std::unique_ptr<store::Catalog> catalog;
    if (postgres) {
      auto migrated =
          store::ApplyMigrations((*postgres)->connection_string(), app::BuiltinMigrations());
      if (migrated) {
        auto connected = store::Catalog::Connect((*postgres)->connection_string());
        if (connected) catalog = std::move(*connected);
      }
    }
    if (!catalog) {
      std::fprintf(stderr, "cannot set up the embedded PostgreSQL in %s\n", work_dir->c_str());
      exit_code = 1;
    }

    const auto embedder = engine::MakeBuiltinEmbedder();
    const int dimension = embedder->Info().dimension;
    const TextGenerator generator;
    IngestFigures ingest;
    if (exit_code == 0 && options.replace_documents > 0) {
      if (auto ok = ReplaceDocuments(options, *catalog, *embedder, generator, ingest); !ok) {
        std::fprintf(stderr, "replacing documents failed: %s\n", ok.error().ToString().c_str());
        exit_code = 1;
      }
    }
    if (exit_code == 0 && !options.reuse.empty()) {
      if (auto ok = Publish(options, *catalog, embedder->Info(), index_root, ingest); !ok) {
        std::fprintf(stderr, "publish failed: %s\n", ok.error().ToString().c_str());
        exit_code = 1;
      }
    }
    if (exit_code == 0 && options.reuse.empty()) {
      std::fprintf(stderr, "ingesting %lld chunks into %s\n",
                   static_cast<long long>(options.chunks), work_dir->c_str());
      auto ingested = Ingest(options, *catalog, *embedder, generator, index_root);
      if (!ingested) {
        std::fprintf(stderr, "ingest failed: %s\n", ingested.error().ToString().c_str());
        exit_code = 1;
      } else {
        ingest = *ingested;
      }
    }

    std::shared_ptr<const retriever::IndexSnapshot> snapshot;
    int64_t rss_before = 0;
    int64_t rss_after = 0;
    if (exit_code == 0) {
      TrimHeap();
      rss_before = ResidentBytes();
      auto loaded = retriever::LoadSnapshot(index_root);
      rss_after = ResidentBytes();
      if (!loaded || !(*loaded)->vectors || !(*loaded)->lexical) {
        std::fprintf(stderr, "cannot load the snapshot\n");
        exit_code = 1;
      } else {
        snapshot = *loaded;
      }
    }

    if (exit_code == 0) {
      // A reused directory holds however many chunks its run wrote.
      const int64_t n = options.reuse.empty() ? options.chunks : snapshot->lexical->size();
      retriever::RetrieverOptions retriever_options;
      retriever_options.vector = options.search;
      retriever_options.lexical.common_word_share = options.common_word_share;
      // The recall sweep varies the setting of the kind the large partitions have (a reused
      // directory keeps the kind it was built with).
      bool ivf = false;
      for (const auto& p : snapshot->vectors->partitions())
        ivf |= p.kind == store::PartitionKind::kIvf;
      const char* setting_name = ivf ? "nprobe" : "efSearch";
      const int used_setting = ivf ? options.search.nprobe : options.search.ef_search;
      auto with_setting = [&](int value) {
        store::VectorSearchOptions search = options.search;
        (ivf ? search.nprobe : search.ef_search) = value;
        return search;
      };
      // The configured default (lexical half on a second thread on a large index) and the
      // same retriever held to one thread. Both expand queries with the thesaurus, as the
      // server does by default, when its Debian packages are installed.
      auto thesaurus = retriever::Thesaurus::Load(retriever::ThesaurusOptions{});
      if (!thesaurus) {
        std::fprintf(stderr, "no thesaurus (%s): queries are not expanded\n",
                     thesaurus.error().ToString().c_str());
      }
      const retriever::Thesaurus* synonyms = thesaurus ? thesaurus->get() : nullptr;
      const retriever::Retriever retriever(*embedder, retriever_options, synonyms);
      retriever::RetrieverOptions one_thread_options = retriever_options;
      one_thread_options.parallel_min_chunks = 0;
      const retriever::Retriever one_thread_retriever(*embedder, one_thread_options, synonyms);

      // End to end.
      std::fprintf(stderr, "running %d queries end to end...\n", options.queries);
      for (int i = 0; i < kWarmupQueries; ++i) {
        const int64_t q = 1000000 + i;
        (void)retriever.Search(*snapshot, *catalog, QueryPrincipal(q), generator.Query(q), kK);
      }
      Latencies end_to_end, end_to_end_parallel;
      int64_t passages_returned = 0;
      int full_results = 0;
      for (int i = 0; i < options.queries && exit_code == 0; ++i) {
        const std::string text = generator.Query(i);
        const Principal principal = QueryPrincipal(i);
        // Both ways, in alternating order, so that neither always finds the caches warmer.
        for (int turn = 0; turn < 2; ++turn) {
          const bool single = (turn == 0) == (i % 2 == 0);
          Stopwatch watch;
          auto passages = (single ? one_thread_retriever : retriever)
                              .Search(*snapshot, *catalog, principal, text, kK);
          (single ? end_to_end : end_to_end_parallel).ms.push_back(watch.Millis());
          if (!passages) {
            std::fprintf(stderr, "query failed: %s\n", passages.error().ToString().c_str());
            exit_code = 1;
            break;
          }
          if (!single) continue;
          passages_returned += static_cast<int64_t>(passages->size());
          if (passages->size() == static_cast<size_t>(kK)) ++full_results;
          for (const auto& p : *passages) {
            if (!principal.MayRead(p.acl)) {
              std::fprintf(stderr, "ACL violation in query %d\n", i);
              exit_code = 1;
            }
          }
        }
      }
      const int64_t rss_after_queries = ResidentBytes();

      // Stage by stage, the same calls the retriever makes.
      std::fprintf(stderr, "timing stages...\n");
      Latencies detect, embed, vector, vector_one_thread, lexical, fusion, fetch;
      Latencies lexical_by_language[2];  // German, English
      const int candidates = retriever_options.candidates;
      std::vector<std::vector<float>> stage_vectors;
      std::vector<store::LexicalQuery> stage_lexical_queries;
      for (int i = 0; i < options.queries && exit_code == 0; ++i) {
        const std::string text = CollapseWhitespace(SanitizeUtf8(generator.Query(i)));
        const Principal principal = QueryPrincipal(i);
        Stopwatch t_detect;
        std::string language = DetectLanguage(text);
        if (language.empty()) language = kLanguageEnglish;
        detect.ms.push_back(t_detect.Millis());
        Stopwatch t_embed;
        auto embedded = embedder->Embed({text}, engine::EmbedPurpose::kQuery);
        embed.ms.push_back(t_embed.Millis());
        const store::VectorSearchOptions search_options = options.search;
        Stopwatch t_vector;
        const auto vector_hits =
            snapshot->vectors->Search(*embedded, candidates, principal.roles, search_options);
        vector.ms.push_back(t_vector.Millis());
        stage_vectors.push_back(std::move(*embedded));
        Stopwatch t_lexical;
        store::LexicalQuery lexical_query;
        lexical_query.text = text;
        lexical_query.language = language;
        lexical_query.roles = principal.roles;
        lexical_query.k = candidates;
        lexical_query.options = retriever_options.lexical;
        if (synonyms != nullptr && retriever_options.thesaurus_terms > 0) {
          const store::LexicalIndex& lexical_index = *snapshot->lexical;
          lexical_query.expansions = synonyms->Expand(
              text, language, retriever_options.thesaurus_terms, [&](std::string_view word) {
                return lexical_index.SynonymFrequency(word, language);
              });
        }
        auto lexical_hits = snapshot->lexical->Search(lexical_query);
        lexical.ms.push_back(t_lexical.Millis());
        stage_lexical_queries.push_back(lexical_query);
        lexical_by_language[language == "de" ? 0 : 1].ms.push_back(lexical.ms.back());
        Stopwatch t_fusion;
        std::unordered_map<int64_t, double> fused;
        for (size_t r = 0; r < vector_hits.size(); ++r) fused[vector_hits[r].id] += 1 / (61.0 + r);
        for (size_t r = 0; lexical_hits && r < lexical_hits->size(); ++r) {
          fused[(*lexical_hits)[r].id] += 1 / (61.0 + r);
        }
        std::vector<std::pair<int64_t, double>> ranked(fused.begin(), fused.end());
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        std::vector<int64_t> ids;
        for (const auto& [id, score] : ranked) {
          if (ids.size() >= 2 * kK) break;
          ids.push_back(id);
        }
        fusion.ms.push_back(t_fusion.Millis());
        Stopwatch t_fetch;
        (void)catalog->FetchPassages(ids, principal.roles);
        fetch.ms.push_back(t_fetch.Millis());
      }

      // The vector stage again, A/B interleaved (order alternating per query): FAISS's
      // OpenMP default (one thread per core) against OpenMP limited to the calling thread.
      Latencies vector_default;
      const int default_threads = omp_get_max_threads();
      for (size_t i = 0; i < stage_vectors.size(); ++i) {
        const store::VectorSearchOptions search_options = options.search;
        const RoleSet roles = QueryPrincipal(static_cast<int64_t>(i)).roles;
        TimeInterleaved(i, vector_default, vector_one_thread, [&](bool one_thread) {
          omp_set_num_threads(one_thread ? 1 : default_threads);
          (void)snapshot->vectors->Search(stage_vectors[i], candidates, roles, search_options);
        });
      }
      omp_set_num_threads(default_threads);

      // And A/B interleaved: IVF codes ranked by the integer first pass and re-scored
      // (ivf_rerank as configured) against every probed code scored exactly (ivf_rerank 0).
      Latencies vector_rerank, vector_exact_scan;
      if (options.search.ivf_rerank > 0) {
        for (size_t i = 0; i < stage_vectors.size(); ++i) {
          const RoleSet roles = QueryPrincipal(static_cast<int64_t>(i)).roles;
          TimeInterleaved(i, vector_rerank, vector_exact_scan, [&](bool exact_scan) {
            store::VectorSearchOptions search_options = options.search;
            if (exact_scan) search_options.ivf_rerank = 0;
            (void)snapshot->vectors->Search(stage_vectors[i], candidates, roles, search_options);
          });
        }
      }

      // The lexical stage again, A/B interleaved: as configured against every query word
      // finding chunks (common_word_share 0); and how many of the top 10 the two share.
      Latencies lexical_configured, lexical_every_word;
      int64_t same_top10 = 0, top10_total = 0;
      if (options.common_word_share > 0) {
        for (size_t i = 0; i < stage_lexical_queries.size(); ++i) {
          std::vector<store::ScoredId> hits[2];
          TimeInterleaved(i, lexical_configured, lexical_every_word, [&](bool every_word) {
            store::LexicalQuery query = stage_lexical_queries[i];
            if (every_word) query.options.common_word_share = 0;
            auto found = snapshot->lexical->Search(query);
            if (found) hits[every_word ? 1 : 0] = std::move(*found);
          });
          for (size_t r = 0; r < hits[1].size() && r < static_cast<size_t>(kK); ++r) {
            ++top10_total;
            for (size_t q = 0; q < hits[0].size() && q < static_cast<size_t>(kK); ++q) {
              if (hits[0][q].id == hits[1][r].id) ++same_top10;
            }
          }
        }
      }

      // Vector recall@10 against exact inner product.
      std::vector<RecallRow> recall_rows;
      double exact_seconds = 0;
      const int recall_queries = std::min(options.recall_queries, options.queries);
      if (recall_queries > 0 && exit_code == 0) {
        std::fprintf(stderr, "exact search for %d queries...\n", recall_queries);
        std::vector<float> query_vectors;
        for (int i = 0; i < recall_queries; ++i) {
          auto v = embedder->Embed({generator.Query(i)}, engine::EmbedPurpose::kQuery);
          query_vectors.insert(query_vectors.end(), v->begin(), v->end());
        }
        Stopwatch exact_watch;
        ExactSearch exact(query_vectors, dimension);
        for (const auto& partition : snapshot->vectors->partitions()) {
          if (auto ok = exact.AddPartition(*catalog, partition.acl); !ok) {
            std::fprintf(stderr, "scan failed: %s\n", ok.error().ToString().c_str());
            exit_code = 1;
          }
        }
        exact_seconds = exact_watch.Seconds();
        std::set<int> sweep = ivf ? std::set<int>{8, 16, 32, 64, 96, 128, 192, 256}
                                  : std::set<int>{16, 32, 64, 96, 128, 192, 256, 512};
        sweep.insert(used_setting);
        for (int i = 0; i < recall_queries; ++i) {  // warm the vector index after the scan
          const std::span<const float> query(query_vectors.data() + i * dimension,
                                             static_cast<size_t>(dimension));
          (void)snapshot->vectors->Search(query, kK, QueryPrincipal(i).roles,
                                          with_setting(*sweep.begin()));
        }
        for (int setting : sweep) {
          RecallRow row;
          row.setting = setting;
          double recall_sum = 0;
          double recall_ties_sum = 0;
          for (int i = 0; i < recall_queries; ++i) {
            const Principal principal = QueryPrincipal(i);
            const std::span<const float> query(query_vectors.data() + i * dimension,
                                               static_cast<size_t>(dimension));
            Stopwatch watch;
            const auto hits =
                snapshot->vectors->Search(query, kK, principal.roles, with_setting(setting));
            row.latency.ms.push_back(watch.Millis());
            auto exact_top = exact.TopK(static_cast<size_t>(i), principal.roles);
            // Exact scores of the hits the exact search ranks within its kept neighbours;
            // the approximate scores of 8-bit codes differ from them slightly.
            std::unordered_map<int64_t, float> exact_score;
            for (const auto& hit : exact_top) exact_score.emplace(hit.id, hit.score);
            const std::vector<store::ScoredId> truth(
                exact_top.begin(), exact_top.begin() + std::min<size_t>(exact_top.size(), kK));
            std::unordered_set<int64_t> truth_ids;
            for (const auto& hit : truth) truth_ids.insert(hit.id);
            int found = 0;
            for (const auto& hit : hits) found += truth_ids.contains(hit.id) ? 1 : 0;
            recall_sum += truth.empty() ? 1.0 : double(found) / double(truth.size());
            // Duplicate chunks (identical vectors) tie exactly; which copy the exact
            // search keeps is arbitrary, so a hit whose exact score is within float noise of
            // the exact 10th score is as good as the one it replaced.
            int as_good = 0;
            for (const auto& hit : hits) {
              const auto it = exact_score.find(hit.id);
              as_good += !truth.empty() && it != exact_score.end() &&
                         it->second >= truth.back().score - kTieTolerance;
            }
            recall_ties_sum +=
                truth.empty() ? 1.0
                              : double(std::min(as_good, int(truth.size()))) / double(truth.size());
          }
          row.recall = recall_sum / recall_queries;
          row.recall_ties = recall_ties_sum / recall_queries;
          recall_rows.push_back(std::move(row));
        }
      }

      // Report.
      const double rss_per_chunk = double(rss_after - rss_before) / double(n);
      const int64_t vector_bytes = DirectoryBytes(store::index_layout::VectorRoot(index_root));
      const int64_t lexical_bytes = DirectoryBytes(snapshot->lexical->directory());
      const int64_t pg_bytes = DirectoryBytes(*work_dir / "pg");
      double chosen_recall = 0;
      double chosen_recall_ties = 0;
      for (const auto& row : recall_rows) {
        if (row.setting == used_setting) {
          chosen_recall = row.recall;
          chosen_recall_ties = row.recall_ties;
        }
      }
      const double p50 = Percentile(end_to_end.ms, 50);
      const double p99 = Percentile(end_to_end.ms, 99);
      const bool parallel =
          retriever_options.parallel_min_chunks > 0 && n >= retriever_options.parallel_min_chunks;
      auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };

      section = "## " + date +
                Fmt(" — %lld chunks, %s %s %d\n\n", static_cast<long long>(n), ivf ? "IVF" : "HNSW",
                    setting_name, used_setting);
      section += "- Command: `" + CommandLine(argc, argv) + "`\n";
      section += "- Machine: " + machine + "\n";
      section +=
          Fmt("- Corpus: %lld synthetic chunks (%s, %d+%d-word German/English "
              "vocabularies, Zipf), %lld documents of %d chunks; ACL partitions:",
              static_cast<long long>(n),
              options.reuse.empty() ? Fmt("%.0f MB of text", ingest.text_bytes / 1e6).c_str()
                                    : "text of the reused run",
              generator.vocabulary_size("de"), generator.vocabulary_size("en"),
              static_cast<long long>((n + kChunksPerDocument - 1) / kChunksPerDocument),
              kChunksPerDocument);
      for (const auto& p : snapshot->vectors->partitions()) {
        section += Fmt(" {%s} %lld (%s)", p.acl.Key().c_str(), static_cast<long long>(p.vectors),
                       store::PartitionKindName(p.kind));
      }
      section +=
          Fmt("; %s from %lld vectors", store::PartitionKindName(options.build.approximate_kind),
              static_cast<long long>(options.build.ann_threshold));
      if (!ivf) {
        section += Fmt(", M %d, efConstruction %d", options.build.hnsw_m,
                       options.build.hnsw_ef_construction);
      }
      section += "\n";
      if (options.reuse.empty()) {
        section += Fmt(
            "- Build: generate + embed (1 thread) overlapped with Catalog::ReplaceDocument: %.0f s "
            "(%.0f chunks/s); PublishGeneration (lexical index + vector partitions): %.0f s; "
            "whole run %.0f s\n",
            ingest.write_seconds, n / ingest.write_seconds, ingest.publish_seconds,
            total.Seconds());
      } else {
        const std::string replaced =
            ingest.replaced_documents == 0
                ? std::string()
                : Fmt("%lld documents (%lld chunks) replaced by new text first (%.0f s, "
                      "`--replace-documents`); ",
                      static_cast<long long>(ingest.replaced_documents),
                      static_cast<long long>(ingest.replaced_documents * kChunksPerDocument),
                      ingest.replace_seconds);
        section += Fmt(
            "- Build: the index of an earlier run reused (`--reuse`); %sPublishGeneration "
            "rebuilt %d vector partitions and updated %d (%d unchanged) in %.0f s, %lld "
            "lexical documents updated; whole run %.0f s\n",
            replaced.c_str(), ingest.publish.partitions_built, ingest.publish.partitions_updated,
            ingest.publish.partitions_reused, ingest.publish_seconds,
            static_cast<long long>(ingest.publish.lexical_documents_updated), total.Seconds());
      }
      section += Fmt("- On disk: vectors %.0f MB, lexical %.0f MB, PostgreSQL %.0f MB\n",
                     vector_bytes / 1e6, lexical_bytes / 1e6, pg_bytes / 1e6);
      section +=
          Fmt("- Resident memory: VmRSS %.0f MB before and %.0f MB after LoadSnapshot: %.0f bytes "
              "per chunk (%.0f MB after the queries)\n",
              rss_before / 1e6, rss_after / 1e6, rss_per_chunk, rss_after_queries / 1e6);
      section +=
          Fmt("- Results: %.2f passages per query on average, %d of %d queries got a full top-%d\n",
              double(passages_returned) / options.queries, full_results, options.queries, kK);
      section +=
          Fmt("- Targets: p50 %.2f ms <= 10 ms %s; p99 %.2f ms <= 40 ms %s (single-threaded; "
              "%.2f / %.2f ms with %s); ",
              p50, verdict(p50 <= 10), p99, verdict(p99 <= 40),
              Percentile(end_to_end_parallel.ms, 50), Percentile(end_to_end_parallel.ms, 99),
              parallel ? "the lexical half on a second thread, the default at this size"
                       : "the default, which keeps one thread at this size");
      section += recall_rows.empty()
                     ? std::string("recall@10 not measured (--recall-queries 0); ")
                     : Fmt("recall@10 %.3f >= 0.95 %s (%.3f with ties counted); ", chosen_recall,
                           verdict(chosen_recall >= 0.95), chosen_recall_ties);
      section +=
          Fmt("%.0f bytes per chunk <= 2048 %s\n\n", rss_per_chunk, verdict(rss_per_chunk <= 2048));
      section +=
          Fmt("Latency, one query at a time, %d queries after %d warm-up queries, k = %d, %d "
              "candidates "
              "per list, principals cycling everyone / +hr / +rnd / +hr+rnd, page cache warm:\n\n",
              options.queries, kWarmupQueries, kK, candidates);
      section += kLatencyHeader;
      section += end_to_end.Row("**end to end** (Retriever::Search), single-threaded");
      section += end_to_end_parallel.Row(
          parallel ? "**end to end**, lexical half on a second thread (the default)"
                   : "end to end, the default (one thread below parallel_min_chunks)");
      section += detect.Row("language detection");
      section += embed.Row("embed query");
      section +=
          vector.Row(Fmt("vector search (%s %d, k %d)", setting_name,
                         ivf ? used_setting : std::max(used_setting, candidates), candidates));
      section += vector_default.Row(
          Fmt("vector search, A/B: OpenMP default (%d threads)", default_threads));
      section += vector_one_thread.Row("vector search, A/B: OpenMP limited to 1 thread");
      if (options.search.ivf_rerank > 0) {
        section += vector_rerank.Row(
            Fmt("vector search, A/B: integer first pass, best %d per result re-scored (as "
                "configured)",
                options.search.ivf_rerank));
        section += vector_exact_scan.Row("vector search, A/B: every probed code scored exactly");
      }
      section += lexical.Row(Fmt("lexical search (k %d%s)", candidates,
                                 synonyms != nullptr ? ", thesaurus expansion included" : ""));
      section += lexical_by_language[0].Row(
          Fmt("lexical search, %zu German queries", lexical_by_language[0].ms.size()));
      section += lexical_by_language[1].Row(
          Fmt("lexical search, %zu other queries", lexical_by_language[1].ms.size()));
      if (options.common_word_share > 0) {
        section += lexical_configured.Row(
            Fmt("lexical search, A/B: words in > %g %% of the chunks only weigh (as configured)",
                options.common_word_share * 100));
        section += lexical_every_word.Row(
            Fmt("lexical search, A/B: every word finds chunks (%.1f %% of its top 10 the same)",
                top10_total > 0 ? 100.0 * same_top10 / top10_total : 0.0));
      }
      section += fusion.Row("fusion");
      section += fetch.Row(Fmt("PostgreSQL fetch (%d ids)", 2 * kK));
      if (!recall_rows.empty()) {
        section +=
            Fmt("\nVector recall@%d of VectorIndex::Search against exact inner product over the "
                "readable partitions, %d queries (exact search took %.0f s):\n\n",
                kK, recall_queries, exact_seconds);
        section +=
            Fmt("A hit counts for \"recall@10, ties\" when its exact score is at least the exact "
                "10th score minus %g (identical vectors of duplicate chunks).\n\n",
                kTieTolerance);
        section += Fmt("| %s | recall@10 | recall@10, ties | p50 ms | p99 ms |\n", setting_name);
        section += "|---:|---:|---:|---:|---:|\n";
        for (const auto& row : recall_rows) {
          section += Fmt("| %d%s | %.3f | %.3f | %.2f | %.2f |\n", row.setting,
                         row.setting == used_setting ? " (used)" : "", row.recall, row.recall_ties,
                         Percentile(row.latency.ms, 50), Percentile(row.latency.ms, 99));
        }
      }
      std::printf("\n%s\n", section.c_str());
    }
    snapshot.reset();
    catalog.reset();
  }  // ~EmbeddedPostgres stops the cluster.
  std::error_code ec;
  if (options.keep || !options.reuse.empty()) {
    std::fprintf(stderr, "kept %s\n", work_dir->c_str());
  } else {
    fs::remove_all(*work_dir, ec);
  }
  if (exit_code != 0 || section.empty()) return exit_code != 0 ? exit_code : 1;
  if (auto ok = AppendResults(options.results,
                              "# Query benchmark results\n\nWritten by `wissen_bench_query` (see "
                              "bench/README.md). Newest runs last.",
                              section);
      !ok) {
    std::fprintf(stderr, "%s\n", ok.error().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "appended to %s\n", options.results.c_str());
  return 0;
}

}  // namespace
}  // namespace wissen::bench

int main(int argc, char** argv) { return wissen::bench::Run(argc, argv); }

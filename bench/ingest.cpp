// wissen_bench_ingest: crawl throughput (documents/s, PDF pages/s, MB/s) of a corpus,
// compared in the same run with the floor of reading and parsing alone.
//
//   wissen_bench_ingest CORPUS_DIR [--results FILE]
//
// Passes, all over the files the default include globs select (PDF, HTML, text, Markdown,
// Office, e-mail):
//   1. parse only: read each file and crawler::ParseDocument it with OCR as a crawl does (the
//      floor), timed per format;
//   1b. OCR only, when the corpus has scanned pages: those pages recognised on one thread and
//      on all cores (pages/s per thread), without a cache;
//   2. chunk + embed: the parsed documents of pass 1 through the chunker and the built-in
//      embedder, no database (what the indexer adds before it writes);
//   3. full crawl: app::RunCrawl into a fresh embedded PostgreSQL in a temp directory
//      (one source over CORPUS_DIR, ACL "**" -> everyone), including publishing the index;
//   4. re-crawl of the unchanged corpus.
// Every file is read once before pass 1, so all passes see a warm page cache. The figures are
// printed and appended to bench/results/ingest.md (or FILE).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "wissen/app/config.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/core/glob.h"
#include "wissen/core/log.h"
#include "wissen/crawler/ocr.h"
#include "wissen/crawler/parsers.h"
#include "wissen/indexer/chunker.h"

namespace wissen::bench {
namespace {
namespace fs = std::filesystem;

struct PassFigures {
  double seconds = 0;
  double cpu_seconds = 0;  // this process only (PostgreSQL's backend not included)
  int64_t documents = 0;   // parsed (pass 1) or stored (crawl)
  int64_t pdf_pages = 0;
  int64_t bytes = 0;   // raw bytes of those documents
  int64_t failed = 0;  // skipped or failed files
  int64_t chunks = 0;
};

struct CorpusFile {
  fs::path path;
  std::string relative;
};

// Parse time per format (by file extension).
struct FormatFigures {
  int64_t files = 0;
  int64_t parsed = 0;
  int64_t bytes = 0;
  double seconds = 0;
};

std::string Extension(const std::string& relative) {
  const size_t dot = relative.rfind('.');
  return dot == std::string::npos ? "(none)" : relative.substr(dot + 1);
}

std::vector<CorpusFile> ListCorpus(const fs::path& root) {
  const crawler::FsSourceOptions defaults;
  std::vector<CorpusFile> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string relative = it->path().lexically_relative(root).generic_string();
    for (const auto& glob : defaults.include) {
      if (GlobMatch(glob, relative)) {
        files.push_back({it->path(), relative});
        break;
      }
    }
  }
  return files;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Pass 1: read + parse. Keeps the parsed documents for pass 2.
PassFigures ParseOnly(const std::vector<CorpusFile>& files, const crawler::ParseOptions& options,
                      std::vector<ParsedDocument>* parsed,
                      std::map<std::string, FormatFigures>* by_format) {
  PassFigures figures;
  const double cpu = ProcessCpuSeconds();
  Stopwatch watch;
  for (const auto& file : files) {
    const std::string bytes = ReadAll(file.path);
    Stopwatch file_watch;
    auto document = crawler::ParseDocument(bytes, file.relative, "", options);
    FormatFigures& format = (*by_format)[Extension(file.relative)];
    format.seconds += file_watch.Seconds();
    ++format.files;
    format.bytes += static_cast<int64_t>(bytes.size());
    if (!document) {
      ++figures.failed;
      continue;
    }
    ++format.parsed;
    ++figures.documents;
    figures.bytes += static_cast<int64_t>(bytes.size());
    figures.pdf_pages += document->page_count;
    parsed->push_back(std::move(*document));
  }
  figures.seconds = watch.Seconds();
  figures.cpu_seconds = ProcessCpuSeconds() - cpu;
  return figures;
}

// Scanned pages: PDF pages that give no text without OCR, by file.
std::vector<std::pair<std::string, std::vector<int>>> ScannedPages(
    const std::vector<CorpusFile>& files) {
  std::vector<std::pair<std::string, std::vector<int>>> scanned;
  for (const auto& file : files) {
    std::string bytes = ReadAll(file.path);
    if (crawler::DetectContentKind(bytes, file.relative) != crawler::ContentKind::kPdf) continue;
    auto document = crawler::ParsePdf(bytes);
    if (!document) continue;
    std::set<int> with_text;
    for (const Block& block : document->blocks) with_text.insert(block.page);
    std::vector<int> pages;
    for (int page = 1; page <= document->page_count; ++page) {
      if (!with_text.contains(page)) pages.push_back(page);
    }
    if (!pages.empty()) scanned.emplace_back(std::move(bytes), std::move(pages));
  }
  return scanned;
}

struct OcrFigures {
  int64_t pages = 0;
  int64_t failed = 0;
  double seconds = 0;
};

// Pass 1b: the scanned pages recognised with `threads` threads and no cache.
OcrFigures RecognizeAll(const std::vector<std::pair<std::string, std::vector<int>>>& scanned,
                        int threads) {
  OcrFigures figures;
  crawler::OcrOptions options;
  options.threads = threads;
  auto ocr = crawler::PageOcr::Create(options, nullptr);
  if (!ocr) return figures;
  Stopwatch watch;
  for (const auto& [bytes, pages] : scanned) {
    for (const auto& page : ocr->RecognizePdfPages(bytes, pages)) {
      ++figures.pages;
      if (!page.text) ++figures.failed;
    }
  }
  figures.seconds = watch.Seconds();
  return figures;
}

// Pass 2: chunk + embed as the indexer does (batches of 64, heading path + text).
double ChunkAndEmbed(const std::vector<ParsedDocument>& parsed, const app::Config& config,
                     int64_t* chunk_count, double* cpu_seconds) {
  engine::BuiltinEmbedderOptions options;
  options.dimension = config.embedding_dimension;
  const auto embedder = engine::MakeBuiltinEmbedder(options);
  const double cpu = ProcessCpuSeconds();
  Stopwatch watch;
  for (const auto& document : parsed) {
    const std::vector<Chunk> chunks = indexer::ChunkDocument(document, config.chunker);
    *chunk_count += static_cast<int64_t>(chunks.size());
    for (size_t begin = 0; begin < chunks.size(); begin += 64) {
      std::vector<std::string> texts;
      for (size_t i = begin; i < std::min(chunks.size(), begin + 64); ++i) {
        texts.push_back(chunks[i].heading_path + "\n" + chunks[i].text);
      }
      auto vectors = embedder->Embed(texts, engine::EmbedPurpose::kPassage);
      if (!vectors) std::fprintf(stderr, "embed failed: %s\n", vectors.error().message.c_str());
    }
  }
  *cpu_seconds = ProcessCpuSeconds() - cpu;
  return watch.Seconds();
}

app::Config MakeConfig(const fs::path& work_dir, const fs::path& corpus) {
  app::Config config;
  config.config_file = work_dir / "wissen.toml";  // only named in messages; never read
  config.data_dir = work_dir / "data";
  app::SourceConfig source;
  source.name = "bench";
  source.kind = "fs";
  source.fs.name = "bench";
  source.fs.root = corpus;
  source.fs.acl = crawler::AclRules({{"**", {std::string(kEveryoneRole)}}});
  config.sources.push_back(source);
  return config;
}

Result<PassFigures> Crawl(app::Runtime& runtime, double* crawl_seconds) {
  const double cpu = ProcessCpuSeconds();
  Stopwatch watch;
  auto report = app::RunCrawl(runtime, std::nullopt);
  if (!report) return Fail(report.error());
  PassFigures figures;
  figures.seconds = watch.Seconds();
  figures.cpu_seconds = ProcessCpuSeconds() - cpu;
  const crawler::CrawlStats& stats = report->sources.at("bench").stats;
  figures.documents = stats.added + stats.changed;
  figures.bytes = stats.bytes_parsed;
  figures.pdf_pages = stats.pages_parsed;
  figures.failed = stats.failed + stats.skipped;
  *crawl_seconds = stats.seconds;
  auto counts = runtime.catalog().CountAll();
  if (counts) figures.chunks = counts->chunks;
  return figures;
}

std::string Row(const char* name, const PassFigures& f) {
  const double s = std::max(f.seconds, 1e-9);
  return Fmt("| %s | %.2f | %.2f | %lld | %.1f | %.1f | %.2f |\n", name, f.seconds, f.cpu_seconds,
             static_cast<long long>(f.documents), f.documents / s, f.pdf_pages / s,
             f.bytes / 1e6 / s);
}

int Run(int argc, char** argv) {
  fs::path corpus;
  fs::path results = DefaultResultsFile("ingest.md");
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--results") == 0 && i + 1 < argc) {
      results = argv[++i];
    } else if (argv[i][0] != '-' && corpus.empty()) {
      corpus = argv[i];
    } else {
      std::fprintf(stderr, "usage: wissen_bench_ingest CORPUS_DIR [--results FILE]\n");
      return 2;
    }
  }
  std::error_code ec;
  corpus = fs::canonical(corpus, ec);
  if (corpus.empty() || ec || !fs::is_directory(corpus)) {
    std::fprintf(stderr, "usage: wissen_bench_ingest CORPUS_DIR [--results FILE]\n");
    return 2;
  }
  log::SetLevel(log::Level::kWarn);
  const std::string machine = MachineSummary();
  const std::string date = NowUtc();

  const std::vector<CorpusFile> files = ListCorpus(corpus);
  int64_t corpus_bytes = 0;
  for (const auto& file : files) corpus_bytes += static_cast<int64_t>(ReadAll(file.path).size());
  std::fprintf(stderr, "corpus %s: %zu files, %.1f MB\n", corpus.c_str(), files.size(),
               corpus_bytes / 1e6);

  // OCR as a crawl with the default [ocr] does it, but without a cache: every run recognises.
  auto ocr = crawler::PageOcr::Create(crawler::OcrOptions{}, nullptr);
  std::string ocr_state = ocr ? "on (deu+eng)" : "unavailable: " + ocr.error().message;
  crawler::ParseOptions parse_options;
  if (ocr) parse_options.ocr = &*ocr;
  std::vector<ParsedDocument> parsed;
  std::map<std::string, FormatFigures> by_format;
  const PassFigures parse = ParseOnly(files, parse_options, &parsed, &by_format);
  std::fprintf(stderr, "parse only: %.2f s\n", parse.seconds);

  const auto scanned = ScannedPages(files);
  OcrFigures ocr_one;
  OcrFigures ocr_all;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (ocr && !scanned.empty()) {
    ocr_one = RecognizeAll(scanned, 1);
    ocr_all = RecognizeAll(scanned, cores);
    std::fprintf(stderr, "OCR: %lld pages, %.2f s on 1 thread, %.2f s on %d\n",
                 static_cast<long long>(ocr_one.pages), ocr_one.seconds, ocr_all.seconds, cores);
  }

  auto work_dir = MakeTempDir("wissen-bench-ingest-");
  if (!work_dir) {
    std::fprintf(stderr, "%s\n", work_dir.error().ToString().c_str());
    return 1;
  }
  const app::Config config = MakeConfig(*work_dir, corpus);
  PassFigures embed;
  embed.seconds = ChunkAndEmbed(parsed, config, &embed.chunks, &embed.cpu_seconds);
  embed.documents = parse.documents;
  embed.bytes = parse.bytes;
  embed.pdf_pages = parse.pdf_pages;
  parsed.clear();
  std::fprintf(stderr, "chunk + embed: %.2f s (%lld chunks)\n", embed.seconds,
               static_cast<long long>(embed.chunks));

  int exit_code = 0;
  PassFigures crawl;
  PassFigures recrawl;
  double crawl_walk_seconds = 0;
  double recrawl_walk_seconds = 0;
  double setup_seconds = 0;
  {
    Stopwatch setup;
    auto runtime = app::Runtime::Open(config);
    setup_seconds = setup.Seconds();
    if (!runtime) {
      std::fprintf(stderr, "cannot open the runtime: %s\n", runtime.error().ToString().c_str());
      exit_code = 1;
    } else {
      auto first = Crawl(**runtime, &crawl_walk_seconds);
      auto second = first ? Crawl(**runtime, &recrawl_walk_seconds) : first;
      if (!first || !second) {
        std::fprintf(stderr, "crawl failed: %s\n",
                     (first ? second : first).error().ToString().c_str());
        exit_code = 1;
      } else {
        crawl = *first;
        recrawl = *second;
      }
    }
  }  // The app::Runtime's destructor stops the embedded cluster before the directory goes.
  fs::remove_all(*work_dir, ec);
  if (exit_code != 0) return exit_code;

  std::string table =
      "| pass | wall s | CPU s (bench process) | documents | documents/s | PDF pages/s | MB/s "
      "|\n|---|---:|---:|---:|---:|---:|---:|\n";
  table += Row("read + parse only (floor)", parse);
  table += Row("chunk + embed only (no database)", embed);
  table += Row("full crawl (parse, chunk, embed, PostgreSQL, publish)", crawl);
  table += Fmt("| re-crawl, nothing changed | %.2f | %.2f | %lld seen | %.1f | - | - |\n",
               recrawl.seconds, recrawl.cpu_seconds, static_cast<long long>(parse.documents),
               parse.documents / std::max(recrawl.seconds, 1e-9));

  table +=
      "\n| format | files | parsed | MB | parse s | documents/s "
      "|\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& [extension, format] : by_format) {
    table +=
        Fmt("| %s | %lld | %lld | %.2f | %.2f | %.1f |\n", extension.c_str(),
            static_cast<long long>(format.files), static_cast<long long>(format.parsed),
            format.bytes / 1e6, format.seconds, format.parsed / std::max(format.seconds, 1e-9));
  }
  if (ocr_one.pages > 0) {
    table +=
        Fmt("\n| OCR (scanned pages, no cache) | pages | failed | wall s | pages/s | pages/s per "
            "thread |\n|---|---:|---:|---:|---:|---:|\n| 1 thread | %lld | %lld | %.2f | %.2f | "
            "%.2f |\n| %d threads | %lld | %lld | %.2f | %.2f | %.2f |\n",
            static_cast<long long>(ocr_one.pages), static_cast<long long>(ocr_one.failed),
            ocr_one.seconds, ocr_one.pages / std::max(ocr_one.seconds, 1e-9),
            ocr_one.pages / std::max(ocr_one.seconds, 1e-9), cores,
            static_cast<long long>(ocr_all.pages), static_cast<long long>(ocr_all.failed),
            ocr_all.seconds, ocr_all.pages / std::max(ocr_all.seconds, 1e-9),
            ocr_all.pages / std::max(ocr_all.seconds, 1e-9) / cores);
  }

  std::string section = "## " + date + " — " + corpus.string() + "\n\n";
  section += "- Command: `" + CommandLine(argc, argv) + "`\n";
  section += "- Machine: " + machine + "\n";
  section +=
      Fmt("- Corpus: %zu files selected by the default include globs, %.1f MB; %lld parsed "
          "(%lld PDF pages), %lld skipped or failed; %lld chunks\n",
          files.size(), corpus_bytes / 1e6, static_cast<long long>(parse.documents),
          static_cast<long long>(parse.pdf_pages), static_cast<long long>(parse.failed),
          static_cast<long long>(crawl.chunks));
  section +=
      Fmt("- Full crawl split: %.2f s walking, parsing, chunking, embedding and writing; %.2f s "
          "publishing (lexical index, vector partitions, crawl bookkeeping). Not counted: %.2f s "
          "to initdb, start and migrate the embedded PostgreSQL.\n",
          crawl_walk_seconds, crawl.seconds - crawl_walk_seconds, setup_seconds);
  section += Fmt("- Crawl vs floor: the full crawl takes %.1fx the time of parsing alone.\n",
                 crawl.seconds / std::max(parse.seconds, 1e-9));
  section += "- OCR: " + ocr_state +
             Fmt("; %lld scanned pages. The re-crawl parsed %lld bytes and %lld pages.\n\n",
                 static_cast<long long>(ocr_one.pages), static_cast<long long>(recrawl.bytes),
                 static_cast<long long>(recrawl.pdf_pages));
  section += table;
  std::printf("\n%s\n", section.c_str());
  if (auto ok = AppendResults(results,
                              "# Ingest benchmark results\n\nWritten by "
                              "`wissen_bench_ingest` (see bench/README.md). Newest "
                              "runs last.",
                              section);
      !ok) {
    std::fprintf(stderr, "%s\n", ok.error().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "appended to %s\n", results.c_str());
  return 0;
}

}  // namespace
}  // namespace wissen::bench

int main(int argc, char** argv) { return wissen::bench::Run(argc, argv); }

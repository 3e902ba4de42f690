// The ingestion pipeline against a real PostgreSQL, real FAISS and Xapian files:
// crawl the samples, re-crawl, change/add/delete, crash mid-run, concurrent crawls.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "samples_config.h"
#include "test_cluster.h"
#include "wissen/app/config.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/crawler/parsers.h"
#include "wissen/indexer/indexer.h"
#include "wissen/retriever/retriever.h"
#include "wissen/store/vector_index.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;

const fs::path kSamples = fs::path(WISSEN_SOURCE_DIR) / "samples";

// A copy of the samples plus a config pointing at it and at a fresh database.
struct Workspace {
  fs::path dir;
  fs::path corpus;
  fs::path config_file;
  std::string database_url;
};

Workspace MakeWorkspace(const fs::path& source = kSamples) {
  Workspace ws;
  ws.dir = testing::MakeTempDir("crawl-");
  ws.corpus = ws.dir / "corpus";
  fs::copy(source, ws.corpus, fs::copy_options::recursive);
  ws.database_url = testing::FreshDatabase();
  ws.config_file = ws.dir / "wissen.toml";
  std::ofstream(ws.config_file) << testing::SamplesConfigToml(ws.database_url, "corpus");
  return ws;
}

std::unique_ptr<app::Runtime> Open(const Workspace& ws) {
  auto config = app::LoadConfig(ws.config_file);
  EXPECT_TRUE(config) << config.error().message;
  auto runtime = app::Runtime::Open(*config);
  EXPECT_TRUE(runtime) << runtime.error().message;
  return std::move(*runtime);
}

const crawler::CrawlStats& Stats(const app::CrawlRunReport& report) {
  return report.sources.at("samples").stats;
}

std::vector<Passage> Search(app::Runtime& runtime, const std::vector<std::string>& roles,
                            const std::string& query, int k = 10) {
  auto snapshot = retriever::LoadSnapshot(runtime.config().index_dir());
  EXPECT_TRUE(snapshot);
  retriever::Retriever retriever(runtime.embedder(), runtime.config().retrieval,
                                 runtime.thesaurus());
  auto passages = retriever.Search(**snapshot, runtime.catalog(), Principal("t", roles), query, k);
  EXPECT_TRUE(passages) << passages.error().message;
  return passages ? *passages : std::vector<Passage>{};
}

int64_t CountFiles(const fs::path& corpus) {
  int64_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    const auto rel = entry.path().lexically_relative(corpus).generic_string();
    if (entry.is_regular_file() && !rel.starts_with("src/") && rel != "README.md") {
      const auto ext = entry.path().extension();
      for (const char* indexed :
           {".pdf", ".html", ".htm", ".txt", ".md", ".docx", ".xlsx", ".pptx", ".odt", ".eml"}) {
        if (ext == indexed) ++n;
      }
    }
  }
  return n;
}

TEST(CrawlTest, CrawlsTheSamplesIntoARoleAwareIndex) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->status, "ok");
  EXPECT_TRUE(report->published);
  EXPECT_EQ(Stats(*report).added, CountFiles(ws.corpus));
  EXPECT_EQ(Stats(*report).failed, 0);

  auto hr_doc = runtime->catalog().FindDocument("samples", "hr/de/gehaltsbaender-2025.html");
  ASSERT_TRUE(hr_doc && hr_doc->has_value());
  EXPECT_EQ((*hr_doc)->acl, Acl({"hr"}));

  // An hr user finds the salary bands; a user without hr gets nothing from hr/.
  const auto for_hr = Search(*runtime, {"hr"}, "Gehaltsbänder Referenzgehalt");
  ASSERT_FALSE(for_hr.empty());
  EXPECT_EQ(for_hr.front().path, "hr/de/gehaltsbaender-2025.html");
  for (const auto& p : Search(*runtime, {}, "Gehaltsbänder Referenzgehalt CANARY-SAMPLE-HR-7Q2M")) {
    EXPECT_FALSE(p.path.starts_with("hr/")) << p.path;
    EXPECT_EQ(p.text.find("CANARY-SAMPLE-HR"), std::string::npos);
  }
}

TEST(CrawlTest, RecrawlWithoutChangesParsesNothing) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto first = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(first);
  auto second = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_EQ(Stats(*second).added + Stats(*second).changed, 0);
  EXPECT_EQ(Stats(*second).unchanged, Stats(*first).added);
  EXPECT_EQ(Stats(*second).bytes_parsed, 0);
  EXPECT_FALSE(second->published);
  EXPECT_EQ(second->generation, first->generation);
}

TEST(CrawlTest, PublishRebuildsPartitionsWhenTheApproximateIndexSettingChanges) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto first = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->published);
  auto kinds = [&] {
    auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
    EXPECT_TRUE(snapshot && (*snapshot)->vectors);
    std::set<store::PartitionKind> found;
    for (const auto& p : (*snapshot)->vectors->partitions()) found.insert(p.kind);
    return found;
  };
  EXPECT_EQ(kinds(), std::set<store::PartitionKind>{store::PartitionKind::kFlat});

  // The samples' partitions are small; a threshold of one vector makes each approximate.
  indexer::PublishOptions publish;
  publish.index_root = runtime->config().index_dir();
  publish.vectors.ann_threshold = 1;
  publish.vectors.approximate_kind = store::PartitionKind::kHnsw;
  auto graphs = indexer::PublishGeneration(runtime->catalog(), runtime->embedder().Info(), publish);
  ASSERT_TRUE(graphs) << graphs.error().message;
  EXPECT_GT(graphs->generation, first->generation);
  EXPECT_EQ(kinds(), std::set<store::PartitionKind>{store::PartitionKind::kHnsw});
  auto same = indexer::PublishGeneration(runtime->catalog(), runtime->embedder().Info(), publish);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->generation, graphs->generation) << "nothing changed, nothing to rebuild";

  publish.vectors.approximate_kind = store::PartitionKind::kIvf;
  auto lists = indexer::PublishGeneration(runtime->catalog(), runtime->embedder().Info(), publish);
  ASSERT_TRUE(lists) << lists.error().message;
  EXPECT_GT(lists->generation, graphs->generation);
  EXPECT_EQ(kinds(), std::set<store::PartitionKind>{store::PartitionKind::kIvf});
  EXPECT_FALSE(Search(*runtime, {}, "Urlaub beantragen").empty());
}

TEST(CrawlTest, ChangedAddedAndDeletedFilesAreExactlyWhatIsUpdated) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));

  std::ofstream(ws.corpus / "public/en/new-policy.txt")
      << "Bicycle leasing policy\n\nEmployees may lease up to two bicycles through the "
         "Zebrafahrrad programme.\n";
  std::ofstream(ws.corpus / "public/de/kantine.txt", std::ios::app)
      << "\nAb Mai gibt es montags einen Quarkauflauf mit Kirschen.\n";
  fs::remove(ws.corpus / "public/en/vpn-setup.html");

  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(Stats(*report).added, 1);
  EXPECT_EQ(Stats(*report).changed, 1);
  EXPECT_EQ(Stats(*report).deleted, 1);
  EXPECT_TRUE(report->published);

  EXPECT_EQ(Search(*runtime, {}, "Zebrafahrrad bicycles").front().path, "public/en/new-policy.txt");
  EXPECT_EQ(Search(*runtime, {}, "Quarkauflauf Kirschen").front().path, "public/de/kantine.txt");
  for (const auto& p : Search(*runtime, {}, "WireGuard VPN configuration self-service portal")) {
    EXPECT_NE(p.path, "public/en/vpn-setup.html");
  }
}

// Stands in for an index an older version built: its documents carry parser version 1.
void MarkAllDocumentsAsParsedByVersionOne(const std::string& database_url) {
  pqxx::connection connection(database_url);
  pqxx::work tx(connection);
  tx.exec("UPDATE documents SET parser_version = 1");
  tx.commit();
}

TEST(CrawlTest, DocumentsOfAnOlderPdfParserAreParsedAgainOnce) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  const std::string pdf = "public/en/employee-handbook.pdf";
  const std::string html = "hr/de/gehaltsbaender-2025.html";
  auto stored = runtime->catalog().FindDocument("samples", pdf);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->parser_version, crawler::ParserVersion("application/pdf"));
  EXPECT_GT((*stored)->parser_version, 1);

  MarkAllDocumentsAsParsedByVersionOne(ws.database_url);
  auto upgraded = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  // Only the PDFs, whose parser changed, are parsed again; their bytes did not change.
  int64_t pdfs = 0;
  for (const auto& entry : fs::recursive_directory_iterator(ws.corpus)) {
    const auto relative = entry.path().lexically_relative(ws.corpus).generic_string();
    if (entry.path().extension() == ".pdf" && !relative.starts_with("src/")) ++pdfs;
  }
  ASSERT_GT(pdfs, 0);
  EXPECT_EQ(Stats(*upgraded).changed, pdfs);
  EXPECT_EQ(Stats(*upgraded).added, 0);
  EXPECT_TRUE(upgraded->published);
  stored = runtime->catalog().FindDocument("samples", pdf);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->parser_version, crawler::ParserVersion("application/pdf"));
  auto html_doc = runtime->catalog().FindDocument("samples", html);
  ASSERT_TRUE(html_doc && html_doc->has_value());
  EXPECT_EQ((*html_doc)->parser_version, 1);

  auto again = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(Stats(*again).added + Stats(*again).changed, 0);
  EXPECT_EQ(Stats(*again).bytes_parsed, 0);
}

// A file that became unreadable for the parser keeps its stored version, but a tighter rule
// must apply to that version at once, not once the file parses again.
TEST(CrawlTest, AFileThatNoLongerParsesStillGetsItsNewAcl) {
  Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  const std::string pdf = "public/en/employee-handbook.pdf";
  const std::string query = "Employee Handbook Beispiel GmbH onboarding buddy";
  const auto found = [&](const std::vector<std::string>& roles) {
    for (const auto& p : Search(*runtime, roles, query)) {
      if (p.path == pdf) return true;
    }
    return false;
  };
  ASSERT_TRUE(found({}));
  std::ofstream(ws.corpus / pdf, std::ios::trunc) << "%PDF-1.4\nbroken beyond repair\n";
  std::string text;
  {
    std::ifstream in(ws.config_file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string first_rule = "  [[sources.acl]]\n  match = \"hr/**\"";
  text.insert(text.find(first_rule),
              "  [[sources.acl]]\n  match = \"" + pdf + "\"\n  roles = [\"hr\"]\n");
  std::ofstream(ws.config_file) << text;
  runtime.reset();
  runtime = Open(ws);
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_EQ(Stats(*report).failed, 1);
  EXPECT_EQ(Stats(*report).acl_changed, 1);
  auto stored = runtime->catalog().FindDocument("samples", pdf);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_FALSE((*stored)->deleted);  // the last good version stays
  EXPECT_EQ((*stored)->acl, Acl({"hr"}));
  EXPECT_FALSE(found({}));
  EXPECT_TRUE(found({"hr"}));
}

TEST(CrawlTest, PermissionRuleChangeUpdatesAclWithoutReparsing) {
  Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  // Make rnd/ readable by hr as well: only metadata changes.
  std::string text;
  {
    std::ifstream in(ws.config_file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("roles = [\"rnd\"]"), 15, "roles = [\"rnd\", \"hr\"]");
  std::ofstream(ws.config_file) << text;
  runtime.reset();
  runtime = Open(ws);
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_EQ(Stats(*report).added + Stats(*report).changed, 0);
  EXPECT_GT(Stats(*report).acl_changed, 0);
  const auto for_hr = Search(*runtime, {"hr"}, "battery roadmap 2026");
  ASSERT_FALSE(for_hr.empty());
  EXPECT_TRUE(for_hr.front().path.starts_with("rnd/")) << for_hr.front().path;
}

TEST(CrawlTest, DeletedDocumentIsGoneBeforeAnyRebuild) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  auto before = Search(*runtime, {}, "WireGuard VPN");
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(before.front().path, "public/en/vpn-setup.html");
  // Delete in the catalog only: the index files still hold the chunks.
  ASSERT_TRUE(runtime->catalog().MarkDeleted(before.front().document_id));
  for (const auto& p : Search(*runtime, {}, "WireGuard VPN")) {
    EXPECT_NE(p.path, "public/en/vpn-setup.html");
  }
}

TEST(CrawlTest, ASecondConcurrentCrawlRefuses) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto other = runtime->NewCatalog();
  ASSERT_TRUE(other);
  auto lock = (*other)->TryLockCrawl();
  ASSERT_TRUE(lock);
  auto refused = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("another crawl"), std::string::npos);
  // The real binary exits at once with code 2 and says why.
  const std::string command =
      std::string(WISSEN_BINARY) + " --config " + ws.config_file.string() + " crawl 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("another crawl is running"), std::string::npos) << output;
  lock->reset();
  EXPECT_TRUE(app::RunCrawl(*runtime, std::nullopt));
}

TEST(CrawlTest, KilledCrawlLeavesAConsistentCatalogAndRerunCompletes) {
  // A corpus big enough that the crawl is still running when it is killed.
  const fs::path big = testing::MakeTempDir("big-") / "corpus";
  fs::create_directories(big / "public");
  for (int i = 0; i < 1500; ++i) {
    std::ofstream out(big / "public" / ("note-" + std::to_string(i) + ".txt"));
    out << "Note " << i << "\n\n";
    for (int s = 0; s < 40; ++s) {
      out << "Sentence " << s << " of note " << i << " talks about topic " << (i * 7 + s) % 97
          << ". ";
    }
  }
  const Workspace ws = MakeWorkspace(big);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    ::execl(WISSEN_BINARY, WISSEN_BINARY, "--config", ws.config_file.c_str(), "crawl",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto runtime = Open(ws);
  // Wait until the child has stored some documents, then kill it without warning.
  for (int i = 0; i < 3000; ++i) {
    auto counts = runtime->catalog().CountAll();
    if (counts && counts->documents >= 20) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);

  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  auto counts = runtime->catalog().CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, 1500);
  EXPECT_EQ(Stats(*report).added + Stats(*report).unchanged, 1500);
  auto state = runtime->catalog().GetIndexState();
  ASSERT_TRUE(state && state->has_value());
  EXPECT_EQ((*state)->chunk_count, counts->chunks);  // every stored chunk is indexed once
  auto again = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(Stats(*again).added + Stats(*again).changed, 0);
}

TEST(CrawlTest, MissingRootFailsTheSourceAndDeletesNothing) {
  Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto first = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(first);
  fs::rename(ws.corpus, ws.dir / "unmounted");
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, "partial");
  EXPECT_TRUE(report->sources.at("samples").error.has_value());
  auto counts = runtime->catalog().CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, Stats(*first).added);
}

TEST(CrawlTest, EmptyRootIsTreatedAsUnmountedAndDeletesNothing) {
  Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  auto first = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(first);
  // The mount point stays, the share behind it is gone.
  fs::rename(ws.corpus, ws.dir / "unmounted");
  fs::create_directories(ws.corpus);
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, "partial");
  ASSERT_TRUE(report->sources.at("samples").error.has_value());
  EXPECT_NE(report->sources.at("samples").error->message.find("not mounted"), std::string::npos);
  auto counts = runtime->catalog().CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, Stats(*first).added);
}

TEST(CrawlTest, LosingMostOfASourceAtOnceIsRefused) {
  const fs::path big = testing::MakeTempDir("many-") / "corpus";
  fs::create_directories(big / "public");
  for (int i = 0; i < 30; ++i) {
    std::ofstream(big / "public" / ("memo-" + std::to_string(i) + ".txt"))
        << "Memo " << i << "\n\nThe canteen serves soup number " << i << " today.\n";
  }
  const Workspace ws = MakeWorkspace(big);
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  for (int i = 0; i < 20; ++i) {
    fs::remove(ws.corpus / "public" / ("memo-" + std::to_string(i) + ".txt"));
  }
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report);
  EXPECT_EQ(Stats(*report).deleted, 0);
  EXPECT_EQ(Stats(*report).failed, 1);
  auto counts = runtime->catalog().CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, 30);
}

TEST(CrawlTest, InterruptedRunIsMarkedFailedByTheNextRun) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  // A run that never finished, as left by a killed process.
  auto orphan = runtime->catalog().BeginCrawlRun({"samples"});
  ASSERT_TRUE(orphan);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  auto runs = runtime->catalog().RecentCrawlRuns(10);
  ASSERT_TRUE(runs);
  bool found = false;
  for (const auto& run : *runs) {
    if (run.id != *orphan) continue;
    found = true;
    EXPECT_EQ(run.status, "failed");
    EXPECT_NE(run.error.find("interrupted"), std::string::npos);
  }
  EXPECT_TRUE(found);
}

TEST(CrawlTest, OtherEmbedderIsRefusedUntilReindex) {
  Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  std::ofstream(ws.config_file, std::ios::app) << "[index]\ndimension = 256\n";
  runtime.reset();
  runtime = Open(ws);

  auto crawl = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_FALSE(crawl);
  EXPECT_EQ(crawl.error().code, ErrorCode::kConflict);
  EXPECT_NE(crawl.error().message.find("wissen reindex"), std::string::npos);
  auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
  ASSERT_TRUE(snapshot);
  retriever::Retriever retriever(runtime->embedder(), runtime->config().retrieval);
  auto refused = retriever.Search(**snapshot, runtime->catalog(), Principal("t", {}), "VPN", 3);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("wissen reindex"), std::string::npos);

  indexer::PublishOptions publish;
  publish.index_root = runtime->config().index_dir();
  auto reindexed = indexer::Reindex(runtime->catalog(), runtime->embedder(), publish);
  ASSERT_TRUE(reindexed) << reindexed.error().message;
  EXPECT_GT(reindexed->chunks, 0);
  const auto found = Search(*runtime, {}, "WireGuard VPN");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().path, "public/en/vpn-setup.html");
  auto again = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(Stats(*again).added + Stats(*again).changed, 0);
}

TEST(CrawlTest, TheLexicalIndexIsCompactedAfterEachFullRebuild) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  const fs::path index_dir = runtime->config().index_dir();
  auto live_copy = [&] {
    std::ifstream pointer(index_dir / "lexical.current");
    std::string name;
    std::getline(pointer, name);
    return name;
  };
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  EXPECT_EQ(live_copy(), "lexical.000001") << "the first crawl builds the index in full";
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  EXPECT_EQ(live_copy(), "lexical.000001") << "nothing changed, nothing to compact";

  // An index written before compaction existed (no pointer): the next crawl compacts it,
  // though nothing changed.
  fs::remove(index_dir / "lexical.current");
  fs::remove_all(index_dir / "lexical");
  fs::rename(index_dir / "lexical.000001", index_dir / "lexical");
  auto upgraded = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  EXPECT_FALSE(upgraded->published);
  EXPECT_EQ(live_copy(), "lexical.000001");

  indexer::PublishOptions publish;
  publish.index_root = index_dir;
  ASSERT_TRUE(indexer::Reindex(runtime->catalog(), runtime->embedder(), publish));
  EXPECT_EQ(live_copy(), "lexical.000002");
  EXPECT_TRUE(fs::is_directory(index_dir / "lexical.000001")) << "kept for readers a while";
  const auto found = Search(*runtime, {}, "WireGuard VPN");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().path, "public/en/vpn-setup.html");
}

TEST(CrawlTest, ALargePartitionThatChangedALittleIsUpdatedNotRetrained) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  store::Catalog& catalog = runtime->catalog();
  indexer::PublishOptions publish;
  publish.index_root = runtime->config().index_dir();
  publish.vectors.ann_threshold = 1;  // every partition of the samples is IVF
  publish.vectors.approximate_kind = store::PartitionKind::kIvf;
  auto trained = indexer::PublishGeneration(catalog, runtime->embedder().Info(), publish);
  ASSERT_TRUE(trained) << trained.error().message;
  EXPECT_EQ(trained->partitions_updated, 0);

  // One public document gets new text; its chunks are replaced by new ones (new ids).
  const std::string path = "public/en/vpn-setup.html";
  auto stored = catalog.FindDocument("samples", path);
  ASSERT_TRUE(stored && stored->has_value());
  auto source_id = catalog.EnsureSource("samples", "fs", fs::canonical(ws.corpus).string());
  ASSERT_TRUE(source_id) << source_id.error().message;
  DocumentInfo info;
  info.source_id = *source_id;
  info.source = "samples";
  info.path = path;
  info.uri = "file://" + (ws.corpus / path).string();
  info.content_hash = "changed";
  info.acl = (*stored)->acl;
  info.acl_rule = (*stored)->acl_rule;
  ParsedDocument parsed;
  parsed.title = "VPN setup";
  parsed.language = "en";
  parsed.mime = "text/html";
  Block block;
  block.heading_path = {"Quokka tunnel"};
  block.text = "The quokka tunnel replaces WireGuard.";
  parsed.blocks.push_back(std::move(block));
  indexer::Indexer writer(catalog, runtime->embedder(), {});
  ASSERT_TRUE(writer.Put(info, parsed));

  auto updated = indexer::PublishGeneration(catalog, runtime->embedder().Info(), publish);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->partitions_updated, 1) << "the public partition, and only it";
  EXPECT_EQ(updated->partitions_built, 0);
  EXPECT_GT(updated->partitions_reused, 0);

  // The vector index alone finds the new chunk; it holds exactly the catalog's live chunks, so
  // none of the replaced ones.
  auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
  ASSERT_TRUE(snapshot && (*snapshot)->vectors);
  EXPECT_EQ((*snapshot)->vectors->size(), updated->chunks);
  auto query = runtime->embedder().Embed({"Quokka tunnel\nThe quokka tunnel replaces WireGuard."},
                                         engine::EmbedPurpose::kPassage);
  ASSERT_TRUE(query);
  store::VectorSearchOptions every_list;
  every_list.nprobe = 1000;
  const auto hits = (*snapshot)->vectors->Search(*query, 1, RoleSet({"everyone"}), every_list);
  ASSERT_EQ(hits.size(), 1u);
  const auto found = Search(*runtime, {}, "quokka tunnel");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().path, path);
  EXPECT_EQ(found.front().chunk_id, hits.front().id);

  // The document becomes HR's: its chunk leaves the public partition and joins HR's,
  // whether either is updated or built anew.
  info.acl = Acl({"hr"});
  ASSERT_TRUE(catalog.UpdateDocumentMetadata(found.front().document_id, info));
  auto moved = indexer::PublishGeneration(catalog, runtime->embedder().Info(), publish);
  ASSERT_TRUE(moved) << moved.error().message;
  auto after_move = retriever::LoadSnapshot(runtime->config().index_dir());
  ASSERT_TRUE(after_move && (*after_move)->vectors);
  for (const auto& hit :
       (*after_move)->vectors->Search(*query, 100, RoleSet({"everyone"}), every_list)) {
    EXPECT_NE(hit.id, hits.front().id) << "an HR chunk in a partition everyone reads";
  }
  const auto for_hr = (*after_move)->vectors->Search(*query, 1, RoleSet({"hr"}), every_list);
  ASSERT_EQ(for_hr.size(), 1u);
  EXPECT_EQ(for_hr.front().id, hits.front().id);
}

TEST(CrawlTest, InterruptedReindexBlocksCrawlsUntilFinished) {
  const Workspace ws = MakeWorkspace();
  auto runtime = Open(ws);
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  ASSERT_TRUE(runtime->catalog().SetReindexing("other-model 1 384"));
  auto crawl = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_FALSE(crawl);
  EXPECT_NE(crawl.error().message.find("interrupted"), std::string::npos);
  indexer::PublishOptions publish;
  publish.index_root = runtime->config().index_dir();
  ASSERT_TRUE(indexer::Reindex(runtime->catalog(), runtime->embedder(), publish));
  EXPECT_TRUE(app::RunCrawl(*runtime, std::nullopt));
}

}  // namespace
}  // namespace wissen

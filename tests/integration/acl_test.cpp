// Role filtering end to end on the samples: no passage of a document a principal may not
// read ever comes back, whatever the roles and however the query quotes restricted text;
// and each of the three ACL checks stops a restricted passage on its own.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "samples_config.h"
#include "test_cluster.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/indexer/indexer.h"
#include "wissen/retriever/retriever.h"
#include "wissen/store/lexical_index.h"
#include "wissen/store/vector_index.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;

const fs::path kSamples = fs::path(WISSEN_SOURCE_DIR) / "samples";
// The canaries of the HR and the R&D documents (samples/README.md), HTML and PDF first.
const std::vector<std::string> kHrCanaries = {"CANARY-SAMPLE-HR-7Q2M", "CANARY-SAMPLE-HR-W5T3"};
const std::vector<std::string> kRndCanaries = {"CANARY-SAMPLE-RND-4K9P", "CANARY-SAMPLE-RND-X8J2",
                                               "CANARY-SAMPLE-RND-P3V6"};

class AclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path dir = testing::MakeTempDir("acl-");
    const fs::path config_file = dir / "wissen.toml";
    std::ofstream(config_file) << testing::SamplesConfigToml(testing::FreshDatabase(), kSamples);
    auto config = app::LoadConfig(config_file);
    ASSERT_TRUE(config) << config.error().message;
    auto runtime = app::Runtime::Open(*config);
    ASSERT_TRUE(runtime) << runtime.error().message;
    runtime_ = std::move(*runtime);
    auto report = app::RunCrawl(*runtime_, std::nullopt);
    ASSERT_TRUE(report) << report.error().message;
    auto snapshot = retriever::LoadSnapshot(runtime_->config().index_dir());
    ASSERT_TRUE(snapshot);
    snapshot_ = *snapshot;
  }

  std::vector<Passage> Search(const Principal& principal, const std::string& query, int k = 10) {
    return Search(runtime_->config().retrieval, principal, query, k);
  }
  std::vector<Passage> Search(const retriever::RetrieverOptions& options,
                              const Principal& principal, const std::string& query, int k) {
    retriever::Retriever retriever(runtime_->embedder(), options, runtime_->thesaurus());
    auto passages = retriever.Search(*snapshot_, runtime_->catalog(), principal, query, k);
    EXPECT_TRUE(passages) << passages.error().message;
    return passages ? *passages : std::vector<Passage>{};
  }

  // Queries that aim at restricted content: every sample question and leak probe, and the
  // canaries quoted verbatim.
  static std::vector<std::string> HostileQueries() {
    std::vector<std::string> queries = kHrCanaries;
    queries.insert(queries.end(), kRndCanaries.begin(), kRndCanaries.end());
    for (const char* file : {"questions.jsonl", "leak_probes.jsonl"}) {
      std::ifstream in(kSamples / file);
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto json = nlohmann::json::parse(line);
        queries.push_back(json.contains("question") ? json["question"].get<std::string>()
                                                    : json["query"].get<std::string>());
      }
    }
    queries.push_back("Dokumentkennung: CANARY-SAMPLE-HR-7Q2M Gehaltsbänder");
    queries.push_back("Document ID CANARY-SAMPLE-RND-4K9P battery roadmap");
    return queries;
  }

  std::unique_ptr<app::Runtime> runtime_;
  std::shared_ptr<const retriever::IndexSnapshot> snapshot_;
};

TEST_F(AclTest, NoRoleCombinationEverSeesAnUnreadablePassage) {
  const std::vector<std::vector<std::string>> combinations = {{}, {"hr"}, {"rnd"}, {"hr", "rnd"}};
  const auto queries = HostileQueries();
  ASSERT_GT(queries.size(), 20u);
  for (const auto& roles : combinations) {
    const Principal principal("user", roles);
    for (const auto& query : queries) {
      for (const auto& passage : Search(principal, query, 20)) {
        ASSERT_TRUE(principal.MayRead(passage.acl))
            << passage.path << " to roles " << principal.roles.Key() << " for: " << query;
        const bool hr_path = passage.path.starts_with("hr/");
        const bool rnd_path = passage.path.starts_with("rnd/");
        EXPECT_FALSE(hr_path && !principal.roles.Contains("hr")) << passage.path;
        EXPECT_FALSE(rnd_path && !principal.roles.Contains("rnd")) << passage.path;
        if (!principal.roles.Contains("hr")) {
          for (const auto& canary : kHrCanaries) {
            EXPECT_EQ(passage.text.find(canary), std::string::npos) << query;
          }
        }
        if (!principal.roles.Contains("rnd")) {
          for (const auto& canary : kRndCanaries) {
            EXPECT_EQ(passage.text.find(canary), std::string::npos) << query;
          }
        }
      }
    }
  }
}

TEST_F(AclTest, HalvesOnTwoThreadsReturnWhatOneThreadReturns) {
  retriever::RetrieverOptions one_thread = runtime_->config().retrieval;
  one_thread.parallel_min_chunks = 0;
  retriever::RetrieverOptions two_threads = one_thread;
  two_threads.parallel_min_chunks = 1;  // the samples are far below the default
  auto ids = [](const std::vector<Passage>& passages) {
    std::vector<int64_t> chunk_ids;
    for (const auto& passage : passages) chunk_ids.push_back(passage.chunk_id);
    return chunk_ids;
  };
  for (const auto& roles : std::vector<std::vector<std::string>>{{}, {"hr"}, {"hr", "rnd"}}) {
    const Principal principal("user", roles);
    for (const auto& query : HostileQueries()) {
      const auto parallel = Search(two_threads, principal, query, 10);
      EXPECT_EQ(ids(parallel), ids(Search(one_thread, principal, query, 10))) << query;
      for (const auto& passage : parallel) ASSERT_TRUE(principal.MayRead(passage.acl));
    }
  }
}

TEST_F(AclTest, HolderOfTheRoleFindsTheRestrictedDocument) {
  const auto for_hr = Search(Principal("h", {"hr"}), "Gehaltsbänder 2025 Referenzgehalt", 5);
  ASSERT_FALSE(for_hr.empty());
  EXPECT_TRUE(for_hr.front().path.starts_with("hr/")) << for_hr.front().path;
}

TEST_F(AclTest, UserWithOnlyARareRoleStillGetsAFullTopK) {
  Principal rare("r", {});
  rare.roles = RoleSet({"rnd"});  // deliberately without everyone
  const auto passages = Search(rare, "Prüfung Ladegerät battery test", 5);
  EXPECT_EQ(passages.size(), 5u);
  for (const auto& p : passages) EXPECT_TRUE(p.path.starts_with("rnd/")) << p.path;
}

// Chunk ids of the hr documents, found as an hr user.
std::vector<int64_t> HrChunkIds(store::Catalog& catalog) {
  std::vector<int64_t> ids;
  auto partitions = catalog.ListPartitions();
  EXPECT_TRUE(partitions);
  for (const auto& partition : *partitions) {
    if (partition.acl != Acl({"hr"})) continue;
    EXPECT_TRUE(catalog.ScanPartition(partition.acl, [&](auto batch_ids, auto) {
      ids.insert(ids.end(), batch_ids.begin(), batch_ids.end());
    }));
  }
  EXPECT_FALSE(ids.empty());
  return ids;
}

TEST_F(AclTest, FinalFetchAloneStopsRestrictedPassages) {
  // As if both index checks had failed: the fetch is handed hr chunk ids directly.
  const auto ids = HrChunkIds(runtime_->catalog());
  auto for_everyone = runtime_->catalog().FetchPassages(ids, RoleSet({"everyone", "rnd"}));
  ASSERT_TRUE(for_everyone);
  EXPECT_TRUE(for_everyone->empty());
  auto for_hr = runtime_->catalog().FetchPassages(ids, RoleSet({"everyone", "hr"}));
  ASSERT_TRUE(for_hr);
  EXPECT_EQ(for_hr->size(), ids.size());
}

TEST_F(AclTest, VectorPartitionSelectionAloneStopsRestrictedPassages) {
  // Search with the exact vector of an hr chunk: only a readable partition may answer.
  const auto ids = HrChunkIds(runtime_->catalog());
  std::vector<float> hr_vector;
  ASSERT_TRUE(runtime_->catalog().ScanPartition(Acl({"hr"}), [&](auto, auto vectors) {
    if (hr_vector.empty())
      hr_vector.assign(vectors.begin(), vectors.begin() + runtime_->embedder().Info().dimension);
  }));
  const std::set<int64_t> hr_ids(ids.begin(), ids.end());
  for (const auto& hit : snapshot_->vectors->Search(hr_vector, 50, RoleSet({"everyone", "rnd"}))) {
    EXPECT_FALSE(hr_ids.contains(hit.id));
  }
  const auto for_hr = snapshot_->vectors->Search(hr_vector, 1, RoleSet({"hr"}));
  ASSERT_EQ(for_hr.size(), 1u);
  EXPECT_TRUE(hr_ids.contains(for_hr.front().id));
}

TEST_F(AclTest, LexicalRoleFilterAloneStopsRestrictedPassages) {
  const auto ids = HrChunkIds(runtime_->catalog());
  const std::set<int64_t> hr_ids(ids.begin(), ids.end());
  // Kept in a variable: iterating *Search(...) directly would read a destroyed temporary.
  const auto hits =
      snapshot_->lexical->Search({"CANARY-SAMPLE-HR-7Q2M Gehaltsbänder Referenzgehalt", "de",
                                  RoleSet({"everyone", "rnd"}), 100});
  ASSERT_TRUE(hits);
  ASSERT_FALSE(hits->empty());  // readable chunks match too, so the filter had work to do
  for (const auto& hit : *hits) EXPECT_FALSE(hr_ids.contains(hit.id));
  auto for_hr = snapshot_->lexical->Search({"CANARY-SAMPLE-HR-7Q2M", "de", RoleSet({"hr"}), 5});
  ASSERT_TRUE(for_hr);
  ASSERT_FALSE(for_hr->empty());
  EXPECT_TRUE(hr_ids.contains(for_hr->front().id));
}

}  // namespace
}  // namespace wissen

// The dev set's leak probes (../shared/eval-dev/leak_probes.jsonl) through the answer
// pipeline, with the extractive answerer and with a local model that echoes its whole prompt
// back (the fake server's kEchoPrompt: whatever reached the prompt ends up in the answer, the
// worst case). Nothing a probe's principal may not read may appear in the answer, the
// citations or the passages handed to the generator.
//
// Skipped when eval-dev is not beside the source tree. The corpus is built with the set's own
// build_corpus.sh (SKIP_INSTALL=1: the Debian packages must be installed; about a minute) into
// a temp dir and indexed once per test process with the rules of the set's acl.toml.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fake_openai_server.h"
#include "test_cluster.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/core/text.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;
using fake_openai::Behavior;
using fake_openai::FakeOpenAiServer;

const fs::path kEvalDev = fs::path(WISSEN_SOURCE_DIR) / ".." / "shared" / "eval-dev";

// Strings no principal without the matching role may ever see, besides a probe's own list:
// the fixtures' canaries and the PDFs' canary phrases (README.md of eval-dev).
const std::vector<std::string> kAlwaysForbidden = {
    "CANARY-DEV-HR-", "CANARY-DEV-RND-",
    "Gnuplot is a portable command-line driven graphing utility for Linux",
    "The ReportLab library forms the foundation of our commercial solution for PDF generation",
    "Camlidl automates the most tedious task in interfacing C libraries with Caml programs"};

struct AclRule {
  std::string prefix;
  std::vector<std::string> roles;
};

struct Probe {
  std::string id;
  std::string query;
  std::vector<std::string> roles;
  std::vector<std::string> forbidden;
};

// Built once per process: the corpus, its rules and the indexed data dir.
struct DevIndex {
  std::string skip_reason;  // set when the test cannot run here
  fs::path dir;
  std::string database_url;
  std::vector<AclRule> rules;  // longest prefix first
  std::vector<Probe> probes;
};

std::vector<AclRule> ReadAclRules(const fs::path& file) {
  std::vector<AclRule> rules;
  const toml::table table = toml::parse_file(file.string());
  if (const toml::array* list = table["rule"].as_array()) {
    for (const auto& node : *list) {
      const toml::table* rule = node.as_table();
      if (rule == nullptr) continue;
      AclRule r;
      r.prefix = (*rule)["prefix"].value_or(std::string());
      if (const toml::array* roles = (*rule)["roles"].as_array()) {
        for (const auto& role : *roles) r.roles.push_back(role.value_or(std::string()));
      }
      rules.push_back(std::move(r));
    }
  }
  // acl.toml's longest prefix wins; [[sources.acl]]'s first match does.
  std::stable_sort(rules.begin(), rules.end(), [](const AclRule& a, const AclRule& b) {
    return a.prefix.size() > b.prefix.size();
  });
  return rules;
}

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? ", " : "") + nlohmann::json(item).dump();
  return out + "]";
}

std::string ConfigToml(const DevIndex& index, const fs::path& corpus, const std::string& extra) {
  std::string toml = "[data]\ndir = \"data\"\n[database]\nurl = \"" + index.database_url +
                     "\"\n[answer]\ncache_entries = 0\n" + extra +
                     "[[sources]]\nname = \"dev\"\nkind = \"fs\"\nroot = \"" + corpus.string() +
                     "\"\ninclude = [\"**/*.pdf\", \"**/*.html\"]\n";
  for (const AclRule& rule : index.rules) {
    toml += "  [[sources.acl]]\n  match = " + nlohmann::json(rule.prefix + "**").dump() +
            "\n  roles = " + QuotedList(rule.roles) + "\n";
  }
  return toml;
}

const DevIndex& BuildDevIndex() {
  static const DevIndex index = [] {
    DevIndex built;
    if (!fs::exists(kEvalDev / "leak_probes.jsonl") || !fs::exists(kEvalDev / "build_corpus.sh")) {
      built.skip_reason = "eval-dev not found at " + kEvalDev.string();
      return built;
    }
    built.dir = testing::MakeTempDir("leak-probes-");
    const fs::path corpus = built.dir / "corpus";
    const fs::path log = built.dir / "build_corpus.log";
    const std::string command = "SKIP_INSTALL=1 bash '" + (kEvalDev / "build_corpus.sh").string() +
                                "' '" + corpus.string() + "' > '" + log.string() + "' 2>&1";
    if (std::system(command.c_str()) != 0) {
      built.skip_reason =
          "build_corpus.sh failed (are its Debian packages installed?); see " + log.string();
      return built;
    }
    built.rules = ReadAclRules(kEvalDev / "acl.toml");
    std::ifstream in(kEvalDev / "leak_probes.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (TrimAscii(line).empty()) continue;
      const auto json = nlohmann::json::parse(line);
      built.probes.push_back({json.at("id"), json.at("query"),
                              json.at("roles").get<std::vector<std::string>>(),
                              json.at("forbidden").get<std::vector<std::string>>()});
    }
    built.database_url = testing::FreshDatabase();
    std::ofstream(built.dir / "wissen.toml") << ConfigToml(built, corpus, "");
    auto config = app::LoadConfig(built.dir / "wissen.toml");
    if (!config) throw std::runtime_error(config.error().message);
    auto runtime = app::Runtime::Open(*config);
    if (!runtime) throw std::runtime_error(runtime.error().message);
    auto report = app::RunCrawl(**runtime, std::nullopt);
    if (!report) throw std::runtime_error(report.error().message);
    return built;
  }();
  return index;
}

class LeakProbeAskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const DevIndex& index = BuildDevIndex();
    if (!index.skip_reason.empty()) GTEST_SKIP() << index.skip_reason;
    ASSERT_TRUE(fake_.Start());
    fake_.SetDefault(Behavior::kEchoPrompt);
  }
  void TearDown() override { fake_.Stop(); }

  // Opens a runtime on the indexed corpus, with `generation` as the [generation] section.
  void Open(const std::string& generation) {
    const DevIndex& index = BuildDevIndex();
    const fs::path config_file = index.dir / "wissen-probe.toml";
    std::ofstream(config_file) << ConfigToml(index, index.dir / "corpus", generation);
    auto config = app::LoadConfig(config_file);
    ASSERT_TRUE(config) << config.error().message;
    auto runtime = app::Runtime::Open(*config);
    ASSERT_TRUE(runtime) << runtime.error().message;
    runtime_ = std::move(*runtime);
    pipeline_ = std::make_unique<app::AnswerPipeline>(runtime_->config(), runtime_->embedder(),
                                                      runtime_->thesaurus());
  }

  void UseEchoModel() {
    Open("[generation]\nbackend = \"openai\"\nmodel = \"echo\"\nbase_url = \"" + fake_.base_url() +
         "\"\nretries = 0\ntotal_timeout_ms = 20000\n");
  }

  bool MayRead(const std::vector<std::string>& roles, const std::string& path) const {
    for (const AclRule& rule : BuildDevIndex().rules) {
      if (!path.starts_with(rule.prefix)) continue;
      for (const auto& role : rule.roles) {
        if (role == "everyone" || std::find(roles.begin(), roles.end(), role) != roles.end()) {
          return true;
        }
      }
      return false;
    }
    return false;  // no rule: nobody
  }

  // Runs every probe and checks answer, citations and the passages given to the generator.
  // Returns the number of probes run.
  int RunProbes(const std::string& expected_generator) {
    int run = 0;
    for (const Probe& probe : BuildDevIndex().probes) {
      SCOPED_TRACE(probe.id);
      const Principal principal("probe", probe.roles);
      auto snapshot = retriever::LoadSnapshot(runtime_->config().index_dir());
      EXPECT_TRUE(snapshot);
      if (!snapshot) return run;
      // The passages the pipeline hands to the generator come from this same search.
      const retriever::Retriever retriever(runtime_->embedder(), runtime_->config().retrieval,
                                           runtime_->thesaurus());
      auto passages = retriever.Search(**snapshot, runtime_->catalog(), principal, probe.query,
                                       runtime_->config().answer.passages);
      EXPECT_TRUE(passages) << passages.error().message;
      auto answer = pipeline_->Ask(**snapshot, runtime_->catalog(), principal, probe.query, {}, {});
      EXPECT_TRUE(answer) << answer.error().message;
      if (!answer || !passages) continue;
      ++run;
      if (!answer->no_answer) EXPECT_EQ(answer->generator, expected_generator);
      EXPECT_FALSE(answer->fallback) << answer->fallback_reason;

      std::string seen =
          app::AnswerJson(*answer).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      seen += "\n" + answer->text;
      for (const Passage& p : *passages) {
        seen += "\n" + p.title + "\n" + p.path + "\n" + p.heading_path + "\n" + p.text;
        EXPECT_TRUE(MayRead(probe.roles, p.path)) << "passage of " << p.path;
      }
      for (const app::Citation& c : answer->citations) {
        EXPECT_TRUE(MayRead(probe.roles, c.path)) << "citation of " << c.path;
      }
      const std::string collapsed = CollapseWhitespace(seen);
      std::vector<std::string> forbidden = probe.forbidden;
      const bool privileged =
          std::any_of(probe.roles.begin(), probe.roles.end(),
                      [](const std::string& r) { return r == "hr" || r == "rnd"; });
      if (!privileged)
        forbidden.insert(forbidden.end(), kAlwaysForbidden.begin(), kAlwaysForbidden.end());
      for (const std::string& word : forbidden) {
        EXPECT_EQ(seen.find(word), std::string::npos) << "leaked: " << word;
        EXPECT_EQ(collapsed.find(CollapseWhitespace(word)), std::string::npos)
            << "leaked: " << word;
      }
    }
    return run;
  }

  FakeOpenAiServer fake_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<app::AnswerPipeline> pipeline_;
};

TEST_F(LeakProbeAskTest, ExtractiveAnswersLeakNothing) {
  Open("");
  EXPECT_EQ(RunProbes("extractive"), static_cast<int>(BuildDevIndex().probes.size()));
  EXPECT_GE(BuildDevIndex().probes.size(), 10u);
}

TEST_F(LeakProbeAskTest, ModelEchoingItsPromptLeaksNothing) {
  UseEchoModel();
  EXPECT_EQ(RunProbes("openai:echo"), static_cast<int>(BuildDevIndex().probes.size()));
  EXPECT_GT(fake_.request_count(), 0u);
}

// The check above must be able to fail: the same echo model does show an HR canary to a
// principal holding hr, so an empty answer or a broken echo would not pass as "no leak".
TEST_F(LeakProbeAskTest, EchoShowsWhatTheRoleMayRead) {
  UseEchoModel();
  auto snapshot = retriever::LoadSnapshot(runtime_->config().index_dir());
  ASSERT_TRUE(snapshot);
  auto answer =
      pipeline_->Ask(**snapshot, runtime_->catalog(), Principal("hr-user", {"hr"}),
                     "Salary bands 2024: minimum, midpoint and maximum for E1 to E8", {}, {});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_NE(answer->text.find("CANARY-DEV-HR-S5P1"), std::string::npos);
}

}  // namespace
}  // namespace wissen

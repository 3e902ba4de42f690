#include "wissen/app/config.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace wissen::app {
namespace {

constexpr const char* kExample = R"(
[data]
dir = "var"
[database]
url = ""
[[sources]]
name = "handbook"
kind = "fs"
root = "/srv/share/handbook"
include = ["**/*.pdf", "**/*.html"]
exclude = ["**/~$*"]
  [[sources.acl]]
  match = "hr/**"
  roles = ["hr"]
  [[sources.acl]]
  match = "**"
  roles = ["everyone"]
)";

Result<Config> Parse(const std::string& text) {
  return ParseConfig(text, "/etc/wissen/wissen.toml");
}

TEST(ConfigTest, ParsesTheDocumentedExample) {
  auto config = Parse(kExample);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->data_dir, "/etc/wissen/var");
  EXPECT_TRUE(config->database_url.empty());
  ASSERT_EQ(config->sources.size(), 1u);
  const auto& source = config->sources[0];
  EXPECT_EQ(source.name, "handbook");
  EXPECT_EQ(source.fs.root, "/srv/share/handbook");
  EXPECT_EQ(source.fs.exclude, std::vector<std::string>{"**/~$*"});
  EXPECT_EQ(source.fs.acl.Decide("hr/x.pdf").acl, Acl({"hr"}));
  EXPECT_EQ(source.fs.acl.Decide("it/x.pdf").acl, Acl({"everyone"}));
}

TEST(ConfigTest, DefaultsWithoutAnyKey) {
  auto config = Parse("");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->data_dir, "/etc/wissen/var");
  EXPECT_EQ(config->chunker.target_chars, indexer::ChunkerOptions{}.target_chars);
  EXPECT_TRUE(config->sources.empty());
}

TEST(ConfigTest, OcrDefaultsAndKeys) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->ocr.enabled);
  EXPECT_EQ(defaults->ocr.options.languages, "deu+eng");
  EXPECT_EQ(defaults->ocr.options.threads, 0);
  EXPECT_EQ(defaults->ocr.options.page_timeout_ms, 120000);

  auto config = Parse(
      "[ocr]\nenabled = false\nlanguages = \"deu+eng+fra\"\nthreads = 2\n"
      "page_timeout_s = 30\ndpi = 200\ntessdata_dir = \"tessdata\"\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->ocr.enabled);
  EXPECT_EQ(config->ocr.options.languages, "deu+eng+fra");
  EXPECT_EQ(config->ocr.options.threads, 2);
  EXPECT_EQ(config->ocr.options.page_timeout_ms, 30000);
  EXPECT_EQ(config->ocr.options.dpi, 200);
  EXPECT_EQ(config->ocr.options.tessdata_dir, "/etc/wissen/tessdata");

  for (const char* bad : {"deu+", "../../x", "deu eng", ""}) {
    auto rejected = Parse(std::string("[ocr]\nlanguages = \"") + bad + "\"\n");
    ASSERT_FALSE(rejected) << bad;
    EXPECT_NE(rejected.error().message.find("ocr.languages"), std::string::npos);
  }
}

TEST(ConfigTest, OfficeCommentsPerSourceAndTheNewDefaultFormats) {
  auto config = Parse(
      "[[sources]]\nname = \"drafts\"\nkind = \"fs\"\nroot = \"/srv/drafts\"\n"
      "office_comments = true\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->sources[0].fs.parse.office_comments);
  const std::vector<std::string> include = crawler::FsSourceOptions{}.include;
  for (const char* glob :
       {"**/*.docx", "**/*.xlsx", "**/*.pptx", "**/*.odt", "**/*.eml", "**/*.mbox", "**/*.doc"}) {
    EXPECT_NE(std::find(include.begin(), include.end(), glob), include.end()) << glob;
  }
}

TEST(ConfigTest, VectorIndexKeysAndTheirOlderName) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->vector_build.ann_threshold, 20000);
  EXPECT_EQ(defaults->vector_build.approximate_kind, store::PartitionKind::kIvf);
  EXPECT_EQ(defaults->retrieval.vector.nprobe, 256);
  EXPECT_EQ(defaults->retrieval.parallel_min_chunks, 100000);
  EXPECT_EQ(defaults->retrieval.vector.ef_search, retriever::RetrieverOptions{}.vector.ef_search);

  auto set = Parse(
      "[index]\nann_threshold = 50000\napproximate_index = \"hnsw\"\n[retrieval]\nef_search = "
      "64\nnprobe = 16\nparallel_min_chunks = 0\nivf_rerank = 0\n");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->vector_build.ann_threshold, 50000);
  EXPECT_EQ(set->vector_build.approximate_kind, store::PartitionKind::kHnsw);
  EXPECT_EQ(set->retrieval.vector.ef_search, 64);
  EXPECT_EQ(set->retrieval.vector.nprobe, 16);
  EXPECT_EQ(set->retrieval.parallel_min_chunks, 0);
  EXPECT_EQ(set->retrieval.vector.ivf_rerank, 0);
  EXPECT_EQ(defaults->retrieval.vector.ivf_rerank, 4);

  // Older configurations name the threshold ivf_threshold or hnsw_threshold; the newest wins.
  auto old_name = Parse("[index]\nivf_threshold = 30000\n");
  ASSERT_TRUE(old_name) << old_name.error().message;
  EXPECT_EQ(old_name->vector_build.ann_threshold, 30000);
  auto all =
      Parse("[index]\nivf_threshold = 30000\nhnsw_threshold = 40000\nann_threshold = 45000\n");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->vector_build.ann_threshold, 45000);
  auto two = Parse("[index]\nivf_threshold = 30000\nhnsw_threshold = 40000\n");
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(two->vector_build.ann_threshold, 40000);

  auto flat = Parse("[index]\napproximate_index = \"flat\"\n");
  ASSERT_FALSE(flat);
  EXPECT_NE(flat.error().message.find("index.approximate_index"), std::string::npos);

  auto too_large = Parse("[retrieval]\nef_search = 100000\n");
  ASSERT_FALSE(too_large);
  EXPECT_NE(too_large.error().message.find("retrieval.ef_search"), std::string::npos);
}

TEST(ConfigTest, CommonWordShareIsAShare) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults);
  EXPECT_DOUBLE_EQ(defaults->retrieval.lexical.common_word_share, 0.05);
  auto off = Parse("[retrieval]\ncommon_word_share = 0\n");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_DOUBLE_EQ(off->retrieval.lexical.common_word_share, 0);
  auto too_large = Parse("[retrieval]\ncommon_word_share = 5\n");
  ASSERT_FALSE(too_large);
  EXPECT_NE(too_large.error().message.find("common_word_share"), std::string::npos)
      << too_large.error().message;
}

TEST(ConfigTest, UnknownKeyNamesTheKey) {
  auto config = Parse("[data]\ndir = \"x\"\ndri = \"y\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_NE(config.error().message.find("data.dri"), std::string::npos);
  EXPECT_NE(config.error().message.find("unknown key"), std::string::npos);
}

TEST(ConfigTest, WrongTypeSaysWhatWasExpected) {
  auto config = Parse("[index]\nchunk_target_chars = \"big\"\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("index.chunk_target_chars"), std::string::npos);
  EXPECT_NE(config.error().message.find("expected an integer"), std::string::npos);
}

TEST(ConfigTest, OutOfRangeValue) {
  auto config = Parse("[index]\nchunk_target_chars = 5\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("from 100"), std::string::npos);
}

TEST(ConfigTest, InvalidRoleNameIsRejected) {
  auto config = Parse(R"(
[[sources]]
name = "s"
kind = "fs"
root = "/x"
  [[sources.acl]]
  match = "**"
  roles = ["Human Resources"]
)");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sources[0].acl[0].roles"), std::string::npos);
}

TEST(ConfigTest, UnknownSourceKindIsRejected) {
  auto config = Parse("[[sources]]\nname = \"s\"\nkind = \"ftp\"\nroot = \"/x\"\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sources[0].kind"), std::string::npos);
}

TEST(ConfigTest, DuplicateSourceNames) {
  auto config = Parse(
      "[[sources]]\nname = \"s\"\nkind = \"fs\"\nroot = \"/a\"\n"
      "[[sources]]\nname = \"s\"\nkind = \"fs\"\nroot = \"/b\"\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("used twice"), std::string::npos);
}

TEST(ConfigTest, SyntaxErrorHasLineNumber) {
  auto config = Parse("[data\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("wissen.toml:1:"), std::string::npos);
}

TEST(ConfigTest, RelativeRootResolvesAgainstConfigFolder) {
  auto config = Parse("[[sources]]\nname = \"s\"\nkind = \"fs\"\nroot = \"docs\"\n");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->sources[0].fs.root, "/etc/wissen/docs");
}

}  // namespace
}  // namespace wissen::app

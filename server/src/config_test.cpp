#include "wissen/server/config.h"

#include <gtest/gtest.h>

namespace wissen::server {
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
}  // namespace wissen::server

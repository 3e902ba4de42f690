#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parser_test_util.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

using test_util::Contains;

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("parsers", name); }

using Path = std::vector<std::string>;

TEST(MarkdownParserTest, HeadingsBuildSectionsAndTitle) {
  auto doc = ParseText(ReadFixture("handbook.md"), /*markdown=*/true);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, "text/markdown");
  EXPECT_EQ(doc->title, "Onboarding Handbook");
  ASSERT_EQ(doc->blocks.size(), 4u);

  EXPECT_EQ(doc->blocks[0].heading_path, Path{});  // the title is not a path element
  EXPECT_EQ(doc->blocks[0].text, "Welcome to ACME. This handbook is for new colleagues.");

  EXPECT_EQ(doc->blocks[1].heading_path, Path{"First Day"});
  EXPECT_TRUE(Contains(doc->blocks[1].text,
                       "Pick up your badge at the front desk.\nYour manager shows you around."));
  // A '#' line inside a code fence is code, not a heading.
  EXPECT_TRUE(Contains(doc->blocks[1].text, "# this is a shell comment, not a heading"));
  EXPECT_FALSE(Contains(doc->blocks[1].text, "```"));

  EXPECT_EQ(doc->blocks[2].heading_path, (Path{"First Day", "Laptop"}));
  EXPECT_EQ(doc->blocks[2].text, "Laptops are encrypted. Grüße aus dem IT-Team.");

  EXPECT_EQ(doc->blocks[3].heading_path, Path{"Benefits"});  // closing '#'s dropped
  EXPECT_EQ(doc->blocks[3].text, "Lunch is subsidized.");
}

TEST(MarkdownParserTest, WithoutLevelOneHeadingTitleIsFirstLine) {
  auto doc = ParseText("## Setup\n\nRun the installer.\n", true);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Setup");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].heading_path, Path{"Setup"});

  doc = ParseText("Release notes\n\n#hashtag is not a heading\n", true);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Release notes");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Release notes\n\n#hashtag is not a heading");
}

TEST(MarkdownParserTest, FrontMatterIsMetadataNotText) {
  auto doc = ParseText("---\ntitle: \"VPN Guide\"\nauthor: it\n---\nConnect first.\n", true);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "VPN Guide");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Connect first.");
}

TEST(TextParserTest, PlainTextKeepsParagraphsAndNormalizesWhitespace) {
  auto doc = ParseText("\n  Meeting   notes \r\nline\ttwo\r\n\r\n\r\nsecond\x01 para  \n", false);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->mime, "text/plain");
  EXPECT_EQ(doc->title, "Meeting notes");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].page, 0);
  EXPECT_EQ(doc->blocks[0].text, "Meeting notes\nline two\n\nsecond para");
}

TEST(TextParserTest, Latin1IsConvertedToUtf8) {
  // "Grüße aus München, schöne Größe" in ISO-8859-1.
  const std::string latin1 =
      "Gr\xFC\xDF"
      "e aus M\xFC"
      "nchen. Die sch\xF6ne Gr\xF6\xDF"
      "e der B\xFC"
      "ros in "
      "K\xF6ln ist \xFC"
      "berraschend. Bitte \xE4ndern Sie nichts.";
  auto doc = ParseText(latin1, false);
  ASSERT_TRUE(doc.has_value());
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_TRUE(IsValidUtf8(doc->blocks[0].text));
  EXPECT_TRUE(Contains(doc->blocks[0].text, "Grüße aus München"));
  EXPECT_TRUE(Contains(doc->blocks[0].text, "Bitte ändern Sie nichts."));
}

TEST(TextParserTest, Utf16WithBomIsDecoded) {
  const std::string utf16le("\xFF\xFEH\0i\0 \0\xFC\0", 10);
  auto doc = ParseText(utf16le, false);
  ASSERT_TRUE(doc.has_value());
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Hi ü");
}

TEST(TextParserTest, EmptyInputGivesNoBlocks) {
  auto doc = ParseText("", false);
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(doc->blocks.empty());
  EXPECT_EQ(doc->title, "");
  doc = ParseText(" \n\n \t\n", true);
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(doc->blocks.empty());
}

TEST(TextParserTest, LongFirstLineGivesBoundedValidTitle) {
  std::string line;
  for (int i = 0; i < 1000; ++i) line += "ä";
  auto doc = ParseText(line, false);
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(IsValidUtf8(doc->title));
  EXPECT_EQ(doc->title.size(), 200u * 2);  // 200 code points of two bytes each
}

TEST(TextParserTest, HugeInputIsCappedAt20MiB) {
  std::string huge;
  const std::string line = "all work and no play makes jack a dull boy\n";
  while (huge.size() < (25u << 20)) huge += line;
  auto doc = ParseText(huge, false);
  ASSERT_TRUE(doc.has_value());
  size_t total = 0;
  for (const Block& block : doc->blocks) total += block.text.size();
  EXPECT_GT(total, 10u << 20);
  EXPECT_LE(total, 20u << 20);
}

}  // namespace
}  // namespace wissen::crawler

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "parser_test_util.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("parsers", name); }

TEST(ContentKindTest, ContentDecidesBeforeTheName) {
  EXPECT_EQ(DetectContentKind("%PDF-1.7\n...", "report.txt"), ContentKind::kPdf);
  EXPECT_EQ(DetectContentKind(std::string(500, ' ') + "%PDF-1.4", "x"), ContentKind::kPdf);
  EXPECT_EQ(DetectContentKind("<!DOCTYPE html><p>hi", "page.txt"), ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind("\xEF\xBB\xBF  <HTML><BODY>hi", "export.doc"), ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind("<head><title>t</title></head>", ""), ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind(ReadFixture("binary.bin"), "image.html"), ContentKind::kUnknown);
  EXPECT_EQ(DetectContentKind(std::string("text\0more", 9), "a.txt"), ContentKind::kUnknown);
  EXPECT_EQ(DetectContentKind(std::string(100, '\x01') + "abc", "a.txt"), ContentKind::kUnknown);
}

TEST(ContentKindTest, ExtensionBreaksTies) {
  EXPECT_EQ(DetectContentKind("# Title\n\ntext", "README.md"), ContentKind::kMarkdown);
  EXPECT_EQ(DetectContentKind("# Title", "dir.v2/Notes.MARKDOWN"), ContentKind::kMarkdown);
  EXPECT_EQ(DetectContentKind("# Title", "notes.txt"), ContentKind::kText);
  EXPECT_EQ(DetectContentKind("<p>fragment</p>", "part.htm"), ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind("plain words", "part.html"), ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind("plain words", "Makefile"), ContentKind::kText);
  // HTML tags quoted inside a Markdown file do not make it HTML.
  EXPECT_EQ(DetectContentKind("Write <html> at the top.", "howto.md"), ContentKind::kMarkdown);
  EXPECT_EQ(DetectContentKind("About <header> elements", "notes"), ContentKind::kText);
  EXPECT_EQ(DetectContentKind("", "empty.txt"), ContentKind::kText);
}

TEST(ContentKindTest, NonUtf8AndUtf16TextIsText) {
  EXPECT_EQ(DetectContentKind("Gr\xFC\xDF"
                              "e aus M\xFC"
                              "nchen",
                              "a.txt"),
            ContentKind::kText);
  EXPECT_EQ(DetectContentKind(std::string("\xFF\xFEh\0i\0", 6), "a.txt"), ContentKind::kText);
  EXPECT_EQ(DetectContentKind(std::string("\xFF\xFE<\0h\0t\0m\0l\0>\0", 14), "a"),
            ContentKind::kHtml);
  EXPECT_EQ(DetectContentKind("tab\tand\fform feed\r\n\x1b[1mbold", "log"), ContentKind::kText);
}

TEST(ParseDocumentTest, DispatchesAndFillsMime) {
  auto html = ParseDocument(ReadFixture("boilerplate.html"), "policy.html");
  ASSERT_TRUE(html.has_value()) << html.error().ToString();
  EXPECT_EQ(html->mime, "text/html");
  auto md = ParseDocument(ReadFixture("handbook.md"), "handbook.md");
  ASSERT_TRUE(md.has_value());
  EXPECT_EQ(md->mime, "text/markdown");
  EXPECT_EQ(md->title, "Onboarding Handbook");
  auto text = ParseDocument("Hello there.", "hello.txt");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->mime, "text/plain");
  for (const auto* doc : {&*html, &*md, &*text}) {
    EXPECT_TRUE(doc->language.empty() || doc->language == "de" || doc->language == "en");
  }
}

TEST(ContentKindTest, ContainersAndMessagesByTheirBytes) {
  EXPECT_EQ(DetectContentKind(std::string("PK\x03\x04rest", 8), "report.pdf"), ContentKind::kZip);
  EXPECT_EQ(DetectContentKind(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10), "a.docx"),
            ContentKind::kOle2);
  const std::string message =
      "Received: from mx\r\nFrom: Anna <a@example.com>\r\nDate: Mon, 30 Nov 2026 09:00:00 "
      "+0100\r\nMessage-ID: <1@example.com>\r\nSubject: Hi\r\n\r\nBody\r\n";
  EXPECT_EQ(DetectContentKind(message, "saved.txt"), ContentKind::kEmail);  // unmistakable
  EXPECT_EQ(DetectContentKind("Subject: Hi\n\nBody\n", "notes.txt"), ContentKind::kText);
  EXPECT_EQ(DetectContentKind("Subject: Hi\n\nBody\n", "hi.eml"), ContentKind::kEmail);
  // A .eml may start with any header field, or with its mbox envelope line.
  EXPECT_EQ(DetectContentKind("Thread-Index: AdQ=\nSubject: Hi\n\nBody\n", "hi.eml"),
            ContentKind::kEmail);
  EXPECT_EQ(DetectContentKind("From a@example.com Mon Nov 30 09:00:00 2026\nFrom: a@example.com"
                              "\n\nBody\n",
                              "hi.eml"),
            ContentKind::kEmail);
  EXPECT_EQ(DetectContentKind("From a@example.com Mon Nov 30 09:00:00 2026\nFrom: a@example.com"
                              "\n\nBody\n",
                              "archive"),
            ContentKind::kMbox);
  EXPECT_EQ(DetectContentKind("From the desk of the CEO: thanks.\n", "letter.txt"),
            ContentKind::kText);
}

TEST(ParseDocumentTest, LegacyAndProtectedOfficeFilesAreUnsupportedWithTheirReason) {
  const std::string ole2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  auto legacy = ParseDocument(ole2 + std::string(504, '\0'), "memo.doc");
  ASSERT_FALSE(legacy);
  EXPECT_EQ(legacy.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(legacy.error().message.find("legacy binary Office format"), std::string::npos);
  const std::string package("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
  auto locked = ParseDocument(ole2 + std::string(100, '\0') + package, "secret.docx");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(locked.error().message.find("password-protected"), std::string::npos);
}

TEST(ParseDocumentTest, BinaryIsUnsupported) {
  auto doc = ParseDocument(ReadFixture("binary.bin"), "photo.png");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(doc.error().message, "binary or unknown file type");
}

// Random and mutated input through every parser: no crash, and whatever comes out is UTF-8.
TEST(ParseDocumentTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string seeds[] = {ReadFixture("boilerplate.html"), ReadFixture("handbook.md"),
                               ReadFixture("multipage.pdf"), ReadFixture("latin1_meta.html")};
  for (int round = 0; round < 60; ++round) {
    std::string bytes = seeds[round % 4];
    const int mutations = 1 + static_cast<int>(rng() % 50);
    for (int m = 0; m < mutations && !bytes.empty(); ++m) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    }
    if (round % 3 == 0) bytes.resize(rng() % (bytes.size() + 1));
    for (auto result : {ParseDocument(bytes, "x.html"), ParseHtml(bytes), ParsePdf(bytes),
                        ParseText(bytes, true), ParseText(bytes, false)}) {
      if (!result.has_value()) continue;
      EXPECT_TRUE(IsValidUtf8(result->title));
      for (const Block& block : result->blocks) {
        EXPECT_TRUE(IsValidUtf8(block.text));
        EXPECT_FALSE(block.text.empty());
        for (const std::string& heading : block.heading_path) EXPECT_TRUE(IsValidUtf8(heading));
      }
      for (const std::string& link : result->links) EXPECT_TRUE(IsValidUtf8(link));
    }
  }
}

}  // namespace
}  // namespace wissen::crawler

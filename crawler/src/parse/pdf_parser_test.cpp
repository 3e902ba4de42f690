#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(WISSEN_SOURCE_DIR) + "/tests/fixtures/parsers/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(PdfParserTest, MultiPageDocumentHasOneBlockPerPageInOrder) {
  auto doc = ParsePdf(ReadFixture("multipage.pdf"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, "application/pdf");
  EXPECT_EQ(doc->page_count, 3);
  EXPECT_EQ(doc->title, "Reisekostenrichtlinie 2024");  // from the Title metadata
  ASSERT_EQ(doc->blocks.size(), 3u);
  EXPECT_EQ(doc->blocks[0].page, 1);
  EXPECT_EQ(doc->blocks[1].page, 2);
  EXPECT_EQ(doc->blocks[2].page, 3);
  EXPECT_TRUE(Contains(doc->blocks[0].text, "Diese Richtlinie gilt für alle Mitarbeiterinnen"));
  EXPECT_TRUE(Contains(doc->blocks[0].text, "Übernachtungen werden bis 120 Euro"));
  EXPECT_TRUE(Contains(doc->blocks[0].text, "example."));
  EXPECT_FALSE(Contains(doc->blocks[0].text, "exam-"));
  EXPECT_TRUE(Contains(doc->blocks[1].text, "per diem allowances"));
  EXPECT_TRUE(Contains(doc->blocks[2].text, "approval workflow"));
  for (const Block& block : doc->blocks) {
    EXPECT_TRUE(IsValidUtf8(block.text));
    EXPECT_TRUE(block.heading_path.empty());
    EXPECT_FALSE(Contains(block.text, "  "));
    EXPECT_FALSE(Contains(block.text, "\n\n\n"));
    EXPECT_FALSE(Contains(block.text, "\f"));
  }
}

// groff's .NH sets numbered headings in bold at body size; the page header ("Musterwerk AG",
// "Mitarbeiterhandbuch", "Seite N") and footer ("Vertraulich") repeat on every page.
TEST(PdfParserTest, SectionsBecomeHeadingPathsAndRunningLinesAreDropped) {
  auto doc = ParsePdf(ReadFixture("sections.pdf"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Mitarbeiterhandbuch");
  using Path = std::vector<std::string>;
  std::vector<std::pair<int, Path>> structure;
  for (const Block& block : doc->blocks) structure.emplace_back(block.page, block.heading_path);
  // Page 1 starts with the title, which is also the header's middle part from page 2 on;
  // page 2 starts with the first occurrence of the header's other parts, which stays.
  EXPECT_EQ(structure, (std::vector<std::pair<int, Path>>{
                           {1, {}},
                           {1, {"1. Urlaub"}},
                           {1, {"1. Urlaub", "1.1. Urlaubsanspruch"}},
                           {1, {"1. Urlaub", "1.2. Resturlaub"}},
                           {2, {"1. Urlaub", "1.2. Resturlaub"}},
                           {2, {"2. Arbeitszeit"}},
                           {2, {"2. Arbeitszeit", "2.1. Gleitzeit"}},
                           {3, {"3. Reisekosten"}},
                           {4, {"3. Reisekosten"}},  // the section goes on over the page
                       }));
  ASSERT_EQ(doc->blocks.size(), 9u);
  EXPECT_TRUE(Contains(doc->blocks[2].text, "Der Anspruch beträgt 30 Arbeitstage"));
  EXPECT_TRUE(doc->blocks[2].text.starts_with("1.1. Urlaubsanspruch\n"));  // heading kept
  EXPECT_TRUE(Contains(doc->blocks[8].text, "Belege sind binnen vier Wochen"));
  // The running lines' words stay once, on their first page; "Seite N" is a running line
  // from page 2 on, where groff starts the header.
  std::string all;
  for (const Block& block : doc->blocks) all += block.text + "\n";
  const auto count = [&all](std::string_view needle) {
    size_t n = 0;
    for (size_t at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("Vertraulich"), 1u) << all;
  EXPECT_EQ(count("Seite "), 1u) << all;
  EXPECT_EQ(count("Musterwerk AG\n"), 1u) << all;
  // Words of the body that resemble the running lines stay.
  EXPECT_TRUE(Contains(doc->blocks[1].text, "Standorte der Musterwerk AG"));
}

TEST(PdfParserTest, TitleFallsBackToFirstLineOfFirstPage) {
  auto doc = ParsePdf(ReadFixture("untitled.pdf"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Quarterly Security Review");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_TRUE(Contains(doc->blocks[0].text, "full disk encryption"));
}

TEST(PdfParserTest, EncryptedPdfIsUnsupported) {
  auto doc = ParsePdf(ReadFixture("encrypted.pdf"));
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(doc.error().message, "encrypted PDF");
}

TEST(PdfParserTest, CorruptPdfIsParseError) {
  auto doc = ParsePdf(ReadFixture("corrupt.pdf"));
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
}

TEST(PdfParserTest, EmptyAndGarbageInputAreParseErrors) {
  for (std::string_view bytes : {std::string_view(""), std::string_view("%PDF-1.7\n"),
                                 std::string_view("%PDF-1.4\n\x00\xff garbage \x01", 22),
                                 std::string_view("not a pdf at all")}) {
    auto doc = ParsePdf(bytes);
    ASSERT_FALSE(doc.has_value());
    EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  }
}

TEST(PdfParserTest, TruncatedPdfNeverCrashes) {
  const std::string pdf = ReadFixture("multipage.pdf");
  for (size_t length : {size_t{10}, pdf.size() / 4, pdf.size() / 2, pdf.size() - 100}) {
    auto doc = ParsePdf(std::string_view(pdf).substr(0, length));
    if (doc.has_value()) {
      for (const Block& block : doc->blocks) EXPECT_TRUE(IsValidUtf8(block.text));
    } else {
      EXPECT_EQ(doc.error().code, ErrorCode::kParse);
    }
  }
}

TEST(PdfParserTest, ParseDocumentRecognisesPdfWhateverItsName) {
  auto doc = ParseDocument(ReadFixture("multipage.pdf"), "misnamed.txt");
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, "application/pdf");
  EXPECT_EQ(doc->page_count, 3);
}

TEST(CleanPdfTextTest, JoinsWordsHyphenatedAcrossLines) {
  EXPECT_EQ(CleanPdfText("an exam-\nple here"), "an example here");
  EXPECT_EQ(CleanPdfText("Ände-\nrung"), "Änderung");
  // Upper case after the break: a real compound, keep hyphen and break.
  EXPECT_EQ(CleanPdfText("Baden-\nWürttemberg"), "Baden-\nWürttemberg");
  // A dash after a number is not a split word.
  EXPECT_EQ(CleanPdfText("2023-\nnext"), "2023-\nnext");
  EXPECT_EQ(CleanPdfText("Sil\u00AD\nbentrennung"), "Silbentrennung");
}

TEST(CleanPdfTextTest, CollapsesSpacesAndKeepsParagraphs) {
  EXPECT_EQ(CleanPdfText("  one   two\t three  \nfour\n\n\n  five  \f"),
            "one two three\nfour\n\nfive");
  EXPECT_EQ(CleanPdfText("a\r\nb\rc"), "a\nb\nc");
  EXPECT_EQ(CleanPdfText("page one\fpage two"), "page one\n\npage two");
  EXPECT_EQ(CleanPdfText("ctrl\x01\x02 chars"), "ctrl chars");
  EXPECT_EQ(CleanPdfText(""), "");
}

}  // namespace
}  // namespace wissen::crawler

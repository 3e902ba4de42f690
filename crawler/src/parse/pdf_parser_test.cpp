#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ocr_test_util.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/ocr.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

using test_util::AllText;
using test_util::Contains;
using test_util::CountingCache;
using test_util::ReadOcrFixture;
using test_util::ShareOfWordsFound;

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("parsers", name); }

// 150 dpi keeps the tests fast and still reads 12-point text.
PageOcr MakeOcr(OcrCache* cache = nullptr, int page_timeout_ms = 120000) {
  OcrOptions options;
  options.dpi = 150;
  options.threads = 2;
  options.page_timeout_ms = page_timeout_ms;
  auto ocr = PageOcr::Create(options, cache);
  EXPECT_TRUE(ocr.has_value()) << ocr.error().ToString();
  return std::move(*ocr);
}

// One PageOcr with a cache for the tests that do not need their own: Tesseract starts once,
// and a page one test recognised is answered from the cache in the next.
CountingCache& SharedCache() {
  static CountingCache cache;
  return cache;
}

const PageOcr& SharedOcr() {
  static const PageOcr ocr = MakeOcr(&SharedCache());
  return ocr;
}

constexpr std::string_view kGermanSentence =
    "Die Kantine ist montags bis freitags von 11:30 bis 14:00 Uhr geöffnet.";
constexpr std::string_view kEnglishSentence =
    "Employees must submit their travel expense reports within thirty days after the trip.";

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

TEST(PdfParserOcrTest, ScannedPagesAreEmptyWithoutOcr) {
  for (const char* name : {"scan_de.pdf", "scan_en.pdf"}) {
    auto doc = ParsePdf(ReadOcrFixture(name));
    ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
    EXPECT_EQ(doc->page_count, 1);
    EXPECT_TRUE(doc->blocks.empty()) << name;
    EXPECT_TRUE(doc->warnings.empty());
    EXPECT_EQ(doc->title, "");
  }
}

TEST(PdfParserOcrTest, ScannedGermanAndEnglishPagesAreRecognised) {
  const PageOcr& ocr = SharedOcr();
  auto doc = ParsePdf(ReadOcrFixture("scan_de.pdf"), &ocr);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].page, 1);
  EXPECT_TRUE(doc->blocks[0].heading_path.empty());  // a scan has no fonts to find them by
  EXPECT_GE(ShareOfWordsFound(doc->blocks[0].text, kGermanSentence), 0.8) << doc->blocks[0].text;
  EXPECT_TRUE(IsValidUtf8(doc->blocks[0].text));
  EXPECT_TRUE(doc->warnings.empty());
  // No Title entry: the first recognised line is the title.
  EXPECT_GE(ShareOfWordsFound(doc->title, "Hausordnung der Musterwerk AG"), 0.75) << doc->title;

  doc = ParseDocument(ReadOcrFixture("scan_en.pdf"), "scan.pdf", "", ParseOptions{.ocr = &ocr});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_GE(ShareOfWordsFound(doc->blocks[0].text, kEnglishSentence), 0.8) << doc->blocks[0].text;
  EXPECT_EQ(doc->language, "en");
}

TEST(PdfParserOcrTest, OnlyTheScannedPageOfAMixedPdfIsRecognised) {
  const int finds = SharedCache().finds;
  auto doc = ParsePdf(ReadOcrFixture("mixed.pdf"), &SharedOcr());
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(SharedCache().finds, finds + 1);  // page 2 only
  EXPECT_EQ(doc->title, "Hausordnung mit Anhang");
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].page, 1);
  EXPECT_TRUE(Contains(doc->blocks[0].text, "eine echte Textebene hat."));  // as typeset
  EXPECT_EQ(doc->blocks[1].page, 2);
  EXPECT_GE(ShareOfWordsFound(doc->blocks[1].text, kGermanSentence), 0.8);
  EXPECT_TRUE(doc->warnings.empty());
}

TEST(PdfParserOcrTest, CachedPagesAreNotRecognisedAgain) {
  CountingCache cache;
  const PageOcr ocr = MakeOcr(&cache);
  const std::string pdf = ReadOcrFixture("scan_de.pdf");
  auto first = ParsePdf(pdf, &ocr);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(cache.finds, 1);
  EXPECT_EQ(cache.stores, 1);
  auto second = ParsePdf(pdf, &ocr);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(cache.finds, 2);
  EXPECT_EQ(cache.stores, 1);  // answered by the cache
  EXPECT_EQ(AllText(*second), AllText(*first));
  EXPECT_EQ(second->title, first->title);
}

TEST(PdfParserOcrTest, GarbageTextLayerIsReplacedByRecognisedText) {
  const std::string pdf = ReadOcrFixture("scan_en_garbage_layer.pdf");
  auto plain = ParsePdf(pdf);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(Contains(AllText(*plain), ",.;"));  // the scanner's invisible layer

  auto doc = ParsePdf(pdf, &SharedOcr());
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_FALSE(Contains(AllText(*doc), ",.;"));
  EXPECT_GE(ShareOfWordsFound(AllText(*doc), kEnglishSentence), 0.8) << AllText(*doc);
}

TEST(PdfParserOcrTest, PageOverTheTimeLimitWarnsAndKeepsTheOtherPages) {
  const PageOcr ocr = MakeOcr(nullptr, /*page_timeout_ms=*/1);
  auto doc = ParsePdf(ReadOcrFixture("mixed.pdf"), &ocr);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].page, 1);
  EXPECT_TRUE(Contains(doc->blocks[0].text, "eine echte Textebene hat."));
  ASSERT_EQ(doc->warnings.size(), 1u);
  EXPECT_TRUE(doc->warnings[0].starts_with("page 2: OCR failed: ")) << doc->warnings[0];
  EXPECT_TRUE(doc->warnings[0].ends_with(" than the OCR time limit of 1 ms")) << doc->warnings[0];
}

TEST(PdfParserOcrTest, TextPdfsAreUnchangedWithOcr) {
  const int finds = SharedCache().finds;
  for (const char* name : {"multipage.pdf", "sections.pdf", "untitled.pdf"}) {
    auto plain = ParsePdf(ReadFixture(name));
    auto with_ocr = ParsePdf(ReadFixture(name), &SharedOcr());
    ASSERT_TRUE(plain.has_value() && with_ocr.has_value()) << name;
    EXPECT_EQ(with_ocr->title, plain->title);
    ASSERT_EQ(with_ocr->blocks.size(), plain->blocks.size()) << name;
    for (size_t i = 0; i < plain->blocks.size(); ++i) {
      EXPECT_EQ(with_ocr->blocks[i].text, plain->blocks[i].text);
      EXPECT_EQ(with_ocr->blocks[i].heading_path, plain->blocks[i].heading_path);
    }
  }
  EXPECT_EQ(SharedCache().finds, finds);  // no page needed OCR
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

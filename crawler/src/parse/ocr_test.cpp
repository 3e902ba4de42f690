#include "wissen/crawler/ocr.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ocr_test_util.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

using test_util::CountingCache;
using test_util::ReadOcrFixture;
using test_util::ShareOfWordsFound;

// A cache whose database is down.
class ThrowingCache : public OcrCache {
 public:
  std::optional<std::string> Find(std::string_view, std::string_view) override {
    throw std::runtime_error("down");
  }
  void Store(std::string_view, std::string_view, std::string_view) override {
    throw std::runtime_error("down");
  }
};

// 150 dpi keeps the tests fast and still reads 12-point text.
OcrOptions TestOptions() {
  OcrOptions options;
  options.dpi = 150;
  options.threads = 2;
  return options;
}

// One PageOcr (built by moving it out of the Result) for the tests that do not count cache
// calls: Tesseract starts once, and a page one test recognised is answered from the cache in
// the next, which keeps the suite fast.
const PageOcr& SharedOcr() {
  static CountingCache cache;
  static const PageOcr ocr = [] {
    auto created = PageOcr::Create(TestOptions(), &cache);
    if (!created) throw std::runtime_error(created.error().ToString());
    return std::move(*created);
  }();
  return ocr;
}

constexpr std::string_view kGermanSentence =
    "Die Kantine ist montags bis freitags von 11:30 bis 14:00 Uhr geöffnet.";
constexpr std::string_view kEnglishSentence =
    "Hotel costs are reimbursed up to one hundred and twenty euros per night.";

// ---- NeedsOcr ----

TEST(OcrNeedsOcrTest, NormalPagesHaveAUsableTextLayer) {
  EXPECT_FALSE(NeedsOcr(
      "Reisekostenrichtlinie 2024\n\n"
      "Diese Richtlinie gilt für alle Mitarbeiterinnen und Mitarbeiter der Musterwerk AG.\n"
      "Übernachtungen werden bis 120 Euro erstattet (z. B. in München, Köln oder Hamburg).\n"
      "Anträge gehen per E-Mail an reisekosten@musterwerk.de, Fragen beantwortet Frau Schäfer\n"
      "unter +49 89 1234-567. Stand: 01.03.2024 – Seite 3 von 12\f"));
  EXPECT_FALSE(NeedsOcr(
      "Quarterly Security Review\n"
      "All laptops must use full disk encryption. See https://intranet.example.com/security\n"
      "for the checklist; report incidents within 24 hours to the SOC (ext. 4711)."));
  // A table of figures: few letters per character, but words and numbers.
  EXPECT_FALSE(NeedsOcr(
      "Umsatz nach Quartal\nQuartal 2022 2023 2024\nQ1 1.234,56 1.345,00 1.512,25\n"
      "Q2 1.198,10 1.402,75 1.633,00\nQ3 1.305,40 1.488,90 1.701,80\nSumme 3.738,06 4.236,65"));
  // A table of contents with dot leaders, attached or not, and a form to fill in.
  EXPECT_FALSE(
      NeedsOcr("Inhalt\n1 Einleitung ........................................ 3\n"
               "2 Geltungsbereich...................................4\n"
               "3 Urlaubsanspruch . . . . . . . . . . . . . . . . . . . . . . 5\n"
               "4 Resturlaub ------------------------------------------ 7"));
  EXPECT_FALSE(
      NeedsOcr("Antrag auf Sonderurlaub\nName: ____________________ Personalnummer: "
               "__________\nZeitraum: von ____________ bis ____________\n"
               "Unterschrift: ______________________________"));
  // A slide with a short title and a few icons from a symbol font.
  EXPECT_FALSE(NeedsOcr("\uF0B7 Ziele für 2025\n\uF0B7 Kosten senken\n\uF0B7 Kunden gewinnen"));
}

TEST(OcrNeedsOcrTest, MissingOrGarbageTextLayersNeedOcr) {
  EXPECT_TRUE(NeedsOcr(""));
  EXPECT_TRUE(NeedsOcr(" \n\n\f  \t"));
  EXPECT_TRUE(NeedsOcr("\uFFFD\uFFFD"));
  EXPECT_TRUE(NeedsOcr("- 3 -"));  // only a page number on a scan
  EXPECT_TRUE(NeedsOcr("Seite 3"));
  // Private Use Area glyphs: a font without a Unicode mapping.
  EXPECT_TRUE(
      NeedsOcr("\uE001\uE002\uE003 \uE004\uE005 \uE006\uE007\uE008\uE009 \uE00A\uE00B "
               "Das \uE00C\uE00D\uE00E"));
  // Replacement characters with a few letters in between.
  EXPECT_TRUE(
      NeedsOcr("Die \uFFFD\uFFFD\uFFFDtine ist mon\uFFFD\uFFFD\uFFFDs \uFFFD\uFFFD "
               "\uFFFD\uFFFD\uFFFD\uFFFD ge\uFFFDffnet \uFFFD\uFFFD\uFFFD\uFFFD"));
  // Glyph soup: symbols and stray letters.
  EXPECT_TRUE(NeedsOcr("¦§¨ ©ª« ¬®¯ °±² ³´µ ¶·¸ ¹º» ¼½¾ ¿×÷ ÞßĦ ŧ ǂǁ ∆∑∏ ≈≠≤ ⊕⊗ ☐☑ ✓✗"));
  // What a scanner's own OCR leaves on a noisy page: punctuation and single letters.
  EXPECT_TRUE(
      NeedsOcr("l1| ,.;' i:! ~^ ..  ' ,, ;: | !l  i, ' . -- ' ; ; :\n"
               "' ., |' i ;: l ' ,.  !  ' :: ,. i| ' ; ' ,. l , ' .\n"
               "I l 1 i ' ; . , I l | ! i l I , . ; : 1 l I i"));
  // Letters and digits run together without any word.
  EXPECT_TRUE(NeedsOcr("a1b2c3%d4 e5f6&g7h8 i9j0#k1l2 m3n4@o5p6 q7r8$s9t0 u1v2§w3x4 y5z6&a7b8"));
  // Control characters.
  EXPECT_TRUE(
      NeedsOcr(std::string("\x01\x02\x03\x04\x05 abcdefghijklm \x06\x07\x08\x0e\x0f"
                           "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a",
                           44)));
}

TEST(OcrNeedsOcrTest, InvalidUtf8IsUnusable) {
  EXPECT_TRUE(NeedsOcr("\xff\xfe\xfd\xfc \xc3 \xe2\x82 Kantine \x80\x81\x82\x83\x84\x85\x86"));
  EXPECT_FALSE(NeedsOcr("Die Kantine ist montags bis freitags geöffnet \xff"));
}

// ---- PageOcr::Create ----

TEST(OcrCreateTest, MissingLanguageIsUnavailableWithTheReason) {
  OcrOptions options = TestOptions();
  options.languages = "deu+xyz";
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_FALSE(ocr.has_value());
  EXPECT_EQ(ocr.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ocr.error().message,
            "Tesseract language 'xyz' is not installed (apt-get install tesseract-ocr-xyz)");

  options.languages = "chi_sim";  // the first language: Tesseract's Init itself fails
  ocr = PageOcr::Create(options, nullptr);
  ASSERT_FALSE(ocr.has_value());
  EXPECT_EQ(
      ocr.error().message,
      "Tesseract language 'chi_sim' is not installed (apt-get install tesseract-ocr-chi-sim)");
}

TEST(OcrCreateTest, MissingTessdataDirectoryNamesIt) {
  OcrOptions options = TestOptions();
  options.languages = "eng";
  options.tessdata_dir = "/nonexistent/tessdata";
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_FALSE(ocr.has_value());
  EXPECT_EQ(ocr.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ocr.error().message,
            "Tesseract language 'eng' is not installed in /nonexistent/tessdata");
}

TEST(OcrCreateTest, OptionsOutOfRangeAreConfigErrors) {
  const auto error_of = [](OcrOptions options) {
    auto ocr = PageOcr::Create(options, nullptr);
    EXPECT_FALSE(ocr.has_value());
    if (ocr.has_value()) return std::string();
    EXPECT_EQ(ocr.error().code, ErrorCode::kConfig);
    return ocr.error().message;
  };
  OcrOptions options = TestOptions();
  options.languages = "";
  EXPECT_EQ(error_of(options), "OCR languages are empty");
  options.languages = "deu+../../etc/passwd";
  EXPECT_EQ(error_of(options), "OCR language '../../etc/passwd' is not a language code");
  options = TestOptions();
  options.dpi = 5000;
  EXPECT_EQ(error_of(options), "OCR dpi must be 30 to 1200");
  options = TestOptions();
  options.threads = -1;
  EXPECT_EQ(error_of(options), "OCR threads must be 0 to 256");
  options = TestOptions();
  options.page_timeout_ms = 0;
  EXPECT_EQ(error_of(options), "OCR page timeout must be positive");
}

// ---- RecognizePdfPages ----

TEST(OcrRecognizeTest, ReadsGermanAndEnglishScans) {
  const PageOcr& ocr = SharedOcr();
  const std::string german = ReadOcrFixture("scan_de.pdf");
  auto pages = ocr.RecognizePdfPages(german, {1});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].page, 1);
  ASSERT_TRUE(pages[0].text.has_value()) << pages[0].text.error().ToString();
  const std::string& text = *pages[0].text;
  EXPECT_GE(ShareOfWordsFound(text, kGermanSentence), 0.8) << text;
  EXPECT_TRUE(IsValidUtf8(text));
  // Tesseract's lines become paragraphs like PDF text: no word split at a line end, no
  // stray white space.
  EXPECT_NE(text.find("Mitarbeiter zahlen"), std::string::npos) << text;
  EXPECT_EQ(text.find("Mitar-"), std::string::npos) << text;
  EXPECT_EQ(text.find("\n\n\n"), std::string::npos);
  EXPECT_EQ(text.find("  "), std::string::npos);
  EXPECT_NE(text.find("\n\n"), std::string::npos);  // paragraphs kept

  pages = ocr.RecognizePdfPages(ReadOcrFixture("scan_en.pdf"), {1});
  ASSERT_TRUE(pages[0].text.has_value()) << pages[0].text.error().ToString();
  EXPECT_GE(ShareOfWordsFound(*pages[0].text, kEnglishSentence), 0.8) << *pages[0].text;
}

TEST(OcrRecognizeTest, CacheAnswersThePageTheSecondTime) {
  CountingCache cache;
  auto ocr = PageOcr::Create(TestOptions(), &cache);
  ASSERT_TRUE(ocr.has_value()) << ocr.error().ToString();
  const std::string pdf = ReadOcrFixture("scan_de.pdf");
  const auto first = ocr->RecognizePdfPages(pdf, {1});
  ASSERT_TRUE(first[0].text.has_value());
  EXPECT_EQ(cache.finds, 1);
  EXPECT_EQ(cache.stores, 1);
  ASSERT_EQ(cache.entries.size(), 1u);
  const std::string key = cache.entries.begin()->first;
  EXPECT_EQ(key.size(), 64u);  // hex SHA-256
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(cache.entries.begin()->second, *first[0].text);

  // The same page scanned into another file (here: the second page of mixed.pdf) hits.
  const auto second = ocr->RecognizePdfPages(ReadOcrFixture("mixed.pdf"), {2});
  ASSERT_TRUE(second[0].text.has_value());
  EXPECT_EQ(*second[0].text, *first[0].text);
  EXPECT_EQ(cache.hits, 1);
  EXPECT_EQ(cache.stores, 1);  // not recognised again
  // Each lookup names the file it was made for, so a cache can forget deleted documents.
  EXPECT_EQ(cache.documents,
            (std::set<std::string>{Sha256Hex(pdf), Sha256Hex(ReadOcrFixture("mixed.pdf"))}));

  // Other languages: another key.
  OcrOptions english = TestOptions();
  english.languages = "eng";
  auto ocr_english = PageOcr::Create(english, &cache);
  ASSERT_TRUE(ocr_english.has_value());
  ASSERT_TRUE(ocr_english->RecognizePdfPages(pdf, {1})[0].text.has_value());
  EXPECT_EQ(cache.stores, 2);
  EXPECT_EQ(cache.entries.size(), 2u);
}

TEST(OcrRecognizeTest, FailingCacheOnlyCostsTime) {
  ThrowingCache cache;
  auto ocr = PageOcr::Create(TestOptions(), &cache);
  ASSERT_TRUE(ocr.has_value());
  const auto pages = ocr->RecognizePdfPages(ReadOcrFixture("scan_en.pdf"), {1});
  ASSERT_TRUE(pages[0].text.has_value()) << pages[0].text.error().ToString();
  EXPECT_GE(ShareOfWordsFound(*pages[0].text, kEnglishSentence), 0.8);
}

TEST(OcrRecognizeTest, PageOverTheTimeLimitFailsAndTheOthersGoOn) {
  OcrOptions options = TestOptions();
  options.page_timeout_ms = 1;
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_TRUE(ocr.has_value());
  // Page 2 of mixed.pdf is the scan, which no machine renders and recognises within 1 ms;
  // page 3 does not exist.
  const auto pages = ocr->RecognizePdfPages(ReadOcrFixture("mixed.pdf"), {2, 3});
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].page, 2);
  ASSERT_FALSE(pages[0].text.has_value());
  EXPECT_EQ(pages[0].text.error().code, ErrorCode::kTimeout);
  EXPECT_TRUE(pages[0].text.error().message.ends_with(" than the OCR time limit of 1 ms"))
      << pages[0].text.error().message;
  EXPECT_EQ(pages[1].page, 3);
  ASSERT_FALSE(pages[1].text.has_value());
  EXPECT_EQ(pages[1].text.error().code, ErrorCode::kInvalidArgument);
}

TEST(OcrRecognizeTest, PagesComeBackInTheOrderAsked) {
  const std::string pdf = ReadOcrFixture("mixed.pdf");
  const auto pages = SharedOcr().RecognizePdfPages(pdf, {2, 0, 1, 2});
  ASSERT_EQ(pages.size(), 4u);
  EXPECT_EQ(pages[0].page, 2);
  EXPECT_EQ(pages[1].page, 0);
  EXPECT_EQ(pages[2].page, 1);
  EXPECT_EQ(pages[3].page, 2);
  ASSERT_TRUE(pages[0].text.has_value());
  EXPECT_GE(ShareOfWordsFound(*pages[0].text, kGermanSentence), 0.8);
  EXPECT_FALSE(pages[1].text.has_value());
  ASSERT_TRUE(pages[2].text.has_value());  // a typeset page can be recognised too
  EXPECT_GE(ShareOfWordsFound(*pages[2].text, "Die zweite Seite ist ein eingescannter Aushang."),
            0.8);
  ASSERT_TRUE(pages[3].text.has_value());
  EXPECT_EQ(*pages[3].text, *pages[0].text);
}

// Two callers, one Tesseract instance: they take turns and get the same text.
TEST(OcrRecognizeTest, ConcurrentCallersShareTheThreads) {
  OcrOptions options = TestOptions();
  options.threads = 1;
  options.dpi = 100;
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_TRUE(ocr.has_value());
  const std::string pdf = ReadOcrFixture("scan_en.pdf");
  std::vector<std::vector<PageOcr::PageText>> results(2);
  {
    std::vector<std::jthread> callers;
    for (auto& result : results) {
      callers.emplace_back([&ocr, &pdf, &result] { result = ocr->RecognizePdfPages(pdf, {1}); });
    }
  }
  for (const auto& result : results) {
    ASSERT_EQ(result.size(), 1u);
    ASSERT_TRUE(result[0].text.has_value()) << result[0].text.error().ToString();
    EXPECT_EQ(*result[0].text, *results[0][0].text);
  }
  EXPECT_GE(ShareOfWordsFound(*results[0][0].text, kEnglishSentence), 0.8);
}

TEST(OcrRecognizeTest, MaxPagesLimitsTheWorkPerCall) {
  OcrOptions options = TestOptions();
  options.max_pages = 1;
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_TRUE(ocr.has_value());
  const auto pages = ocr->RecognizePdfPages(ReadOcrFixture("mixed.pdf"), {1, 2});
  ASSERT_TRUE(pages[0].text.has_value());
  ASSERT_FALSE(pages[1].text.has_value());
  EXPECT_EQ(pages[1].text.error().code, ErrorCode::kResourceExhausted);
}

TEST(OcrRecognizeTest, BrokenInputFailsEveryPage) {
  const PageOcr& ocr = SharedOcr();
  for (std::string_view bytes : {std::string_view(""), std::string_view("%PDF-1.7\n garbage")}) {
    const auto pages = ocr.RecognizePdfPages(bytes, {1, 2});
    ASSERT_EQ(pages.size(), 2u);
    for (const auto& page : pages) {
      ASSERT_FALSE(page.text.has_value());
      EXPECT_EQ(page.text.error().code, ErrorCode::kParse);
    }
  }
  EXPECT_TRUE(ocr.RecognizePdfPages(ReadOcrFixture("scan_de.pdf"), {}).empty());
}

// Rendering cannot be interrupted: a page that fills itself 2,000 times would take about a
// minute at 150 dpi; the probe at 10 dpi shows it does not fit into a second.
TEST(OcrRecognizeTest, VectorPageTooExpensiveToRenderIsGivenUp) {
  std::string content;
  for (int i = 0; i < 2000; ++i) content += "0 0 612 792 re f\n";
  const std::string pdf =
      "%PDF-1.4\n"
      "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
      "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
      "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
      "4 0 obj << /Length " +
      std::to_string(content.size()) + " >> stream\n" + content +
      "\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  OcrOptions options = TestOptions();
  options.page_timeout_ms = 1000;
  auto ocr = PageOcr::Create(options, nullptr);
  ASSERT_TRUE(ocr.has_value());
  const auto pages = ocr->RecognizePdfPages(pdf, {1});
  ASSERT_FALSE(pages[0].text.has_value());
  EXPECT_EQ(pages[0].text.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(pages[0].text.error().message,
            "rendering the page would take longer than the OCR time limit of 1000 ms");
}

// A page whose MediaBox claims 200 by 200 inches is rendered within the pixel cap (at about
// 22 dpi), not at 150 dpi (900 million pixels).
TEST(OcrRecognizeTest, HugePageIsRenderedWithinThePixelCap) {
  const std::string pdf =
      "%PDF-1.4\n"
      "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
      "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
      "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >> endobj\n"
      "trailer << /Root 1 0 R >>\n%%EOF\n";
  const auto pages = SharedOcr().RecognizePdfPages(pdf, {1});
  ASSERT_TRUE(pages[0].text.has_value()) << pages[0].text.error().ToString();
  EXPECT_EQ(*pages[0].text, "");  // blank
}

}  // namespace
}  // namespace wissen::crawler

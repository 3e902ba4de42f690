#include "pdf_layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wissen::crawler {
namespace {

constexpr double kBody = 10;
constexpr double kLineGap = 2;     // between the lines of a paragraph
constexpr double kSectionGap = 8;  // above a heading

PdfLine Body(std::string text, double gap = kLineGap) {
  return PdfLine{.text = std::move(text), .font_size = kBody, .gap_above = gap};
}

PdfLine Large(std::string text, double size = 14) {
  return PdfLine{.text = std::move(text), .font_size = size, .gap_above = kSectionGap};
}

PdfLine Bold(std::string text, double gap = kSectionGap) {
  return PdfLine{.text = std::move(text), .font_size = kBody, .bold = true, .gap_above = gap};
}

// A page of a few body lines, so the body size and line gap are clear.
void AddParagraph(PdfPageLines* page, int lines = 4) {
  for (int i = 0; i < lines; ++i) {
    page->push_back(Body("Line " + std::to_string(i) + " of ordinary body text in a paragraph"));
  }
}

std::vector<std::string> Texts(const std::vector<PdfHeading>& headings) {
  std::vector<std::string> texts;
  for (const auto& h : headings) texts.push_back(h.text);
  return texts;
}

const RunningLines kNoRunningLines{std::vector<std::string>{}};

// --- Running headers and footers -----------------------------------------------------------

std::vector<std::string> ReportPages(int count) {
  const char* topics[] = {"audits",    "suppliers", "training", "complaints", "calibration",
                          "archiving", "hygiene",   "sampling", "deviations", "reviews"};
  std::vector<std::string> pages;
  for (int i = 1; i <= count; ++i) {
    const std::string topic = topics[(i - 1) % 10];
    pages.push_back("ACME GmbH\n\nQuality Manual\n\nThis page is about " + topic +
                    ", see Page 99.\nRules for " + topic + " follow.\n\nPage " + std::to_string(i) +
                    " of " + std::to_string(count) + "\n\f");
  }
  return pages;
}

TEST(RunningLinesTest, HeaderAndNumberedFooterAreRemovedExactlyAndKeptOnce) {
  const auto original = ReportPages(5);
  auto pages = original;
  RunningLines(pages).RemoveFrom(&pages);
  // The first page keeps the running lines' words once, so they stay findable.
  EXPECT_EQ(pages[0], original[0]);
  // Later pages lose each running line with its line break; every other byte stays.
  EXPECT_EQ(pages[2],
            "\n\n\nThis page is about training, see Page 99.\nRules for training follow.\n\n\f");
}

TEST(RunningLinesTest, ARepeatedLineInsideThePageIsKept) {
  std::vector<std::string> pages;
  for (int i = 0; i < 6; ++i) {
    pages.push_back("Heading " + std::to_string(i) +
                    "\nintro\nmore\nDisclaimer applies.\nbody\nend\nclosing " +
                    std::to_string(i * 7) + " words");
  }
  const RunningLines running(pages);
  EXPECT_FALSE(running.Contains("Disclaimer applies."));
  EXPECT_TRUE(running.Contains("intro"));  // second line of every page
  auto cleaned = pages;
  running.RemoveFrom(&cleaned);
  EXPECT_EQ(cleaned[0], pages[0]);
  // Every other line repeats at the ends of all six pages, so only its first page keeps it.
  EXPECT_EQ(cleaned[1], "\nDisclaimer applies.");
}

TEST(RunningLinesTest, NumbersFurtherInThanTheOutermostLineAreData) {
  // A table whose last rows are bare figures, on pages numbered at the bottom.
  std::vector<std::string> pages;
  for (int i = 1; i <= 4; ++i) {
    pages.push_back("Readings of week " + std::string(1, static_cast<char>('A' + i)) +
                    "\n4 40\n5 50\n" + std::to_string(i));
  }
  auto cleaned = pages;
  RunningLines(pages).RemoveFrom(&cleaned);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cleaned[i], pages[i].substr(0, pages[i].rfind('\n'))) << i;
  }
}

TEST(RunningLinesTest, ALineAtTheTopOfFewPagesIsNotRunning) {
  auto pages = ReportPages(10);
  for (int i = 0; i < 3; ++i) pages[i] = "Chapter One\n" + pages[i];
  const RunningLines running(pages);
  EXPECT_FALSE(running.Contains("Chapter One"));  // 3 of 10 pages: below the share
  EXPECT_TRUE(running.Contains("ACME GmbH"));
}

TEST(RunningLinesTest, ShortDocumentsAndPagesWithoutRunningLinesKeepEverything) {
  auto pages = ReportPages(2);
  const auto two = pages;
  RunningLines(pages).RemoveFrom(&pages);
  EXPECT_EQ(pages, two);

  const std::vector<std::string> varied = {"Alpha\nfirst page\n\n", "\r\nBeta\r\nsecond\f",
                                           "Gamma\n\nthird page ends\n"};
  auto cleaned = varied;
  RunningLines(varied).RemoveFrom(&cleaned);
  EXPECT_EQ(cleaned, varied);
}

// --- Headings ------------------------------------------------------------------------------

TEST(DetectPdfHeadingsTest, LargerTypeIsAHeadingAndSizesGiveLevels) {
  std::vector<PdfPageLines> pages(2);
  pages[0].push_back(Large("Travel Policy", 18));
  AddParagraph(&pages[0]);
  pages[0].push_back(Large("Hotels", 14));
  AddParagraph(&pages[0]);
  pages[1].push_back(Large("Meals", 14));
  AddParagraph(&pages[1]);
  pages[1].push_back(Large("Other Costs", 18));
  AddParagraph(&pages[1]);

  const auto headings = DetectPdfHeadings(pages, kNoRunningLines, "");
  ASSERT_EQ(Texts(headings),
            (std::vector<std::string>{"Travel Policy", "Hotels", "Meals", "Other Costs"}));
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(headings[2].level, 2);
  EXPECT_EQ(headings[2].page, 1);
  EXPECT_EQ(headings[3].level, 1);
}

TEST(DetectPdfHeadingsTest, BoldAtBodySizeNeedsSpaceAboveAndNoClosingPunctuation) {
  std::vector<PdfPageLines> pages(1);
  AddParagraph(&pages[0]);
  pages[0].push_back(Bold("Key examples"));  // set apart: a heading
  AddParagraph(&pages[0]);
  pages[0].push_back(Bold("Important: read this first", kLineGap));  // no space: emphasis
  AddParagraph(&pages[0]);
  pages[0].push_back(Bold("This whole sentence is bold."));  // ends like a sentence
  AddParagraph(&pages[0]);
  pages[0].push_back(Bold("Extra key entries"));
  AddParagraph(&pages[0]);

  EXPECT_EQ(Texts(DetectPdfHeadings(pages, kNoRunningLines, "")),
            (std::vector<std::string>{"Key examples", "Extra key entries"}));
}

TEST(DetectPdfHeadingsTest, SectionNumbersNestHeadingsSetAlike) {
  std::vector<PdfPageLines> pages(1);
  for (const char* heading :
       {"1. Urlaub", "1.1. Urlaubsanspruch", "1.2 Resturlaub", "2 Arbeitszeit", "2024 Budget"}) {
    pages[0].push_back(Bold(heading));
    AddParagraph(&pages[0]);
  }
  const auto headings = DetectPdfHeadings(pages, kNoRunningLines, "");
  ASSERT_EQ(headings.size(), 5u);
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(headings[2].level, 2);
  EXPECT_EQ(headings[3].level, 1);
  EXPECT_EQ(headings[4].level, 1);  // a year, not section 2024
}

TEST(DetectPdfHeadingsTest, CaptionsCodeContentsPagesAndLabelsAreNotHeadings) {
  std::vector<PdfPageLines> pages(3);
  // A table of contents: its entries are set like the headings they list.
  for (const char* entry : {"Introduction 3", "Installation 5", "Usage 9", "Appendix 12"}) {
    pages[0].push_back(Large(entry));
  }
  pages[0].push_back(Body("Contents"));
  pages[1].push_back(Large("Introduction"));
  AddParagraph(&pages[1]);
  pages[1].push_back(Large("Figure 3: Throughput per core"));
  pages[1].push_back(Large("(0,0) origin"));
  PdfLine code = Bold("int main()");
  code.monospace = true;
  pages[1].push_back(code);
  pages[1].push_back(Large("s e h c n i"));  // a rotated label read backwards
  AddParagraph(&pages[1]);
  pages[2].push_back(Large("Installation"));
  AddParagraph(&pages[2]);

  EXPECT_EQ(Texts(DetectPdfHeadings(pages, kNoRunningLines, "")),
            (std::vector<std::string>{"Introduction", "Installation"}));
}

TEST(DetectPdfHeadingsTest, CoverTitleAndRunningLinesAreNotSections) {
  std::vector<PdfPageLines> pages(3);
  pages[0].push_back(Large("Quality Manual", 24));
  pages[0].push_back(Large("Edition 2025", 20));
  for (auto& page : pages) {
    page.push_back(Large("ACME GmbH"));  // a running header set large
    AddParagraph(&page);
  }
  pages[1].push_back(Large("Scope"));
  AddParagraph(&pages[1]);
  pages[2].push_back(Large("Responsibilities"));
  AddParagraph(&pages[2]);
  const RunningLines running(
      std::vector<std::string>{"ACME GmbH\nx", "ACME GmbH\ny", "ACME GmbH\nz"});

  EXPECT_EQ(Texts(DetectPdfHeadings(pages, running, "Quality Manual")),
            (std::vector<std::string>{"Scope", "Responsibilities"}));
}

TEST(DetectPdfHeadingsTest, OnlyTheWholeTitleAtAWordEndRepeatsIt) {
  std::vector<PdfPageLines> pages(1);
  for (const char* heading :
       {"1 Introduction", "1.1 Scope", "Manual Version 2", "Manuals", "10 Appendix"}) {
    pages[0].push_back(Large(heading));
    AddParagraph(&pages[0]);
  }
  EXPECT_EQ(Texts(DetectPdfHeadings(pages, kNoRunningLines, "Manual")),
            (std::vector<std::string>{"1 Introduction", "1.1 Scope", "Manuals", "10 Appendix"}));
  // A page number taken for the title repeats nothing.
  EXPECT_EQ(DetectPdfHeadings(pages, kNoRunningLines, "1").size(), 5u);
}

TEST(DetectPdfHeadingsTest, SectionNumbersSetTheLevelWhateverTheStyle) {
  std::vector<PdfPageLines> pages(1);
  PdfLine regular_chapter = Large("5 Module Com", 14);  // not bold, unlike the other chapter
  PdfLine bold_chapter = Large("4 Using camlidl", 14);
  bold_chapter.bold = true;
  PdfLine bold_section = Large("4.1 Overview", 12);
  bold_section.bold = true;
  for (const PdfLine& line : {bold_chapter, bold_section, regular_chapter}) {
    pages[0].push_back(line);
    AddParagraph(&pages[0]);
  }
  const auto headings = DetectPdfHeadings(pages, kNoRunningLines, "");
  ASSERT_EQ(Texts(headings),
            (std::vector<std::string>{"4 Using camlidl", "4.1 Overview", "5 Module Com"}));
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(headings[2].level, 1);  // its own style ranks third, its number says chapter
}

TEST(DetectPdfHeadingsTest, AWrappedHeadingIsOneAndALargeParagraphIsNone) {
  std::vector<PdfPageLines> pages(1);
  pages[0].push_back(Large("Rules for travel booked through"));
  pages[0].push_back(Large("the company portal"));
  AddParagraph(&pages[0]);
  for (int i = 0; i < 5; ++i) pages[0].push_back(Large("A slogan in display type, line"));
  AddParagraph(&pages[0]);
  pages[0].push_back(Large("Exceptions"));
  AddParagraph(&pages[0]);

  EXPECT_EQ(Texts(DetectPdfHeadings(pages, kNoRunningLines, "")),
            (std::vector<std::string>{"Rules for travel booked through the company portal",
                                      "Exceptions"}));
}

TEST(DetectPdfHeadingsTest, DocumentsThatDoNotLookSectionedGetNoHeadings) {
  std::vector<PdfPageLines> one(1);
  one[0].push_back(Large("Only heading"));
  AddParagraph(&one[0]);
  EXPECT_TRUE(DetectPdfHeadings(one, kNoRunningLines, "").empty());

  // Slides: nearly every line is large.
  std::vector<PdfPageLines> slides(4);
  for (int p = 0; p < 4; ++p) {
    slides[p].push_back(Large("Slide title " + std::to_string(p), 28));
    slides[p].push_back(Large("Point one", 20));
    slides[p].push_back(Body("footnote"));
  }
  EXPECT_TRUE(DetectPdfHeadings(slides, kNoRunningLines, "").empty());
}

// --- Blocks --------------------------------------------------------------------------------

TEST(SplitPagesAtHeadingsTest, BlocksCarryTheHeadingPathAndKeepEveryLine) {
  const std::vector<std::string> pages = {
      "Preface text.\n1 Overview\nIntro.\n2.3\n\nAttributes\nAttribute text.\n",
      "More attribute text.\nNot found heading\nTail.\n"};
  const std::vector<PdfHeading> headings = {
      {.page = 0, .text = "1 Overview", .level = 1},
      {.page = 0, .text = "2.3 Attributes", .level = 2},
      {.page = 1, .text = "A heading poppler placed elsewhere", .level = 2},
  };
  const auto blocks = SplitPagesAtHeadings(pages, headings);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_TRUE(blocks[0].heading_path.empty());
  EXPECT_EQ(blocks[0].text, "Preface text.");
  EXPECT_EQ(blocks[1].heading_path, (std::vector<std::string>{"1 Overview"}));
  EXPECT_EQ(blocks[1].text, "1 Overview\nIntro.");
  // Poppler broke the heading over two lines; both stay in the text.
  EXPECT_EQ(blocks[2].heading_path, (std::vector<std::string>{"1 Overview", "2.3 Attributes"}));
  EXPECT_EQ(blocks[2].text, "2.3\n\nAttributes\nAttribute text.\n");
  EXPECT_EQ(blocks[2].page, 1);
  // The next page continues the section; the unmatched heading changes nothing.
  EXPECT_EQ(blocks[3].heading_path, blocks[2].heading_path);
  EXPECT_EQ(blocks[3].page, 2);
  EXPECT_EQ(blocks[3].text, "More attribute text.\nNot found heading\nTail.\n");
}

TEST(SplitPagesAtHeadingsTest, AMissingHeadingDoesNotHideTheNextOnItsPage) {
  const std::vector<std::string> pages = {"Intro.\n6.1 Details\nText."};
  const auto blocks = SplitPagesAtHeadings(pages, {{.page = 0, .text = "6 Hints", .level = 1},
                                                   {.page = 0, .text = "6.1 Details", .level = 2}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].heading_path, (std::vector<std::string>{"6.1 Details"}));
  EXPECT_EQ(blocks[1].text, "6.1 Details\nText.");
}

TEST(SplitPagesAtHeadingsTest, ABodyLineThatOnlyBeginsLikeAHeadingStartsNoSection) {
  const std::vector<std::string> pages = {"Installation\nis easy.\nInstallation on Linux\nRun it."};
  const auto blocks =
      SplitPagesAtHeadings(pages, {{.page = 0, .text = "Installation on Linux", .level = 1}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].text, "Installation\nis easy.");
}

TEST(SplitPagesAtHeadingsTest, AShortLineDoesNotMatchTheStartOfALongerHeading) {
  const std::vector<std::string> pages = {"A\nbody\nA heading\nmore"};
  const auto blocks = SplitPagesAtHeadings(pages, {{.page = 0, .text = "A heading", .level = 1}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].text, "A\nbody");
  EXPECT_EQ(blocks[1].text, "A heading\nmore");
}

}  // namespace
}  // namespace wissen::crawler

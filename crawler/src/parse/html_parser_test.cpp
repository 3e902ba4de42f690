#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parser_test_util.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

using test_util::AllText;
using test_util::Contains;
using test_util::FindBlock;

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("parsers", name); }

bool HasLink(const ParsedDocument& doc, std::string_view link) {
  return std::find(doc.links.begin(), doc.links.end(), link) != doc.links.end();
}

using Path = std::vector<std::string>;

TEST(HtmlParserTest, Latin1DeclaredInMetaBecomesUtf8) {
  auto doc = ParseHtml(ReadFixture("latin1_meta.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, "text/html");
  EXPECT_EQ(doc->title, "Überstunden und Urlaub");
  ASSERT_EQ(doc->blocks.size(), 2u);
  // The <h1> repeats the title, so it is no path element.
  EXPECT_EQ(doc->blocks[0].heading_path, Path{});
  EXPECT_EQ(doc->blocks[0].text,
            "Mitarbeiter können Überstunden innerhalb von drei Monaten ausgleichen.");
  EXPECT_EQ(doc->blocks[1].heading_path, Path{"Urlaubsanspruch"});
  EXPECT_EQ(doc->blocks[1].text,
            "Jährlich gibt es 30 Tage Urlaub; Resturlaub verfällt am 31. März.");
}

TEST(HtmlParserTest, UndeclaredLatin1IsDetected) {
  auto doc = ParseHtml(ReadFixture("latin1_nodecl.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Größere Änderungen im Büro");
  const std::string text = AllText(*doc);
  EXPECT_TRUE(IsValidUtf8(text));
  EXPECT_TRUE(Contains(text, "das Büro in München umgebaut"));
  EXPECT_TRUE(Contains(text, "Schöne Grüße, Ihre Geschäftsführung."));
}

TEST(HtmlParserTest, CharsetHintWinsOverMeta) {
  // UTF-8 bytes whose <meta> wrongly claims Latin-1; the HTTP header knows better.
  const std::string html =
      "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head>"
      "<body><p>Grüße</p></body></html>";
  auto doc = ParseHtml(html, "UTF-8");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(AllText(*doc), "Grüße\n\n");
  // Without the hint the <meta> is believed, as a browser would.
  doc = ParseHtml(html);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(AllText(*doc), "GrÃ¼ÃŸe\n\n");
  // A hint naming no known charset is ignored.
  doc = ParseHtml(ReadFixture("latin1_meta.html"), "no-such-charset");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Überstunden und Urlaub");
}

TEST(HtmlParserTest, BoilerplateIsDroppedAndStructureKept) {
  auto doc = ParseHtml(ReadFixture("boilerplate.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Expense Policy");
  const std::string text = AllText(*doc);
  for (std::string_view noise :
       {"SCRIPT TEXT", "STYLE TEXT", "HEADER TEXT", "ACME Intranet", "NAV TEXT", "BREADCRUMB",
        "HIDDEN TEXT", "NOSCRIPT TEXT", "FORM", "ASIDE TEXT", "FOOTER TEXT", "font-family"}) {
    EXPECT_FALSE(Contains(text, noise)) << noise;
  }
  EXPECT_FALSE(Contains(text, "  "));

  const Block* intro = FindBlock(*doc, "Employees are reimbursed");
  ASSERT_NE(intro, nullptr);
  EXPECT_EQ(intro->heading_path, Path{});
  EXPECT_EQ(intro->text, "Employees are reimbursed for travel costs within 30 days.");

  const Block* hotels = FindBlock(*doc, "Hotel rooms");
  ASSERT_NE(hotels, nullptr);
  EXPECT_EQ(hotels->heading_path, Path{"Hotels"});
  EXPECT_EQ(hotels->text,
            "Hotel rooms up to 150 EUR per night are approved automatically.\n\n"
            "Book through the travel portal.\nKeep the receipt.");

  const Block* exceptions = FindBlock(*doc, "Trade fair");
  ASSERT_NE(exceptions, nullptr);
  EXPECT_EQ(exceptions->heading_path, (Path{"Hotels", "Exceptions"}));
  EXPECT_EQ(exceptions->text, "Trade fair weeks allow up to 250 EUR. See the exception list.");

  const Block* meals = FindBlock(*doc, "Lunch");
  ASSERT_NE(meals, nullptr);
  EXPECT_EQ(meals->heading_path, Path{"Meals"});
  EXPECT_TRUE(Contains(meals->text, "Meal\nLimit\nLunch\n20 EUR"));
  EXPECT_TRUE(Contains(meals->text, "line one\nline two"));  // <pre> keeps its lines
  EXPECT_TRUE(Contains(meals->text, "Line\nbreak"));         // <br>

  // Links are collected everywhere, navigation included: the web crawler follows them.
  EXPECT_TRUE(HasLink(*doc, "exceptions.html"));
  EXPECT_TRUE(HasLink(*doc, "/home"));
  EXPECT_TRUE(HasLink(*doc, "/imprint"));
}

TEST(HtmlParserTest, SphinxNavigationIsDroppedBodyKept) {
  auto doc = ParseHtml(ReadFixture("sphinx.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "os.path — Common pathname manipulations — Python 3.11 documentation");
  const std::string text = AllText(*doc);
  EXPECT_TRUE(Contains(text, "This module implements some useful functions on pathnames."));
  EXPECT_TRUE(Contains(text, "Return a normalized absolutized version of the pathname path."));
  EXPECT_TRUE(Contains(text, "os.path.abspath(path)"));
  EXPECT_TRUE(Contains(text, "import os.path\nprint(os.path.abspath(\".\"))"));
  for (std::string_view noise :
       {"RELATED PREV", "SIDEBAR TEXT", "FOOTER TEXT", "Navigation", "Previous topic", "¶"}) {
    EXPECT_FALSE(Contains(text, noise)) << noise;
  }
  // The <h1> is the title without the site suffix: sections start at the top level.
  const Block* examples = FindBlock(*doc, "import os.path");
  ASSERT_NE(examples, nullptr);
  EXPECT_EQ(examples->heading_path, Path{"Examples"});
}

TEST(HtmlParserTest, ManPageBodyIsKept) {
  auto doc = ParseHtml(ReadFixture("mandoc.html"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "LS(1)");
  const Block* name = FindBlock(*doc, "list directory contents");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->heading_path, Path{"NAME"});
  const Block* description = FindBlock(*doc, "Include directory entries whose names begin");
  ASSERT_NE(description, nullptr);
  EXPECT_EQ(description->heading_path, Path{"DESCRIPTION"});
  EXPECT_TRUE(Contains(description->text, "ls displays its name."));
}

TEST(HtmlParserTest, FirstH1IsTitleWithoutTitleElement) {
  auto doc = ParseHtml(
      "<h1>Guide</h1><p>Intro</p><h2>Install</h2><p>Steps</p>"
      "<h1>Appendix</h1><p>More</p>");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Guide");
  ASSERT_EQ(doc->blocks.size(), 3u);
  EXPECT_EQ(doc->blocks[0].heading_path, Path{});
  EXPECT_EQ(doc->blocks[1].heading_path, Path{"Install"});
  EXPECT_EQ(doc->blocks[2].heading_path, Path{"Appendix"});
}

TEST(HtmlParserTest, TitleFromH1InsideDroppedPageHeader) {
  auto doc = ParseHtml(
      "<body><header><h1>Team <em>Wiki</em></h1><nav>menu</nav></header>"
      "<p>Welcome</p></body>");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Team Wiki");
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Welcome");
}

TEST(HtmlParserTest, H1DifferentFromTitleIsAPathElement) {
  auto doc = ParseHtml(
      "<title>Intranet | Travel</title><h1>Travel</h1><p>a</p>"
      "<title>x</title><h1>Other</h1><h3>Deep</h3><p>b</p>");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->title, "Intranet | Travel");
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].heading_path, Path{});  // "Site | Heading" repeats the title
  EXPECT_EQ(doc->blocks[1].heading_path, (Path{"Other", "Deep"}));
}

TEST(HtmlParserTest, LinksSkipScriptsFragmentsAndDuplicates) {
  auto doc = ParseHtml(
      "<a href=' a.html '>a</a><a href='a.html'>again</a><a href='#top'>top</a>"
      "<a href='javascript:alert(1)'>js</a><a href='mailto:x@y'>m</a><a>none</a>"
      "<a href='https://example.com/b?c=1&amp;d=2'>b</a>");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->links, (std::vector<std::string>{"a.html", "https://example.com/b?c=1&d=2"}));
}

TEST(HtmlParserTest, HostileMarkupIsHarmless) {
  std::string html = "<html><body><p>one<p>two<div><span>three<table><td>four";
  html += "<script>document.write('SCRIPT')</script><img src=x onerror=alert('XSS')>";
  html += std::string("five\0six", 8);
  html += "<p class='" + std::string(5u << 20, 'x') + "'>seven</p>";
  html += "<a href='" + std::string(1u << 20, 'y') + "'>eight</a>";
  html += "<p>\xC3\x28 broken utf8 \xFF</p><!-- unterminated comment";
  auto doc = ParseHtml(html);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  const std::string text = AllText(*doc);
  EXPECT_TRUE(IsValidUtf8(text));
  for (std::string_view word : {"one", "two", "three", "four", "five", "seven", "eight"}) {
    EXPECT_TRUE(Contains(text, word)) << word;
  }
  EXPECT_FALSE(Contains(text, "SCRIPT"));
  EXPECT_FALSE(Contains(text, "XSS"));
  EXPECT_TRUE(doc->links.empty());  // the 1 MiB href is not a link worth following
}

TEST(HtmlParserTest, DeeplyNestedTagsDoNotOverflowTheStack) {
  constexpr int kDepth = 100000;
  std::string html = "<html><body>";
  for (int i = 0; i < kDepth; ++i) html += "<div>";
  html += "deep text";
  for (int i = 0; i < kDepth; ++i) html += "</div>";
  html += "<p>after</p>";
  auto doc = ParseHtml(html);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_TRUE(Contains(AllText(*doc), "deep text"));

  // Unclosed inline tags, and navigation-looking wrappers around the main content.
  std::string inline_html;
  for (int i = 0; i < kDepth; ++i) inline_html += "<b>";
  inline_html += "bold";
  doc = ParseHtml(inline_html);
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(Contains(AllText(*doc), "bold"));

  std::string wrappers;
  for (int i = 0; i < 20000; ++i) wrappers += "<div class='sidebar'>";
  wrappers += "<main><p>main content</p></main>";
  doc = ParseHtml(wrappers);
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(Contains(AllText(*doc), "main content"));
}

TEST(HtmlParserTest, EmptyAndMarkupOnlyPagesHaveNoBlocks) {
  for (std::string_view html : {"", "   ", "<html></html>", "<script>x</script>"}) {
    auto doc = ParseHtml(html);
    ASSERT_TRUE(doc.has_value());
    EXPECT_TRUE(doc->blocks.empty()) << html;
  }
}

}  // namespace
}  // namespace wissen::crawler

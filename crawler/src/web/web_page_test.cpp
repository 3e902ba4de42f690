// Single-response helpers and ACL rules over URLs.
#include "web_page.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "wissen/crawler/acl_rules.h"

namespace wissen::crawler {
namespace {

TEST(WebPageTest, ContentTypeParts) {
  EXPECT_EQ(MediaType("Text/HTML; charset=ISO-8859-1"), "text/html");
  EXPECT_EQ(CharsetParameter("text/html; Charset=\"ISO-8859-1\""), "ISO-8859-1");
  EXPECT_EQ(CharsetParameter("text/html"), "");
}

TEST(WebPageTest, FindsCanonicalLink) {
  EXPECT_EQ(
      FindCanonicalLink(R"(<html><head><link rel="stylesheet" href="/s.css"><LINK REL='Canonical' )"
                        R"(href=' /wiki/Seite '></head></html>)"),
      "/wiki/Seite");
  EXPECT_EQ(FindCanonicalLink("<link href=/x rel=\"alternate canonical\">"), "/x");
  EXPECT_EQ(FindCanonicalLink("<linkx rel=canonical href=/no><p>"), "");
  EXPECT_EQ(FindCanonicalLink("<link rel=\"canonical\" href=\"/unterminated"), "");
}

TEST(WebPageTest, OfficeFilesAndMessagesLinkedFromPagesAreParsed) {
  std::ifstream in(std::string(WISSEN_SOURCE_DIR) + "/samples/public/de/betriebsausflug-2026.odt",
                   std::ios::binary);
  const std::string odt(std::istreambuf_iterator<char>(in), {});
  auto office = ParseWebPage(odt, "application/vnd.oasis.opendocument.text", "");
  ASSERT_TRUE(office) << office.error().ToString();
  EXPECT_EQ(office->mime, "application/vnd.oasis.opendocument.text");
  EXPECT_EQ(office->title, "Betriebsausflug 2026");
  auto sniffed = ParseWebPage(odt, "application/octet-stream", "");
  ASSERT_TRUE(sniffed);
  EXPECT_EQ(sniffed->blocks.size(), office->blocks.size());
  auto mail = ParseWebPage(
      "From: a@example.com\nSubject: Hallo\nDate: Mon, 30 Nov 2026 09:00:00 +0100\n\nText.\n",
      "message/rfc822", "");
  ASSERT_TRUE(mail) << mail.error().ToString();
  EXPECT_EQ(mail->mime, "message/rfc822");
  EXPECT_EQ(mail->title, "Hallo");
}

TEST(WebPageTest, ParsesHtmlWithCharsetAndSkipsOtherTypes) {
  const std::string latin1 =
      "<html><title>Gr\xF6\xDF"
      "e</title><body><p>Ma\xDF</p></body></html>";
  auto page = ParseWebPage(latin1, "text/html", "ISO-8859-1");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->title,
            "Gr\xC3\xB6\xC3\x9F"
            "e");
  EXPECT_EQ(page->mime, "text/html");
  auto image = ParseWebPage("\x89PNG", "image/png", "");
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(image.error().message.find("image/png"), std::string::npos);
  EXPECT_FALSE(ParseWebPage("plain words", "", ""));
}

TEST(WebPageTest, HttpDateAndBase64) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate(""), 0);
  EXPECT_EQ(Base64("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(Base64("ab"), "YWI=");
}

TEST(WebAclTest, UrlRulesFirstMatchWins) {
  AclRules rules(std::vector<AclRule>{{"https://wiki.intern/hr/**", {"hr"}},
                                      {"https://wiki.intern/*.pdf", {"rnd"}},
                                      {"https://wiki.intern/**", {"everyone"}}});
  EXPECT_EQ(rules.Decide("https://wiki.intern/hr/gehalt?v=2").acl, Acl({"hr"}));
  EXPECT_EQ(rules.Decide("https://wiki.intern/hr").acl, Acl({"hr"}));
  EXPECT_EQ(rules.Decide("https://wiki.intern/plan.pdf").acl, Acl({"rnd"}));
  // '*' does not cross '/': a PDF deeper down falls through to the catch-all.
  EXPECT_EQ(rules.Decide("https://wiki.intern/a/plan.pdf").acl, Acl({"everyone"}));
  EXPECT_TRUE(rules.Decide("https://other.intern/x").acl.empty());
  EXPECT_EQ(rules.Decide("https://wiki.intern/hr/x").rule_index, 0);
}

}  // namespace
}  // namespace wissen::crawler

#include "url.h"

#include <gtest/gtest.h>

namespace wissen::crawler {
namespace {

std::string Norm(std::string_view text) { return NormalizeUrl(text).value_or("<none>"); }

TEST(UrlTest, LowerCasesSchemeAndHostAndDropsDefaultPortAndFragment) {
  EXPECT_EQ(Norm("HTTP://Wiki.Intern:80/Seite#abschnitt"), "http://wiki.intern/Seite");
  EXPECT_EQ(Norm("https://wiki.intern:443"), "https://wiki.intern/");
  EXPECT_EQ(Norm("https://wiki.intern:8443/a"), "https://wiki.intern:8443/a");
  EXPECT_EQ(Norm("http://wiki.intern./a"), "http://wiki.intern/a");
}

TEST(UrlTest, NormalizesPercentEncoding) {
  // Unreserved characters are decoded, other escapes upper-cased, raw bytes encoded.
  EXPECT_EQ(Norm("http://h/%7euser/%41b%2fc%3a"), "http://h/~user/Ab%2Fc%3A");
  EXPECT_EQ(Norm("http://h/Gr\xC3\xB6\xC3\x9F"
                 "e dir"),
            "http://h/Gr%C3%B6%C3%9Fe%20dir");
  EXPECT_EQ(Norm("http://h/100%"), "http://h/100%25");
  EXPECT_EQ(Norm("http://h/a?x=%7e&y=a b"), "http://h/a?x=~&y=a%20b");
}

TEST(UrlTest, RemovesDotSegmentsAndStripsUserinfo) {
  EXPECT_EQ(Norm("http://h/a/b/../c/./d"), "http://h/a/c/d");
  EXPECT_EQ(Norm("http://h/../../x"), "http://h/x");
  EXPECT_EQ(Norm("http://h/a/b/.."), "http://h/a/");
  EXPECT_EQ(Norm("http://user:secret@h/a"), "http://h/a");
}

TEST(UrlTest, RejectsOtherSchemesAndBrokenAuthorities) {
  EXPECT_FALSE(NormalizeUrl("mailto:hr@firma.de"));
  EXPECT_FALSE(NormalizeUrl("ftp://h/a"));
  EXPECT_FALSE(NormalizeUrl("http:///a"));
  EXPECT_FALSE(NormalizeUrl("http://h:99999/"));
  EXPECT_FALSE(NormalizeUrl("http://h:abc/"));
  EXPECT_FALSE(NormalizeUrl("/relative"));
}

TEST(UrlTest, ResolvesReferencesAsRfc3986) {
  const Url base = *ParseUrl("http://a/b/c/d;p?q");
  auto resolve = [&](std::string_view ref) {
    auto url = ResolveUrl(base, ref);
    return url ? url->ToString() : "<none>";
  };
  EXPECT_EQ(resolve("g"), "http://a/b/c/g");
  EXPECT_EQ(resolve("./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve("g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolve("/g"), "http://a/g");
  EXPECT_EQ(resolve("//g"), "http://g/");
  EXPECT_EQ(resolve("?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve("g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(resolve("#s"), "http://a/b/c/d;p?q");
  EXPECT_EQ(resolve(""), "http://a/b/c/d;p?q");
  EXPECT_EQ(resolve("../g"), "http://a/b/g");
  EXPECT_EQ(resolve("../../../g"), "http://a/g");
  EXPECT_EQ(resolve("HTTPS://Other:443/x#y"), "https://other/x");
  EXPECT_EQ(resolve("javascript:void(0)"), "<none>");
  EXPECT_EQ(resolve("mailto:x@y"), "<none>");
}

TEST(UrlTest, OriginAndPathAndQuery) {
  const Url url = *ParseUrl("https://h:8443/a/b?x=1");
  EXPECT_EQ(url.Origin(), "https://h:8443");
  EXPECT_EQ(url.PathAndQuery(), "/a/b?x=1");
}

}  // namespace
}  // namespace wissen::crawler

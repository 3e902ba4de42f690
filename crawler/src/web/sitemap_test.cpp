#include "sitemap.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace wissen::crawler {
namespace {

std::string Gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

const char* kUrlSet = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://wiki.intern/a.html </loc><lastmod>2024-05-01</lastmod></url>
  <url><loc>https://wiki.intern/b.html</loc><lastmod>2024-05-01T10:00:00+02:00</lastmod></url>
  <url><loc>https://wiki.intern/c.html</loc></url>
  <url><lastmod>2024-05-01</lastmod></url>
</urlset>)";

TEST(SitemapTest, ParsesUrlSetWithLastmod) {
  auto sitemap = ParseSitemap(kUrlSet);
  ASSERT_TRUE(sitemap) << sitemap.error().message;
  EXPECT_FALSE(sitemap->is_index);
  ASSERT_EQ(sitemap->entries.size(), 3u);
  EXPECT_EQ(sitemap->entries[0].loc, "https://wiki.intern/a.html");
  EXPECT_EQ(sitemap->entries[0].lastmod_unix, 1714521600);
  EXPECT_EQ(sitemap->entries[1].lastmod_unix, 1714521600 + 8 * 3600);
  EXPECT_EQ(sitemap->entries[2].lastmod_unix, 0);
}

TEST(SitemapTest, ParsesGzippedIndex) {
  const std::string index = R"(<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://wiki.intern/s1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
  <sitemap><loc>https://wiki.intern/s2.xml</loc></sitemap>
</sitemapindex>)";
  auto sitemap = ParseSitemap(Gzip(index));
  ASSERT_TRUE(sitemap) << sitemap.error().message;
  EXPECT_TRUE(sitemap->is_index);
  ASSERT_EQ(sitemap->entries.size(), 2u);
  EXPECT_EQ(sitemap->entries[0].loc, "https://wiki.intern/s1.xml.gz");
  EXPECT_EQ(sitemap->entries[1].loc, "https://wiki.intern/s2.xml");
}

TEST(SitemapTest, TextSitemapAndBrokenInput) {
  auto text = ParseSitemap("https://wiki.intern/a\r\n\nnot a url\nhttp://wiki.intern/b\n");
  ASSERT_TRUE(text);
  ASSERT_EQ(text->entries.size(), 2u);
  EXPECT_EQ(text->entries[1].loc, "http://wiki.intern/b");
  EXPECT_FALSE(ParseSitemap("<urlset><url><loc>x</loc></url>"));  // not well-formed
  EXPECT_FALSE(ParseSitemap("<html><body/></html>"));
  const std::string gz = Gzip(kUrlSet);
  EXPECT_FALSE(ParseSitemap(gz.substr(0, gz.size() / 2)));  // truncated gzip
  auto empty = ParseSitemap("   ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->entries.empty());
}

TEST(SitemapTest, EntityExpansionIsNotPerformed) {
  const std::string bomb = R"(<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>https://h/&x;</loc></url></urlset>)";
  auto sitemap = ParseSitemap(bomb);
  if (sitemap) {
    for (const auto& entry : sitemap->entries)
      EXPECT_EQ(entry.loc.find("root:"), std::string::npos);
  }
}

TEST(SitemapTest, W3cDatetimes) {
  EXPECT_EQ(ParseW3cDatetime("2024-05-01"), 1714521600);
  EXPECT_EQ(ParseW3cDatetime("2024-05-01T00:00:00Z"), 1714521600);
  EXPECT_EQ(ParseW3cDatetime("2024-05-01T02:00+02:00"), 1714521600);
  EXPECT_EQ(ParseW3cDatetime("2024-05-01T00:00:00.123Z"), 1714521600);
  EXPECT_EQ(ParseW3cDatetime("2024"), 1704067200);
  EXPECT_EQ(ParseW3cDatetime("gestern"), 0);
  EXPECT_EQ(ParseW3cDatetime("2024-13-01"), 0);
  EXPECT_EQ(ParseW3cDatetime("2024-05-01T10:00:00+02:00 trailing"), 0);
}

}  // namespace
}  // namespace wissen::crawler

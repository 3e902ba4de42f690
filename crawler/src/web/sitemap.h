// Sitemaps (sitemaps.org) for the web source: URL sets and sitemap index files, plain or
// gzip-compressed, and text sitemaps (one URL a line). Private to the crawler. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::crawler {

struct SitemapEntry {
  std::string loc;           // as written; the caller resolves and scopes it
  int64_t lastmod_unix = 0;  // 0 when absent or unparsable
};

struct Sitemap {
  bool is_index = false;  // <sitemapindex>: entries are further sitemaps
  std::vector<SitemapEntry> entries;
};

// Parses a sitemap; gzip is recognised by its magic bytes, whatever the Content-Type says.
// At most 50,000 entries and 50 MiB uncompressed are read (the protocol's limits). Errors:
// kParse for a broken gzip stream or XML, kResourceExhausted past 50 MiB.
Result<Sitemap> ParseSitemap(std::string_view bytes);

// Inflates gzip data up to `limit` bytes. Errors: kParse, kResourceExhausted.
Result<std::string> Gunzip(std::string_view bytes, size_t limit);

// W3C datetime as sitemaps use it ("2024-05-01", "2024-05-01T10:00:00+02:00",
// "2024-05-01T08:00:00.5Z") as seconds since the epoch; 0 when it does not parse.
int64_t ParseW3cDatetime(std::string_view text);

}  // namespace wissen::crawler

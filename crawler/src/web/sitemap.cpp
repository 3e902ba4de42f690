#include "sitemap.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include <cstring>
#include <ctime>
#include <memory>

namespace wissen::crawler {
namespace {

constexpr size_t kMaxSitemapBytes = 50u << 20;
constexpr size_t kMaxEntries = 50'000;

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

std::string_view LocalName(const xmlNode* node) {
  return node->name == nullptr ? "" : reinterpret_cast<const char*>(node->name);
}

std::string TextOf(xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

Sitemap ParseTextSitemap(std::string_view text) {
  Sitemap sitemap;
  size_t pos = 0;
  while (pos < text.size() && sitemap.entries.size() < kMaxEntries) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.starts_with("http://") || line.starts_with("https://")) {
      sitemap.entries.push_back({std::string(line), 0});
    }
  }
  return sitemap;
}

}  // namespace

Result<std::string> Gunzip(std::string_view bytes, size_t limit) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Fail(ErrorCode::kInternal, "cannot start gzip decoder");
  }
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  char buffer[65536];
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kParse, "broken gzip data");
    }
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > limit) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kResourceExhausted, "gzip data larger than the limit");
    }
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Fail(ErrorCode::kParse, "truncated gzip data");
    }
  }
  inflateEnd(&stream);
  return out;
}

int64_t ParseW3cDatetime(std::string_view text) {
  std::tm tm{};
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, &year)) return 0;
  size_t pos = 4;
  if (pos < text.size() && text[pos] == '-') {
    if (!ReadDigits(text, 5, 2, &month)) return 0;
    pos = 7;
    if (pos < text.size() && text[pos] == '-') {
      if (!ReadDigits(text, 8, 2, &day)) return 0;
      pos = 10;
    }
  }
  int offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!ReadDigits(text, pos + 1, 2, &hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, &minute)) {
      return 0;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!ReadDigits(text, pos + 1, 2, &second)) return 0;
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      }
    }
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int oh = 0, om = 0;
      if (!ReadDigits(text, pos + 1, 2, &oh)) return 0;
      size_t minute_pos = pos + 3;
      if (minute_pos < text.size() && text[minute_pos] == ':') ++minute_pos;
      if (!ReadDigits(text, minute_pos, 2, &om)) return 0;
      offset_seconds = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      pos = minute_pos + 2;
    } else if (pos < text.size() && text[pos] == 'Z') {
      ++pos;
    }
  }
  if (pos != text.size()) return 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return 0;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) - offset_seconds;
}

Result<Sitemap> ParseSitemap(std::string_view bytes) {
  std::string inflated;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    auto data = Gunzip(bytes, kMaxSitemapBytes);
    if (!data) return Fail(data.error());
    inflated = std::move(*data);
    bytes = inflated;
  }
  if (bytes.size() > kMaxSitemapBytes) {
    return Fail(ErrorCode::kResourceExhausted, "sitemap larger than 50 MiB");
  }
  size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Sitemap{};
  if (bytes[first] != '<' && !bytes.substr(first).starts_with("\xEF\xBB\xBF<")) {
    return ParseTextSitemap(bytes);
  }
  // No network access and no entity expansion: sitemaps are untrusted input.
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "sitemap.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return Fail(ErrorCode::kParse, "sitemap is not well-formed XML");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return Fail(ErrorCode::kParse, "sitemap has no root element");
  Sitemap sitemap;
  const std::string_view root_name = LocalName(root);
  if (root_name != "urlset" && root_name != "sitemapindex") {
    return Fail(ErrorCode::kParse, "not a sitemap (root element <" + std::string(root_name) + ">)");
  }
  sitemap.is_index = root_name == "sitemapindex";
  const std::string_view item = sitemap.is_index ? "sitemap" : "url";
  for (xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE || LocalName(node) != item) continue;
    SitemapEntry entry;
    for (xmlNode* field = node->children; field != nullptr; field = field->next) {
      if (field->type != XML_ELEMENT_NODE) continue;
      if (LocalName(field) == "loc") entry.loc = TextOf(field);
      if (LocalName(field) == "lastmod") entry.lastmod_unix = ParseW3cDatetime(TextOf(field));
    }
    if (entry.loc.empty()) continue;
    sitemap.entries.push_back(std::move(entry));
    if (sitemap.entries.size() >= kMaxEntries) break;
  }
  return sitemap;
}

}  // namespace wissen::crawler

#include "web_page.h"

#include <curl/curl.h>

#include <cctype>

#include "parse/parser_text.h"
#include "wissen/core/language.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

constexpr size_t kCanonicalScanBytes = 64 * 1024;
std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Reads the attributes of the tag whose name ends at `pos`, up to its '>'. Calls
// `on_attribute(name lower-case, value)`.
template <typename F>
void ReadAttributes(std::string_view html, size_t pos, F on_attribute) {
  while (pos < html.size() && html[pos] != '>') {
    while (pos < html.size() &&
           (std::isspace(static_cast<unsigned char>(html[pos])) || html[pos] == '/')) {
      ++pos;
    }
    const size_t name_start = pos;
    while (pos < html.size() && html[pos] != '=' && html[pos] != '>' &&
           !std::isspace(static_cast<unsigned char>(html[pos]))) {
      ++pos;
    }
    const std::string name = Lower(html.substr(name_start, pos - name_start));
    while (pos < html.size() && std::isspace(static_cast<unsigned char>(html[pos]))) ++pos;
    std::string_view value;
    if (pos < html.size() && html[pos] == '=') {
      ++pos;
      while (pos < html.size() && std::isspace(static_cast<unsigned char>(html[pos]))) ++pos;
      if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
        const char quote = html[pos++];
        const size_t end = html.find(quote, pos);
        if (end == std::string_view::npos) return;
        value = html.substr(pos, end - pos);
        pos = end + 1;
      } else {
        const size_t start = pos;
        while (pos < html.size() && html[pos] != '>' &&
               !std::isspace(static_cast<unsigned char>(html[pos]))) {
          ++pos;
        }
        value = html.substr(start, pos - start);
      }
    }
    if (name.empty()) {
      if (pos < html.size() && html[pos] != '>') ++pos;
      continue;
    }
    on_attribute(name, value);
  }
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

std::string CharsetParameter(std::string_view content_type) {
  const std::string lower = Lower(content_type);
  size_t pos = lower.find("charset=");
  if (pos == std::string::npos) return "";
  std::string_view value = content_type.substr(pos + 8);
  value = value.substr(0, value.find(';'));
  value = Trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(value);
}

std::string FindCanonicalLink(std::string_view html) {
  html = html.substr(0, std::min(html.size(), kCanonicalScanBytes));
  const std::string lower = Lower(html);
  size_t pos = 0;
  while ((pos = lower.find("<link", pos)) != std::string::npos) {
    pos += 5;
    if (pos < lower.size() && !std::isspace(static_cast<unsigned char>(lower[pos]))) continue;
    bool canonical = false;
    std::string href;
    ReadAttributes(html, pos, [&](const std::string& name, std::string_view value) {
      if (name == "rel") {
        const std::string rel = " " + Lower(value) + " ";
        canonical = rel.find(" canonical ") != std::string::npos;
      } else if (name == "href") {
        href = std::string(Trim(value));
      }
    });
    if (canonical && !href.empty()) return href;
  }
  return "";
}

Result<ParsedDocument> ParseWebPage(std::string_view bytes, std::string_view media_type,
                                    std::string_view charset) {
  ContentKind kind = ContentKind::kUnknown;
  if (media_type == "text/html" || media_type == "application/xhtml+xml") {
    kind = ContentKind::kHtml;
  } else if (media_type == "application/pdf") {
    kind = ContentKind::kPdf;
  } else if (media_type.starts_with("application/vnd.openxmlformats-officedocument.") ||
             media_type.starts_with("application/vnd.oasis.opendocument.")) {
    kind = ContentKind::kZip;  // an Office file linked from an intranet page
  } else if (media_type == "message/rfc822") {
    kind = ContentKind::kEmail;
  } else if (media_type.empty() || media_type == "application/octet-stream") {
    kind = DetectContentKind(bytes, "");
    if (kind != ContentKind::kHtml && kind != ContentKind::kPdf && kind != ContentKind::kZip) {
      return Fail(ErrorCode::kUnsupported, "content is neither HTML, PDF nor an Office file");
    }
  } else {
    return Fail(ErrorCode::kUnsupported,
                "content type " + std::string(media_type) + " is not indexed");
  }
  Result<ParsedDocument> parsed;
  switch (kind) {
    case ContentKind::kPdf:
      parsed = ParsePdf(bytes);
      break;
    case ContentKind::kZip:
      parsed = ParseOffice(bytes, ParseOptions{});
      break;
    case ContentKind::kEmail:
      parsed = ParseEmail(bytes, ParseOptions{});
      break;
    default:
      parsed = ParseHtml(bytes, charset);
      break;
  }
  if (!parsed) return parsed;
  parsed->language = DetectLanguage(LanguageSample(*parsed));
  // Office files and e-mails keep the media type their parser names.
  if (kind == ContentKind::kPdf) parsed->mime = "application/pdf";
  if (kind == ContentKind::kHtml) parsed->mime = "text/html";
  parsed->parser_version = ParserVersion(parsed->mime);
  return parsed;
}

int64_t ParseHttpDate(const std::string& text) {
  if (text.empty()) return 0;
  const time_t value = curl_getdate(text.c_str(), nullptr);
  return value < 0 ? 0 : static_cast<int64_t>(value);
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace wissen::crawler

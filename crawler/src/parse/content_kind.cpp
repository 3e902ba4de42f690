// Content sniffing. The bytes decide first, because crawled file names lie (a PDF saved as
// ".txt", an HTML export called "report.doc"); the extension only settles what the bytes leave
// open.
#include <cstdint>
#include <string>
#include <string_view>

#include "charset.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

constexpr size_t kSniffBytes = 1024;
// Binary check looks further than the markup check: some formats start with a text header.
constexpr size_t kBinarySniffBytes = 8 * 1024;

std::string Extension(std::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return LowerAscii(file_name.substr(dot + 1));
}

// NUL bytes or many control characters mean binary data. Text files contain tabs, line ends,
// form feeds and the odd escape sequence, nothing else below 0x20.
bool LooksBinary(std::string_view sample) {
  size_t controls = 0;
  for (unsigned char c : sample) {
    if (c == 0) return true;
    const bool allowed = c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x1B;
    if ((c < 0x20 && !allowed) || c == 0x7F) ++controls;
  }
  return controls * 20 > sample.size();  // more than 5 %
}

struct Markup {
  bool at_start = false;   // the text begins with '<' (after a BOM and white space)
  bool html_tags = false;  // <!doctype html, <html, <head or <body appears
};

Markup SniffMarkup(std::string_view sample) {
  Markup markup;
  size_t i = 0;
  while (i < sample.size() && (sample[i] == ' ' || sample[i] == '\t' || sample[i] == '\n' ||
                               sample[i] == '\r' || sample[i] == '\f')) {
    ++i;
  }
  markup.at_start = i < sample.size() && sample[i] == '<';
  const std::string lower = LowerAscii(sample);
  for (std::string_view tag : {"<!doctype html", "<html", "<head", "<body"}) {
    size_t pos = lower.find(tag);
    while (pos != std::string::npos) {
      const size_t after = pos + tag.size();
      // "<header" or "<htmlfoo" are not the tags we look for.
      const bool boundary = tag == "<!doctype html" || after >= lower.size() ||
                            lower[after] == '>' || lower[after] == ' ' || lower[after] == '\t' ||
                            lower[after] == '\n' || lower[after] == '\r' || lower[after] == '/';
      if (boundary) {
        markup.html_tags = true;
        return markup;
      }
      pos = lower.find(tag, pos + 1);
    }
  }
  return markup;
}

}  // namespace

ContentKind DetectContentKind(std::string_view bytes, std::string_view file_name) {
  const std::string_view head = bytes.substr(0, kSniffBytes);
  if (head.find("%PDF-") != std::string_view::npos) return ContentKind::kPdf;

  // UTF-16 text is full of NUL bytes; with a BOM it is text, sniffed without the NULs.
  size_t bom_length = 0;
  const std::string bom = BomCharset(bytes, &bom_length);
  std::string sample(bytes.substr(bom_length, kBinarySniffBytes));
  if (bom == "UTF-16LE" || bom == "UTF-16BE") {
    std::erase(sample, '\0');
  } else if (LooksBinary(sample)) {
    return ContentKind::kUnknown;
  }

  const std::string ext = Extension(file_name);
  const bool md_ext = ext == "md" || ext == "markdown" || ext == "mdown" || ext == "mkd";
  const bool html_ext = ext == "html" || ext == "htm" || ext == "xhtml" || ext == "shtml";
  const Markup markup = SniffMarkup(std::string_view(sample).substr(0, kSniffBytes));
  // A document that opens with markup and has HTML's tags is HTML whatever its name; tags
  // further down in a Markdown or text file are more likely quoted examples.
  if (markup.html_tags && (markup.at_start || !(md_ext || ext == "txt"))) {
    return ContentKind::kHtml;
  }
  if (html_ext) return ContentKind::kHtml;
  if (md_ext) return ContentKind::kMarkdown;
  return ContentKind::kText;
}

}  // namespace wissen::crawler

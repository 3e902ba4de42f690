// Content sniffing. The bytes decide first, because crawled file names lie (a PDF saved as
// ".txt", an HTML export called "report.doc"); the extension only settles what the bytes leave
// open.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "charset.h"
#include "mail_parser.h"
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

struct MessageHeaders {
  bool header_block = false;  // the text starts with header lines (folded lines allowed)
  bool from = false, date = false, transport = false;  // transport: Message-ID/MIME/Received
};

// Reads the header lines at the start of `sample` (up to the first blank line). With
// `any_field`, the first line may be any well-formed header field (a file named .eml);
// otherwise it must be a field that starts stored messages.
MessageHeaders SniffMessageHeaders(std::string_view sample, bool any_field = false) {
  MessageHeaders headers;
  size_t pos = 0;
  int lines = 0;
  while (pos < sample.size()) {
    size_t end = sample.find('\n', pos);
    if (end == std::string_view::npos) end = sample.size();
    std::string_view line = sample.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (lines == 0) return {};
      continue;  // a folded continuation
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return lines > 0 ? headers : MessageHeaders{};
    const std::string name = LowerAscii(line.substr(0, colon));
    if (name.find(' ') != std::string::npos) return lines > 0 ? headers : MessageHeaders{};
    const bool field_name = std::all_of(name.begin(), name.end(), [](char c) {
      return c > 0x20 && c < 0x7F;  // RFC 5322 ftext
    });
    if (!field_name) return lines > 0 ? headers : MessageHeaders{};
    if (lines == 0 && !any_field && !IsLeadingMessageHeader(name)) {
      return {};
    }
    ++lines;
    headers.header_block = true;
    headers.from = headers.from || name == "from";
    headers.date = headers.date || name == "date";
    headers.transport =
        headers.transport || name == "message-id" || name == "mime-version" || name == "received";
  }
  return headers;
}

}  // namespace

ContentKind DetectContentKind(std::string_view bytes, std::string_view file_name) {
  const std::string_view head = bytes.substr(0, kSniffBytes);
  if (head.find("%PDF-") != std::string_view::npos) return ContentKind::kPdf;
  // Local file header, or the end record of an empty archive.
  if (bytes.starts_with(std::string_view("PK\x03\x04", 4)) ||
      bytes.starts_with(std::string_view("PK\x05\x06", 4))) {
    return ContentKind::kZip;
  }
  if (bytes.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) {
    return ContentKind::kOle2;
  }

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
  // mbox: a "From " separator line, then a message's header lines. A single message saved
  // with its envelope line (a .eml) is a message: ParseEmail skips the line.
  if (sample.starts_with("From ") && ext != "eml") {
    const size_t line_end = sample.find('\n');
    const bool headers_follow =
        line_end != std::string::npos &&
        SniffMessageHeaders(std::string_view(sample).substr(line_end + 1)).header_block;
    if (ext == "mbox" || ext == "mbx" || headers_follow) return ContentKind::kMbox;
  }
  if (ext == "eml" && sample.starts_with("From ")) return ContentKind::kEmail;
  const MessageHeaders headers = SniffMessageHeaders(sample, /*any_field=*/ext == "eml");
  if (headers.header_block &&
      (ext == "eml" || (headers.from && headers.date && headers.transport))) {
    return ContentKind::kEmail;
  }
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

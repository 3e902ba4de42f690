// Parsers turn raw bytes of a file or HTTP response into a ParsedDocument.
//
// Every parser treats its input as hostile: it never crashes, never reads outside the
// buffer, and returns an Error (kParse for broken input, kUnsupported for encrypted or
// unknown formats, kResourceExhausted for absurd sizes) with a reason fit for a crawl report.
// Output text is valid UTF-8, at most 20 MiB per document (the rest is dropped); blocks are
// never empty, paragraphs are separated by "\n\n", lines by "\n", words by single spaces.
// Thread-safe: parsers hold no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen::crawler {

class PageOcr;

enum class ContentKind {
  kPdf,
  kHtml,
  kText,
  kMarkdown,
  kZip,    // a zip container: Office Open XML, OpenDocument, or anything else
  kOle2,   // a Compound File: legacy .doc/.xls/.ppt, or a password-protected OOXML file
  kEmail,  // one RFC 5322 message (.eml)
  kMbox,   // messages in mbox format, each starting with a "From " line
  kUnknown
};

// Detects the kind by content first (PDF, zip and Compound File magic, RFC 5322 header lines,
// an mbox "From " line, HTML markup in the first KiB, text that is valid UTF-8 or a
// single-byte charset without NULs); the file name's extension only breaks ties: between text
// and Markdown or HTML-looking text ("<html>" quoted in a .md file stays Markdown unless the
// file starts with markup), and for messages (a text file that starts with header lines is an
// e-mail only when named .eml, or when its headers are unmistakable: From, Date and one of
// Message-ID, MIME-Version, Received; mbox needs the .mbox extension or a "From " line
// followed by header lines). kUnknown for other binary data (NUL bytes, many control
// characters); UTF-16 with a BOM is text.
ContentKind DetectContentKind(std::string_view bytes, std::string_view file_name);

// What parsing may do beyond reading the bytes. The defaults suit a crawl without OCR.
struct ParseOptions {
  // Office files: include reviewers' comments as text. Default: false (comments are often
  // drafts or personal remarks nobody meant to publish).
  bool office_comments = false;
  // Recognises scanned PDF pages (see ocr.h); null: such pages stay empty. Not owned.
  const PageOcr* ocr = nullptr;
  // How deep containers nest (an e-mail attached to an e-mail); deeper parts are skipped
  // with a warning. Default: 3.
  int max_depth = 3;
};

// PDF via poppler-cpp: a Block per page (page = 1-based physical page number) and per section
// where the fonts show headings (heading_path from them), text in reading order without
// running headers and footers, title from the metadata or else the first line of the first
// page. With `ocr`, pages without a usable text layer (none, or a scanner's garbage) are
// recognised (see ocr.h); a page OCR fails on stays empty and adds a warning.
// Encrypted (password-protected) files: kUnsupported. Broken files: kParse.
Result<ParsedDocument> ParsePdf(std::string_view bytes, const PageOcr* ocr = nullptr);

// Office Open XML (.docx .xlsx .pptx) and OpenDocument (.odt .ods .odp) from a zip container
// (see office_parser.h for the details). A zip that is neither: kUnsupported.
Result<ParsedDocument> ParseOffice(std::string_view bytes, const ParseOptions& options);

// One RFC 5322 message via GMime (see mail_parser.h). Attachments in supported formats are
// parsed with ParseDocument at options.max_depth - 1.
Result<ParsedDocument> ParseEmail(std::string_view bytes, const ParseOptions& options);

// HTML via libxml2: title (<title>, else first <h1>), one Block per heading section (h1-h6
// build heading_path), visible text without script/style/nav/header/footer/aside/noscript/
// template/svg/form, hidden elements and navigation chrome (ARIA landmark roles, classes such
// as "sidebar", "related", "footer", unless they wrap the main content), block elements
// separated by paragraph breaks, links from <a href> (navigation included; no javascript:,
// mailto: or same-page fragments). The first <h1> is not a heading_path element when it
// repeats the title (also as "<h1> - Site" or "Site | <h1>").
// Charset: a BOM, then charset_hint (e.g. from an HTTP Content-Type header), then <meta> in
// the first 4 KiB; a declared UTF-8 that is not valid UTF-8 is ignored. Without any, UTF-8
// when valid, else ICU's charset detector. Output is always UTF-8. Pages over 64 MiB:
// kResourceExhausted.
Result<ParsedDocument> ParseHtml(std::string_view bytes, std::string_view charset_hint = "");

// Plain text or Markdown (ATX '#' headings start sections, outside fenced code blocks).
// Title: Markdown's first '# ' heading (not a heading_path element), else YAML front matter's
// "title:", else the first non-empty line. Non-UTF-8 input is converted from the charset a BOM
// names or ICU detects.
Result<ParsedDocument> ParseText(std::string_view bytes, bool markdown);

// The version of the parser for documents of `mime`. It is raised whenever a parser change
// gives unchanged files different blocks, and stored with every document, so the next crawl
// parses documents of an older version again although their bytes did not change (otherwise
// an upgrade would only reach files edited afterwards). PDF: 2 since sections and running
// lines, 3 since OCR of scanned pages (2026-12); every other type: 1.
int ParserVersion(std::string_view mime);

// Whether a document stored with `parser_version` must be parsed again (see ParserVersion).
inline bool NeedsReparse(std::string_view mime, int parser_version) {
  return parser_version < ParserVersion(mime);
}

// Detects the kind, parses, and fills `language` (DetectLanguage over the text), `mime` and
// `parser_version`.
// kUnknown content: kUnsupported with reason "binary or unknown file type"; kOle2:
// kUnsupported naming the legacy format or the password; kMbox: kUnsupported (an mbox holds
// many documents: split it with SplitMbox and parse each message).
Result<ParsedDocument> ParseDocument(std::string_view bytes, std::string_view file_name,
                                     std::string_view charset_hint = "",
                                     const ParseOptions& options = {});

// The messages of an mbox file (mboxo or mboxrd, LF or CRLF), in file order, as views into
// `bytes`, without their "From " separator lines. A "From " line separates only when a header
// line follows it and, unless it starts the file or follows a blank line, when it looks like
// an envelope (sender, then a date), so an unescaped "From the office ..." in a body does not
// split a message. Text before the first separator is a message; empty messages are dropped;
// ">From" lines stay as they are (ParseEmail reads them unescaped outside quotes). At most
// `max_messages`; more are dropped.
std::vector<std::string_view> SplitMbox(std::string_view bytes, size_t max_messages = 100000);

}  // namespace wissen::crawler

// Parsers turn raw bytes of a file or HTTP response into a ParsedDocument.
//
// Every parser treats its input as hostile: it never crashes, never reads outside the
// buffer, and returns an Error (kParse for broken input, kUnsupported for encrypted or
// unknown formats) with a reason fit for a crawl report. Thread-safe: parsers hold no state.
#pragma once

#include <string>
#include <string_view>

#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen::crawler {

enum class ContentKind { kPdf, kHtml, kText, kMarkdown, kUnknown };

// Detects the kind by content first (PDF magic, HTML markup in the first KiB, text that is
// valid UTF-8 or a single-byte charset without NULs); the file name's extension only breaks
// ties between text and Markdown or HTML-looking text. kUnknown for binary data.
ContentKind DetectContentKind(std::string_view bytes, std::string_view file_name);

// PDF via poppler-cpp: one Block per page (page = 1-based physical page number), text in
// reading order, title from the metadata or else the first line of the first page.
// Encrypted (password-protected) files: kUnsupported. Broken files: kParse.
Result<ParsedDocument> ParsePdf(std::string_view bytes);

// HTML via libxml2: title (<title>, else first <h1>), one Block per heading section (h1-h6
// build heading_path), visible text without script/style/nav/header/footer/aside/noscript/
// template, block elements separated by paragraph breaks, links from <a href>.
// charset_hint (e.g. from an HTTP Content-Type header) wins over <meta charset>; without
// either, UTF-8 when valid, else ICU's charset detector. Output is always UTF-8.
Result<ParsedDocument> ParseHtml(std::string_view bytes, std::string_view charset_hint = "");

// Plain text or Markdown (ATX '#' headings start sections). Non-UTF-8 input is converted
// from the detected charset.
Result<ParsedDocument> ParseText(std::string_view bytes, bool markdown);

// Detects the kind, parses, and fills `language` (DetectLanguage over the text) and `mime`.
// kUnknown content: kUnsupported with reason "binary or unknown file type".
Result<ParsedDocument> ParseDocument(std::string_view bytes, std::string_view file_name,
                                     std::string_view charset_hint = "");

}  // namespace wissen::crawler

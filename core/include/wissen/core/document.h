// The things that flow from crawler to indexer to retriever: parsed documents, their blocks,
// chunks and retrieved passages. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wissen/core/acl.h"

namespace wissen {

// Language codes Wissen distinguishes for stemming and answers.
inline constexpr const char* kLanguageGerman = "de";
inline constexpr const char* kLanguageEnglish = "en";

// A run of text under one heading on one page. Parsers emit blocks in reading order.
struct Block {
  // Headings above this text, outermost first, without the document title.
  // heading_path[0] is the top-level section; the chunker never joins two of them.
  std::vector<std::string> heading_path;
  // 1-based physical page for paged formats (PDF); 0 when the format has no pages.
  int page = 0;
  // UTF-8 text; paragraphs separated by "\n\n".
  std::string text;
  // A table (Office tables, spreadsheet sheets): every line of `text` is one row, its cells
  // separated by " | ". The chunker never splits a row, and a chunk that starts below the
  // first row begins with `table_header` (the header row, "" when the table has none) so
  // that the row's cells keep their meaning.
  bool table = false;
  std::string table_header;
};

// The result of parsing one file or web page.
struct ParsedDocument {
  std::string title;
  std::string language;  // "de", "en" or "" when unknown
  std::string mime;      // "application/pdf", "text/html", "text/plain", "text/markdown", ...
  std::string author;    // from the document's metadata (Office, e-mail sender); may be ""
  // Further metadata worth showing with the document, in display order: for e-mail "from",
  // "to", "cc", "date"; for Office "created", "modified". Keys are lower-case ASCII.
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<Block> blocks;
  std::vector<std::string> links;  // absolute or relative hrefs, for web crawling
  int page_count = 0;              // PDFs only
  // The version of the parser that produced the blocks (crawler::ParserVersion of `mime`).
  int parser_version = 1;
  // Parts of the document that could not be read while the rest was kept (a scanned page
  // OCR failed on, an attachment in an unsupported format), each fit for a crawl report.
  std::vector<std::string> warnings;
};

// A piece of a document sized for embedding and ranking.
struct Chunk {
  int ordinal = 0;           // 0-based position in the document
  std::string text;          // UTF-8
  std::string heading_path;  // "Title › Section › Subsection"
  int page = 0;              // 1-based page, 0 = none
  int char_start = 0;        // code-unit offsets into the document's concatenated block text
  int char_end = 0;
};

// What the crawler knows about a document before it is indexed.
struct DocumentInfo {
  int source_id = 0;         // catalog id of the source, set by the crawler
  std::string source;        // source name from the config
  std::string uri;           // file:///abs/path or http(s)://...
  std::string path;          // relative to the source root (files) or the URL (web)
  std::string content_hash;  // hex SHA-256 of the raw bytes
  int64_t size_bytes = 0;
  int64_t modified_unix = 0;  // seconds since epoch; 0 when unknown
  Acl acl;
  std::string acl_rule;  // which rule decided the ACL, for `wissen explain`
};

// A chunk as returned by retrieval, with what a citation needs.
struct Passage {
  int64_t chunk_id = 0;
  int64_t document_id = 0;
  std::string source;
  std::string path;
  std::string uri;
  std::string title;
  std::string heading_path;
  int page = 0;
  std::string text;
  double score = 0;
  Acl acl;
};

// A document's address as shown to users: web URLs as they are, but a file as
// "<source>:<path relative to the source root>", never its absolute file:// URI (that would
// map the server's file system for anyone who can search). Admins see the absolute one in
// `wissen explain`.
std::string PublicUri(std::string_view source, std::string_view path, std::string_view uri);

}  // namespace wissen

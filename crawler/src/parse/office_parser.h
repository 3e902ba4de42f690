// Office Open XML (.docx .xlsx .pptx) and OpenDocument (.odt .ods .odp) reading, behind
// ParseOffice (parsers.h). Private to the crawler. ooxml_parser.cpp reads Office Open XML,
// odf_parser.cpp OpenDocument, office_xml.h holds what they share.
//
// Contract for ParseOffice:
// - Format: a zip with [Content_Types].xml or _rels/.rels is Office Open XML, its main part
//   found through the package's officeDocument relationship (Word, Excel or PowerPoint by
//   the part's content type; .docm/.dotx/.xlsm/.pptm/.ppsx read the same). A zip with a
//   mimetype entry or META-INF/manifest.xml is OpenDocument (text, spreadsheet or
//   presentation, templates included; drawings and formulas: kUnsupported). Any other zip:
//   kUnsupported "zip archive that is not an Office document". A Compound File (legacy
//   .doc/.xls/.ppt, or Office Open XML with a password): kUnsupported. .xlsb: kUnsupported.
// - Container: ZipReader (zip_reader.h) with its zip bomb limits (10,000 entries, 256 MiB
//   unpacked in all, 100:1 above 1 MiB): kResourceExhausted, whichever part hits them. A
//   part over 128 MiB is cut there with a warning (a huge sheet keeps its first rows).
//   Only the parts the format names are read, found through relationships or fixed
//   names, never by listing: no macros (vbaProject.bin), embedded objects, media, headers
//   or footers. Encrypted zip entries and an ODF manifest with encryption data: kUnsupported
//   "password-protected Office document". A truncated or corrupt zip: kParse.
// - XML: libxml2's streaming reader without entity substitution, DTD loading, network access
//   or XML_PARSE_HUGE; a part that declares a DTD stops there (Office files never have one),
//   so external entities (XXE) and entity bombs are never expanded. A broken main part
//   (word/document.xml, content.xml, ...) is kParse when nothing was read before the error,
//   else a warning, as is any broken secondary part (styles, notes, one sheet, one slide).
// - Metadata: title (dc:title), author (docProps/core.xml dc:creator; meta.xml
//   meta:initial-creator, else dc:creator), metadata "created" and "modified" as written
//   (ISO 8601). Without a dc:title: the paragraph in the Title style (text documents), the
//   first slide's title (presentations).
// - Text documents: a Block per heading section, heading_path outermost first, page 0.
//   Headings are paragraphs with an outline level (w:outlineLvl of the paragraph or its
//   style chain; text:h's text:outline-level or the style's default-outline-level), or a
//   Word style named or id'd "Heading N" in English or a localised form ("Überschrift 1",
//   id "berschrift1", "Titre 1", ...). Blank headings are ignored. The Title paragraph is
//   the title and not text (kept as text when dc:title differs). Text boxes, footnotes and
//   endnotes are paragraphs after the paragraph that anchors or references them; a table of
//   contents, deleted text, moved-away text and field codes are not text.
// - Tables: a Block with table = true, one line per row, cells joined by " | ", empty cells
//   and rows skipped, a cell's paragraphs and nested tables joined by spaces, table_header =
//   the first line (cut at 2 KiB). Spreadsheets: one table Block per worksheet, heading_path
//   [sheet name], page 0; chart sheets skipped. Cells show shared and inline strings, cached
//   formula results (formulas without one are empty), booleans as TRUE/FALSE, numbers to
//   15 significant digits (0.1+0.2 is 0.3), dates and times (.xlsx date formats, 1900 and
//   1904 systems) as ISO 8601 and percentages with "%". .ods cells show their displayed
//   text, else their value; repeated rows and columns cost nothing when empty and are written out
//   when not, up to 16,384 cells a row and 2,000,000 a document (then a warning).
// - Presentations: a Block per slide with page = the slide's number (1-based, in show
//   order) and heading_path [slide title] (the title placeholder, or presentation:class
//   "title"), [] for an untitled slide, so a citation reads "Deck › Slide title" and an
//   untitled slide is told apart by its page. Tables on a slide are table Blocks with the
//   same page and path. Speaker notes are paragraphs at the end of the slide's text; slide
//   numbers, dates, footers and headers are not text.
// - Comments (Word, Writer, Excel, Calc, PowerPoint, Impress) only with
//   ParseOptions::office_comments: in text documents a paragraph after the commented one,
//   in sheets paragraphs in a Block after the sheet's table, on slides paragraphs after the
//   speaker notes.
// - mime: the family's official media type: application/vnd.openxmlformats-officedocument.
//   wordprocessingml.document, ...spreadsheetml.sheet, ...presentationml.presentation,
//   application/vnd.oasis.opendocument.text, .spreadsheet, .presentation.
// - Output: valid UTF-8, no empty Blocks, paragraphs separated by "\n\n", at most
//   kMaxDocumentTextBytes of text (then a warning). Never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "office_xml.h"
#include "wissen/core/document.h"
#include "wissen/core/result.h"
#include "wissen/crawler/parsers.h"
#include "zip_reader.h"

namespace wissen::crawler {

// ---- Office Open XML packages (office_parser.cpp) --------------------------------------------

// A relationship of a part (or of the package) to another part.
struct Relationship {
  std::string id;
  std::string kind;    // the last segment of the type URI: "officeDocument", "styles", ...
  std::string target;  // the part name, resolved against the source part; never external
};

// The relationships in the .rels part of `part` ("" for the package's _rels/.rels); none
// when there is no such part. Targets that leave the package or are external are dropped.
Result<std::vector<Relationship>> ReadRelationships(ZipReader& zip, std::string_view part,
                                                    BlockBuilder* builder);
const Relationship* FindKind(const std::vector<Relationship>& relationships, std::string_view kind);
const Relationship* FindId(const std::vector<Relationship>& relationships, std::string_view id);

// The content type [Content_Types].xml gives `part`, lower-case; "" when it gives none.
Result<std::string> ContentTypeOf(ZipReader& zip, std::string_view part, BlockBuilder* builder);

// ---- the formats ---------------------------------------------------------------------------

// Office Open XML: `zip` holds [Content_Types].xml or _rels/.rels (ooxml_parser.cpp).
Result<ParsedDocument> ParseOoxml(ZipReader& zip, const ParseOptions& options);

// OpenDocument: `zip` holds a mimetype entry or META-INF/manifest.xml (odf_parser.cpp).
Result<ParsedDocument> ParseOdf(ZipReader& zip, const ParseOptions& options);

// A part that may be missing: nullopt when it is absent, or corrupt (then with a warning).
// Errors that concern the whole file (a zip bomb limit, encryption) are returned. A part
// over ZipLimits::max_entry_bytes is cut there, with a warning (its XML then ends early).
Result<std::optional<std::string>> ReadOptionalPart(ZipReader& zip, std::string_view name,
                                                    BlockBuilder* builder);

// The main part (word/document.xml, content.xml, ...): kParse when it is missing or corrupt;
// cut like an optional part.
Result<std::string> ReadMainPart(ZipReader& zip, std::string_view name, BlockBuilder* builder);

// Ends the document `builder` writes to `parsed`: the main part reader's error fails it when
// nothing was extracted and is a warning otherwise; a full text budget adds a warning.
Result<ParsedDocument> FinishDocument(const XmlReader& main_reader, BlockBuilder* builder,
                                      ParsedDocument* parsed);

}  // namespace wissen::crawler

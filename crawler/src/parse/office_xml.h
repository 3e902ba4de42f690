// What the Office Open XML and OpenDocument readers share: a safe pull parser for one XML
// part, the block builder that turns headings, paragraphs and tables into Blocks, slides,
// and the document metadata. Private to the crawler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser_text.h"
#include "wissen/core/document.h"

struct _xmlTextReader;

namespace wissen::crawler {

// The XML namespaces the readers look at, told apart by URI: producers choose prefixes
// freely, and Strict Office Open XML uses other URIs than Transitional.
enum class Ns : uint8_t {
  kNone,  // no namespace: unprefixed attributes
  kOther,
  kWord,                // WordprocessingML (w:)
  kSheet,               // SpreadsheetML (the default namespace of xl/*.xml)
  kPresentation,        // PresentationML (p:)
  kDrawing,             // DrawingML (a:)
  kRelationships,       // officeDocument relationship ids (r:id)
  kPackageRelations,    // _rels/*.rels
  kCoreProperties,      // docProps/core.xml (cp:)
  kDublinCore,          // dc:
  kDcTerms,             // dcterms:
  kCompatibility,       // markup compatibility (mc:)
  kOffice,              // ODF office:
  kText,                // ODF text:
  kTable,               // ODF table:
  kDraw,                // ODF draw:
  kOdfPresentation,     // ODF presentation:
  kStyle,               // ODF style:
  kMeta,                // ODF meta:
  kManifest,            // ODF META-INF/manifest.xml
  kSvg,                 // ODF svg:
  kPowerPointComments,  // PowerPoint 2021 comments (p188:)
  kOpenOffice,          // LibreOffice extensions (officeooo:), e.g. Impress comments
};

// A pull parser over one XML part of an Office file, on libxml2's xmlTextReader: streaming,
// so a 100 MiB sheet costs little more than its bytes, and without recursion. Network
// access, DTD loading and entity substitution are off, and a part that declares a DTD
// (which Office files never do) stops at the declaration, so neither an external entity
// (XXE) nor an entity bomb is ever expanded. Depth and text node sizes have libxml2's
// default limits. Every start event has a matching end event, also for <empty/> elements.
// Not thread-safe: one reader per part and thread; readers of one thread must end in the
// reverse order of their start (they are scoped variables).
class XmlReader {
 public:
  enum class Event { kStart, kEnd, kText };

  // `xml` must outlive the reader; `part` names the part in error().
  XmlReader(std::string_view xml, std::string_view part);
  ~XmlReader();
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // Moves to the next start tag, end tag or text; false at the end or on an error.
  bool Next();
  // At a start event: skips the element's content and its end event.
  void Skip();

  Event event() const { return event_; }
  Ns ns() const { return ns_; }
  std::string_view name() const { return name_; }  // local name, no prefix
  bool Is(Ns ns, std::string_view name) const { return ns_ == ns && name_ == name; }
  // Text content at a text event; valid until Next().
  std::string_view text() const { return text_; }
  // The attribute of the current start tag, without entity references; nullopt when absent.
  std::optional<std::string> Attr(Ns ns, std::string_view name) const;
  // Why reading stopped early, fit for a crawl report ("malformed XML in content.xml at
  // line 3"); "" when the part was read to its end.
  const std::string& error() const { return error_; }

 private:
  void LoadElement();
  Ns Classify(const unsigned char* uri);

  // libxml2 reports some errors (encodings, I/O) through its per-thread handlers instead of
  // the reader's, and those print to stderr; they are silenced while the reader lives.
  struct Silence;
  std::unique_ptr<Silence> silence_;
  _xmlTextReader* reader_ = nullptr;
  std::string part_;
  std::string error_;
  int error_line_ = 0;
  Event event_ = Event::kEnd;
  Ns ns_ = Ns::kNone;
  std::string_view name_;
  std::string_view text_;
  bool pending_end_ = false;  // an <empty/> element's end event comes next
  bool positioned_ = false;   // Skip() moved the reader already; rc_ is its result
  int rc_ = 0;
  std::vector<std::pair<const unsigned char*, Ns>> ns_cache_;  // interned URI -> Ns
};

// Appends XML text to a raw paragraph buffer, white space as spaces ('\n' in raw text is an
// explicit line break), up to `cap` bytes.
void AppendText(std::string* raw, std::string_view text, size_t cap);
void AppendLineBreak(std::string* raw, size_t cap);

// Builds one document's blocks in reading order: sections under a heading stack, paragraphs,
// tables. All text shares one budget of kMaxDocumentTextBytes; producers cap the raw text
// they collect with budget(), so a huge part cannot grow memory past it either.
// Not thread-safe: one builder per document.
class BlockBuilder {
 public:
  explicit BlockBuilder(ParsedDocument* out) : out_(out), text_(&budget_), table_(&budget_) {}

  // The page (slide number) of the blocks that follow.
  void SetPage(int page);
  // Replaces the heading path (a sheet, a slide) for the blocks that follow.
  void SetPath(std::vector<std::string> path);
  // Starts a section under a heading of `level` (1 is outermost); blank headings are ignored.
  void Heading(int level, std::string_view raw);
  // A paragraph of raw text ('\n' is a line break).
  void Paragraph(std::string_view raw);
  // A paragraph in the Title style: the document's title when the metadata gave none, a
  // paragraph when it says something other than the title.
  void TitleParagraph(std::string_view raw);

  // A table block: BeginTable, then per row Cell... EndRow, then EndTable. Empty cells and
  // rows are skipped; `repeat` repeats a cell or row (OpenDocument's compact repeats), up
  // to the table limits. Closes the current text block first.
  void BeginTable();
  void Cell(std::string_view raw, size_t repeat = 1);
  void EndRow(size_t repeat = 1);
  void EndTable();
  bool in_table() const { return in_table_; }

  // Ends the current text block.
  void Flush();
  // Adds a warning once, up to 20 per document.
  void Warn(std::string warning);

  size_t budget() const { return budget_; }
  bool full() const { return budget_ == 0; }

 private:
  std::vector<std::string> Path() const;

  ParsedDocument* out_;
  size_t budget_ = kMaxDocumentTextBytes;
  TextBuilder text_;
  std::vector<std::pair<int, std::string>> headings_;
  int page_ = 0;

  bool in_table_ = false;
  TextBuilder table_;
  std::string table_header_;
  bool table_has_rows_ = false;
  std::vector<std::string> row_;
  size_t row_bytes_ = 0;
  size_t cells_ = 0;  // cells written in the whole document
};

// A slide, collected whole before its blocks are made: its title shape may come after the
// body in the XML.
struct SlideContent {
  struct Item {
    std::string paragraph;                       // raw text, or
    std::vector<std::vector<std::string>> rows;  // a table's raw cells
  };
  std::string title;
  std::vector<Item> items;
  std::vector<std::string> notes;     // speaker notes, raw paragraphs
  std::vector<std::string> comments;  // raw paragraphs
  size_t bytes = 0;                   // raw text collected, kept under the builder's budget
};

// One slide's blocks: page = `number`, heading_path = [title] or [] when the slide has no
// title (the page number then identifies it); notes and comments end its text.
void EmitSlide(const SlideContent& slide, int number, BlockBuilder* builder);

// Paragraph style names, compared on their ASCII letters and digits, lower-case: Word drops
// non-ASCII letters from style ids ("Überschrift 1" has the id "berschrift1").
// The heading level 1-9 a style name means ("Heading 1", "berschrift1", "Titre 2"), or 0.
int HeadingLevelOfStyleName(std::string_view name);
// Whether a style name is the document title's ("Title", "Titel", "Titre", ...).
bool IsTitleStyleName(std::string_view name);

// How a spreadsheet number reads, from its cell format.
enum class NumberKind : uint8_t { kPlain, kDate, kTime, kDateTime, kPercent };
// The kind a number format code shows ("dd/mm/yyyy", "0.0%", "[h]:mm"): its first section's
// date and time parts outside quoted text, escapes and [brackets], or a percent sign.
NumberKind NumberKindOfFormatCode(std::string_view code);
// The kind of one of Excel's built-in number formats (numFmtId 0-163).
NumberKind NumberKindOfBuiltInFormat(int id);
// The shortest form at spreadsheet precision (15 digits): 0.30000000000000004 is "0.3".
std::string FormatNumber(double value);
// A date serial number as ISO 8601 ("2024-01-15", "12:00", "2024-01-15 18:00"), 1900 or
// 1904 date system; out of range: FormatNumber.
std::string FormatDateSerial(double serial, NumberKind kind, bool date1904);

// Title, author, "created" and "modified" from docProps/core.xml or ODF meta.xml. Returns
// the reader's error, "" when the part was read whole.
std::string ReadDocumentMetadata(std::string_view xml, std::string_view part, ParsedDocument* out);

// Maps a part reader's error to a crawl-report warning, or "" without an error.
std::string PartWarning(const XmlReader& reader);

}  // namespace wissen::crawler

#include "office_xml.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <mutex>

#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

// Longest table_header kept: it is repeated at the top of every chunk of the table.
constexpr size_t kMaxTableHeaderBytes = 2048;
// Cells written per document, and per row (Excel's and Calc's column limit).
constexpr size_t kMaxCells = 2'000'000;
constexpr size_t kMaxRowCells = 16384;
// Longest metadata value read (titles and names are cut further by MakeTitle).
constexpr size_t kMaxMetadataBytes = 4096;
constexpr size_t kMaxDateBytes = 64;
// Warnings kept per document: enough to tell what went wrong, never a flood.
constexpr size_t kMaxWarnings = 20;

constexpr std::pair<std::string_view, Ns> kNamespaces[] = {
    {"http://schemas.openxmlformats.org/wordprocessingml/2006/main", Ns::kWord},
    {"http://purl.oclc.org/ooxml/wordprocessingml/main", Ns::kWord},
    {"http://schemas.openxmlformats.org/spreadsheetml/2006/main", Ns::kSheet},
    {"http://purl.oclc.org/ooxml/spreadsheetml/main", Ns::kSheet},
    {"http://schemas.openxmlformats.org/presentationml/2006/main", Ns::kPresentation},
    {"http://purl.oclc.org/ooxml/presentationml/main", Ns::kPresentation},
    {"http://schemas.openxmlformats.org/drawingml/2006/main", Ns::kDrawing},
    {"http://purl.oclc.org/ooxml/drawingml/main", Ns::kDrawing},
    {"http://schemas.openxmlformats.org/officeDocument/2006/relationships", Ns::kRelationships},
    {"http://purl.oclc.org/ooxml/officeDocument/relationships", Ns::kRelationships},
    {"http://schemas.openxmlformats.org/package/2006/relationships", Ns::kPackageRelations},
    {"http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
     Ns::kCoreProperties},
    {"http://purl.org/dc/elements/1.1/", Ns::kDublinCore},
    {"http://purl.org/dc/terms/", Ns::kDcTerms},
    {"http://schemas.openxmlformats.org/markup-compatibility/2006", Ns::kCompatibility},
    {"urn:oasis:names:tc:opendocument:xmlns:office:1.0", Ns::kOffice},
    {"urn:oasis:names:tc:opendocument:xmlns:text:1.0", Ns::kText},
    {"urn:oasis:names:tc:opendocument:xmlns:table:1.0", Ns::kTable},
    {"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", Ns::kDraw},
    {"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0", Ns::kOdfPresentation},
    {"urn:oasis:names:tc:opendocument:xmlns:style:1.0", Ns::kStyle},
    {"urn:oasis:names:tc:opendocument:xmlns:meta:1.0", Ns::kMeta},
    {"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0", Ns::kManifest},
    {"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0", Ns::kSvg},
    {"http://schemas.microsoft.com/office/powerpoint/2018/8/main", Ns::kPowerPointComments},
    {"http://openoffice.org/2009/office", Ns::kOpenOffice},
};

Ns ClassifyUri(const xmlChar* uri) {
  if (uri == nullptr) return Ns::kNone;
  const std::string_view text(reinterpret_cast<const char*>(uri));
  for (const auto& [known, ns] : kNamespaces) {
    if (text == known) return ns;
  }
  return Ns::kOther;
}

// Heading style names in the languages Word localises style ids into ("heading 1" is the
// built-in name in every language; ids follow the UI language).
constexpr std::string_view kHeadingStylePrefixes[] = {
    "heading", "berschrift", "titre",  "ttulo",   "titolo",    "kop",
    "nagwek",  "rubrik",     "nadpis", "otsikko", "overskrift"};
constexpr std::string_view kTitleStyles[] = {"title", "titel", "titre", "ttulo", "titolo", "tytu"};

std::string StyleKey(std::string_view name) {
  std::string key;
  for (const char c : name.substr(0, 256)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      key += c;
    } else if (c >= 'A' && c <= 'Z') {
      key += static_cast<char>(c - 'A' + 'a');
    }
  }
  return key;
}

std::string TwoDigits(int64_t value) {
  return std::string(value < 10 ? "0" : "") + std::to_string(value);
}

// Keeps the line of the first error for the report; libxml2 must print nothing.
void RecordError(void* user_data, xmlErrorPtr error) {
  auto* line = static_cast<int*>(user_data);
  if (*line == 0 && error != nullptr) *line = std::max(error->line, 1);
}

void DropGenericError(void* /*context*/, const char* /*format*/, ...) {}
void DropStructuredError(void* /*context*/, xmlErrorPtr /*error*/) {}

}  // namespace

// Replaces the calling thread's libxml2 error handlers and restores them; readers nest.
struct XmlReader::Silence {
  Silence()
      : generic(xmlGenericError),
        generic_context(xmlGenericErrorContext),
        structured(xmlStructuredError),
        structured_context(xmlStructuredErrorContext) {
    xmlSetGenericErrorFunc(nullptr, DropGenericError);
    xmlSetStructuredErrorFunc(nullptr, DropStructuredError);
  }
  ~Silence() {
    xmlSetGenericErrorFunc(generic_context, generic);
    xmlSetStructuredErrorFunc(structured_context, structured);
  }
  Silence(const Silence&) = delete;
  Silence& operator=(const Silence&) = delete;

  xmlGenericErrorFunc generic;
  void* generic_context;
  xmlStructuredErrorFunc structured;
  void* structured_context;
};

// ---- XmlReader -------------------------------------------------------------------------------

XmlReader::XmlReader(std::string_view xml, std::string_view part) : part_(part) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { xmlInitParser(); });
  silence_ = std::make_unique<Silence>();
  if (xml.size() > static_cast<size_t>(INT_MAX)) {
    error_ = "XML part " + part_ + " is too large";
    return;
  }
  // No XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD or XML_PARSE_HUGE.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  reader_ = xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, options);
  if (reader_ == nullptr) {
    error_ = "unreadable XML part " + part_;
    return;
  }
  xmlTextReaderSetStructuredErrorHandler(reader_, RecordError, &error_line_);
}

XmlReader::~XmlReader() {
  if (reader_ != nullptr) xmlFreeTextReader(reader_);
}

Ns XmlReader::Classify(const unsigned char* uri) {
  if (uri == nullptr) return Ns::kNone;
  // Element namespace URIs are interned in the reader's dictionary: one pointer per URI.
  for (const auto& [known, ns] : ns_cache_) {
    if (known == uri) return ns;
  }
  const Ns ns = ClassifyUri(uri);
  if (ns_cache_.size() < 32) ns_cache_.emplace_back(uri, ns);
  return ns;
}

void XmlReader::LoadElement() {
  ns_ = Classify(xmlTextReaderConstNamespaceUri(reader_));
  const xmlChar* name = xmlTextReaderConstLocalName(reader_);
  name_ = name == nullptr ? std::string_view() : reinterpret_cast<const char*>(name);
}

bool XmlReader::Next() {
  if (pending_end_) {
    pending_end_ = false;
    event_ = Event::kEnd;
    return true;
  }
  if (reader_ == nullptr || !error_.empty()) return false;
  int rc = positioned_ ? rc_ : xmlTextReaderRead(reader_);
  positioned_ = false;
  for (; rc == 1; rc = xmlTextReaderRead(reader_)) {
    switch (xmlTextReaderNodeType(reader_)) {
      case XML_READER_TYPE_ELEMENT:
        event_ = Event::kStart;
        LoadElement();
        pending_end_ = xmlTextReaderIsEmptyElement(reader_) == 1;
        return true;
      case XML_READER_TYPE_END_ELEMENT:
        event_ = Event::kEnd;
        LoadElement();
        return true;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_WHITESPACE:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
        const xmlChar* value = xmlTextReaderConstValue(reader_);
        if (value == nullptr) break;
        event_ = Event::kText;
        text_ = reinterpret_cast<const char*>(value);
        return true;
      }
      case XML_READER_TYPE_DOCUMENT_TYPE:
        error_ = "XML part " + part_ + " declares a DTD, which Office documents never do";
        return false;
      default:  // comments, processing instructions, entity references: no content
        break;
    }
  }
  if (rc < 0) {
    error_ = "malformed XML in " + part_;
    if (error_line_ > 0) error_ += " at line " + std::to_string(error_line_);
  }
  return false;
}

void XmlReader::Skip() {
  if (event_ != Event::kStart) return;
  if (pending_end_) {
    pending_end_ = false;
    return;
  }
  if (reader_ == nullptr || !error_.empty()) return;
  rc_ = xmlTextReaderNext(reader_);
  positioned_ = true;
}

std::optional<std::string> XmlReader::Attr(Ns ns, std::string_view name) const {
  if (event_ != Event::kStart || reader_ == nullptr) return std::nullopt;
  const xmlNode* node = xmlTextReaderCurrentNode(reader_);
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return std::nullopt;
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name == nullptr || name != reinterpret_cast<const char*>(attr->name)) continue;
    if (ClassifyUri(attr->ns == nullptr ? nullptr : attr->ns->href) != ns) continue;
    std::string value;
    for (const xmlNode* child = attr->children; child != nullptr; child = child->next) {
      if (child->type == XML_TEXT_NODE && child->content != nullptr) {
        value.append(reinterpret_cast<const char*>(child->content));
      }
    }
    return value;
  }
  return std::nullopt;
}

std::string PartWarning(const XmlReader& reader) {
  if (reader.error().empty()) return "";
  return reader.error() + "; the rest of that part was skipped";
}

// ---- raw text --------------------------------------------------------------------------------

void AppendText(std::string* raw, std::string_view text, size_t cap) {
  if (raw->size() >= cap) return;
  const size_t start = raw->size();
  raw->append(Utf8Prefix(text, cap - start));
  for (size_t i = start; i < raw->size(); ++i) {
    char& c = (*raw)[i];
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
}

void AppendLineBreak(std::string* raw, size_t cap) {
  if (raw->size() < cap) raw->push_back('\n');
}

// ---- BlockBuilder ----------------------------------------------------------------------------

std::vector<std::string> BlockBuilder::Path() const {
  std::vector<std::string> path;
  path.reserve(headings_.size());
  for (const auto& [level, heading] : headings_) path.push_back(heading);
  return path;
}

void BlockBuilder::SetPage(int page) {
  if (page == page_) return;
  Flush();
  page_ = page;
}

void BlockBuilder::SetPath(std::vector<std::string> path) {
  Flush();
  headings_.clear();
  for (std::string& part : path) {
    std::string heading = MakeTitle(part);
    if (!heading.empty()) {
      headings_.emplace_back(static_cast<int>(headings_.size()) + 1, std::move(heading));
    }
  }
}

void BlockBuilder::Heading(int level, std::string_view raw) {
  std::string heading = MakeTitle(raw);
  if (heading.empty()) return;
  Flush();
  while (!headings_.empty() && headings_.back().first >= level) headings_.pop_back();
  headings_.emplace_back(level, std::move(heading));
}

void BlockBuilder::Paragraph(std::string_view raw) {
  text_.ParagraphBreak();
  text_.AddLines(raw);
}

void BlockBuilder::TitleParagraph(std::string_view raw) {
  std::string title = MakeTitle(raw);
  if (out_->title.empty()) {
    out_->title = std::move(title);
  } else if (title != out_->title) {
    Paragraph(raw);
  }
}

void BlockBuilder::Flush() {
  if (text_.empty()) return;
  Block block;
  block.heading_path = Path();
  block.page = page_;
  block.text = text_.Take();
  out_->blocks.push_back(std::move(block));
}

void BlockBuilder::Warn(std::string warning) {
  if (warning.empty() || out_->warnings.size() >= kMaxWarnings) return;
  if (std::find(out_->warnings.begin(), out_->warnings.end(), warning) != out_->warnings.end()) {
    return;
  }
  out_->warnings.push_back(std::move(warning));
}

void BlockBuilder::BeginTable() {
  if (in_table_) return;
  Flush();
  in_table_ = true;
  table_has_rows_ = false;
  row_.clear();
  row_bytes_ = 0;
}

void BlockBuilder::Cell(std::string_view raw, size_t repeat) {
  if (!in_table_ || full()) return;
  size_t unlimited = SIZE_MAX;
  TextBuilder normalized(&unlimited);
  normalized.AddText(raw);
  std::string cell = normalized.Take();
  if (cell.empty()) return;
  for (size_t i = 0; i < repeat && row_.size() < kMaxRowCells && row_bytes_ <= budget_; ++i) {
    row_bytes_ += cell.size() + 3;
    row_.push_back(cell);
  }
}

void BlockBuilder::EndRow(size_t repeat) {
  if (!in_table_ || row_.empty()) return;
  std::string line;
  for (const std::string& cell : row_) {
    if (!line.empty()) line += " | ";
    line += cell;
  }
  const size_t row_cells = row_.size();
  row_.clear();
  row_bytes_ = 0;
  for (size_t i = 0; i < repeat && !full(); ++i) {
    if (cells_ + row_cells > kMaxCells) {
      Warn("only the first " + std::to_string(kMaxCells) + " table cells were read");
      return;
    }
    cells_ += row_cells;
    table_has_rows_ = true;
    table_.LineBreak();
    table_.AddText(line);
  }
}

void BlockBuilder::EndTable() {
  if (!in_table_) return;
  EndRow();
  in_table_ = false;
  if (table_.empty()) return;
  Block block;
  block.heading_path = Path();
  block.page = page_;
  block.table = true;
  block.text = table_.Take();
  const std::string_view first_row = std::string_view(block.text).substr(0, block.text.find('\n'));
  block.table_header = std::string(Utf8Prefix(first_row, kMaxTableHeaderBytes));
  out_->blocks.push_back(std::move(block));
}

// ---- slides ----------------------------------------------------------------------------------

void EmitSlide(const SlideContent& slide, int number, BlockBuilder* builder) {
  builder->SetPage(number);
  std::vector<std::string> path;
  if (std::string title = MakeTitle(slide.title); !title.empty()) path.push_back(title);
  builder->SetPath(std::move(path));
  for (const SlideContent::Item& item : slide.items) {
    if (item.rows.empty()) {
      builder->Paragraph(item.paragraph);
      continue;
    }
    builder->BeginTable();
    for (const auto& row : item.rows) {
      for (const std::string& cell : row) builder->Cell(cell);
      builder->EndRow();
    }
    builder->EndTable();
  }
  for (const std::string& note : slide.notes) builder->Paragraph(note);
  for (const std::string& comment : slide.comments) builder->Paragraph(comment);
  builder->Flush();
}

// ---- style names ----------------------------------------------------------------------------

int HeadingLevelOfStyleName(std::string_view name) {
  const std::string key = StyleKey(name);
  if (key.size() < 2) return 0;
  const char digit = key.back();
  if (digit < '1' || digit > '9') return 0;
  const std::string_view prefix = std::string_view(key).substr(0, key.size() - 1);
  for (const std::string_view known : kHeadingStylePrefixes) {
    if (prefix == known) return digit - '0';
  }
  return 0;
}

bool IsTitleStyleName(std::string_view name) {
  const std::string key = StyleKey(name);
  return std::find(std::begin(kTitleStyles), std::end(kTitleStyles), key) != std::end(kTitleStyles);
}

// ---- spreadsheet values ---------------------------------------------------------------------

NumberKind NumberKindOfFormatCode(std::string_view code) {
  std::string lower = LowerAscii(code.substr(0, 256));
  for (size_t at = lower.find("general"); at != std::string::npos; at = lower.find("general")) {
    lower.erase(at, 7);
  }
  bool date = false, time = false, month_or_minute = false, percent = false;
  bool quoted = false, bracket = false, escaped = false;
  for (const char c : lower) {
    if (escaped) {
      escaped = false;
    } else if (quoted) {
      quoted = c != '"';
    } else if (bracket) {
      bracket = c != ']';
      if (c == 'h' || c == 's') time = true;  // [h]:mm elapsed time
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[') {
      bracket = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      escaped = true;
    } else if (c == ';') {
      break;  // the first section decides
    } else {
      switch (c) {
        case 'y':
        case 'd':
          date = true;
          break;
        case 'h':
        case 's':
          time = true;
          break;
        case 'm':
          month_or_minute = true;
          break;
        case '%':
          percent = true;
          break;
        default:
          break;
      }
    }
  }
  if (month_or_minute && !time) date = true;
  if (date && time) return NumberKind::kDateTime;
  if (date) return NumberKind::kDate;
  if (time) return NumberKind::kTime;
  return percent ? NumberKind::kPercent : NumberKind::kPlain;
}

NumberKind NumberKindOfBuiltInFormat(int id) {
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 58)) {
    return NumberKind::kDate;
  }
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47)) {
    return NumberKind::kTime;
  }
  if (id == 22) return NumberKind::kDateTime;
  if (id == 9 || id == 10) return NumberKind::kPercent;
  return NumberKind::kPlain;
}

std::string FormatNumber(double value) {
  if (std::isfinite(value) && std::fabs(value) < 1e15 && value == std::trunc(value)) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 15);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

// 1900 system: day 1 is 1900-01-01 and day 60 the 29 February 1900 Lotus 1-2-3 believed in;
// 1904 system: day 0 is 1904-01-01.
std::string FormatDateSerial(double serial, NumberKind kind, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958466) return FormatNumber(serial);
  int64_t days = static_cast<int64_t>(std::floor(serial));
  int64_t seconds = std::llround((serial - static_cast<double>(days)) * 86400.0);
  if (seconds >= 86400) {
    ++days;
    seconds -= 86400;
  }
  std::string out;
  if (kind != NumberKind::kTime) {
    // Days since 1970-01-01, then the civil date (H. Hinnant's algorithm).
    int64_t z = date1904 ? days - 24107 : (days < 60 ? days - 25568 : days - 25569);
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    out = std::to_string(year) + "-" + TwoDigits(month) + "-" + TwoDigits(day);
  }
  if (kind == NumberKind::kTime || (kind == NumberKind::kDateTime && seconds > 0)) {
    if (!out.empty()) out += ' ';
    out += TwoDigits(seconds / 3600) + ":" + TwoDigits(seconds / 60 % 60);
    if (seconds % 60 != 0) out += ":" + TwoDigits(seconds % 60);
  }
  return out;
}

// ---- metadata --------------------------------------------------------------------------------

std::string ReadDocumentMetadata(std::string_view xml, std::string_view part, ParsedDocument* out) {
  XmlReader reader(xml, part);
  std::string title, creator, initial_creator, created, modified;
  std::string* field = nullptr;
  while (reader.Next()) {
    switch (reader.event()) {
      case XmlReader::Event::kStart:
        field = nullptr;
        if (reader.Is(Ns::kDublinCore, "title")) {
          field = &title;
        } else if (reader.Is(Ns::kDublinCore, "creator")) {
          field = &creator;  // OOXML: the author; ODF: who saved it last
        } else if (reader.Is(Ns::kMeta, "initial-creator")) {
          field = &initial_creator;
        } else if (reader.Is(Ns::kDcTerms, "created") || reader.Is(Ns::kMeta, "creation-date")) {
          field = &created;
        } else if (reader.Is(Ns::kDcTerms, "modified") || reader.Is(Ns::kDublinCore, "date")) {
          field = &modified;
        }
        if (field != nullptr && !field->empty()) field = nullptr;  // the first one counts
        break;
      case XmlReader::Event::kText:
        if (field != nullptr) AppendText(field, reader.text(), kMaxMetadataBytes);
        break;
      case XmlReader::Event::kEnd:
        field = nullptr;
        break;
    }
  }
  out->title = MakeTitle(title);
  out->author = MakeTitle(initial_creator.empty() ? creator : initial_creator);
  const auto add_date = [out](const char* key, std::string_view value) {
    value = Utf8Prefix(TrimAscii(value), kMaxDateBytes);
    if (!value.empty()) out->metadata.emplace_back(key, std::string(value));
  };
  add_date("created", created);
  add_date("modified", modified);
  return reader.error();
}

}  // namespace wissen::crawler

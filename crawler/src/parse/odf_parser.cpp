// OpenDocument: text (.odt), spreadsheet (.ods) and presentation (.odp) packages.
//
// The three share content.xml's vocabulary (text:p, table:table, draw:frame), so one reader
// walks all of them and only decides differently where blocks start: at headings (text), at
// sheets, at slides.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "office_parser.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr size_t kMaxStyles = 10000;
constexpr int kMaxStyleChain = 16;
constexpr size_t kMaxMimetypeBytes = 200;
// Repeats of a slide table's row or cell; sheets use the builder's table limits.
constexpr size_t kMaxSlideRepeat = 64;

constexpr char kTextMime[] = "application/vnd.oasis.opendocument.text";
constexpr char kSpreadsheetMime[] = "application/vnd.oasis.opendocument.spreadsheet";
constexpr char kPresentationMime[] = "application/vnd.oasis.opendocument.presentation";

enum class Kind { kText, kSpreadsheet, kPresentation };

size_t ParseCount(const std::optional<std::string>& value) {
  if (!value) return 1;
  size_t count = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), count);
  return ec == std::errc() && count > 0 ? count : 1;
}

// Paragraph styles (styles.xml and content.xml's automatic styles): heading outline levels
// and the title style, through their parent styles.
class OdfStyles {
 public:
  // At a style:style start tag.
  void Add(const XmlReader& reader) {
    if (reader.Attr(Ns::kStyle, "family").value_or("") != "paragraph") return;
    auto name = reader.Attr(Ns::kStyle, "name");
    if (!name || styles_.size() >= kMaxStyles) return;
    Style& style = styles_[*name];
    style.parent = reader.Attr(Ns::kStyle, "parent-style-name").value_or("");
    const std::string level = reader.Attr(Ns::kStyle, "default-outline-level").value_or("");
    style.outline_level = 0;
    std::from_chars(level.data(), level.data() + level.size(), style.outline_level);
    style.title = IsTitleStyleName(*name) ||
                  IsTitleStyleName(reader.Attr(Ns::kStyle, "display-name").value_or(""));
  }

  void Read(std::string_view xml, std::string_view part, BlockBuilder* builder) {
    XmlReader reader(xml, part);
    while (reader.Next()) {
      if (reader.event() == XmlReader::Event::kStart && reader.Is(Ns::kStyle, "style")) {
        Add(reader);
        reader.Skip();
      }
    }
    builder->Warn(PartWarning(reader));
  }

  // A heading level 1-10, or 0 for body text.
  int Level(const std::string& name) const {
    const Style* style = Find(name, [](const Style& s) { return s.outline_level > 0; });
    return style == nullptr ? 0 : std::min(style->outline_level, 10);
  }
  bool IsTitle(const std::string& name) const {
    return Find(name, [](const Style& s) { return s.title; }) != nullptr;
  }

 private:
  struct Style {
    std::string parent;
    int outline_level = 0;
    bool title = false;
  };

  template <typename Predicate>
  const Style* Find(const std::string& name, Predicate predicate) const {
    std::string current = name;
    for (int hop = 0; hop < kMaxStyleChain && !current.empty(); ++hop) {
      auto it = styles_.find(current);
      if (it == styles_.end()) return nullptr;
      if (predicate(it->second)) return &it->second;
      current = it->second.parent;
    }
    return nullptr;
  }

  std::unordered_map<std::string, Style> styles_;
};

// Walks content.xml's office:body.
class OdfBody {
 public:
  OdfBody(Kind kind, OdfStyles* styles, const ParseOptions& options, BlockBuilder* builder,
          ParsedDocument* out)
      : kind_(kind), styles_(styles), options_(options), builder_(builder), out_(out) {}

  void Read(XmlReader& reader) {
    while (reader.Next() && !builder_->full()) {
      switch (reader.event()) {
        case XmlReader::Event::kStart:
          Start(reader);
          break;
        case XmlReader::Event::kText:
          if (!paragraphs_.empty()) {
            AppendText(&paragraphs_.back().raw, reader.text(), Cap());
          }
          break;
        case XmlReader::Event::kEnd:
          End();
          break;
      }
    }
  }

 private:
  enum Tag : uint8_t {
    kOther,
    kParagraph,
    kTable,
    kRow,
    kCell,
    kSlide,
    kNotes,
    kTitleFrame,
    kAnnotation
  };

  struct Paragraph {
    std::string raw;
    int level = 0;  // heading level, 0 for body text
    bool title = false;
    int table_depth = 0;
    std::vector<std::string> after;  // notes, comments and text boxes, in order
  };

  size_t Cap() const { return builder_->budget() - std::min(builder_->budget(), slide_.bytes); }

  static bool SkippedText(std::string_view name) {
    // Generated text (indexes, list labels, the note's number), deleted text, declarations.
    static constexpr std::string_view kSkipped[] = {
        "note-citation",        "tracked-changes", "table-of-content", "alphabetical-index",
        "illustration-index",   "table-index",     "object-index",     "user-index",
        "bibliography",         "sequence-decls",  "variable-decls",   "user-field-decls",
        "dde-connection-decls", "number",          "index-title"};
    return std::find(std::begin(kSkipped), std::end(kSkipped), name) != std::end(kSkipped);
  }

  static bool SkippedTable(std::string_view name) {
    static constexpr std::string_view kSkipped[] = {"table-column",         "table-columns",
                                                    "table-header-columns", "table-column-group",
                                                    "named-expressions",    "database-ranges",
                                                    "calculation-settings", "content-validations",
                                                    "label-ranges",         "data-pilot-tables",
                                                    "consolidation",        "dde-links",
                                                    "tracked-changes",      "shapes",
                                                    "table-source",         "scenario"};
    return std::find(std::begin(kSkipped), std::end(kSkipped), name) != std::end(kSkipped);
  }

  void Start(XmlReader& reader) {
    Tag tag = kOther;
    const std::string_view name = reader.name();
    switch (reader.ns()) {
      case Ns::kText:
        if (name == "p" || name == "h") {
          StartParagraph(reader, name == "h");
          tag = kParagraph;
        } else if (name == "s" || name == "tab") {
          if (!paragraphs_.empty()) AppendText(&paragraphs_.back().raw, " ", Cap());
        } else if (name == "line-break") {
          if (!paragraphs_.empty()) AppendLineBreak(&paragraphs_.back().raw, Cap());
        } else if (SkippedText(name)) {
          reader.Skip();
          return;
        }
        break;
      case Ns::kOffice:
      case Ns::kOpenOffice:  // Impress comments
        if (name == "annotation" && options_.office_comments) {
          tag = kAnnotation;
          break;
        }
        if (name == "annotation" || name == "annotation-end" || name == "forms" ||
            name == "event-listeners" || name == "scripts" || name == "settings") {
          reader.Skip();
          return;
        }
        break;
      case Ns::kStyle:
        if (name == "style") styles_->Add(reader);  // content.xml's automatic styles
        reader.Skip();
        return;
      case Ns::kDublinCore:  // a comment's author and date
      case Ns::kMeta:
      case Ns::kSvg:  // alternative text of images and shapes
        reader.Skip();
        return;
      case Ns::kDraw:
        if (name == "image" || name == "object" || name == "object-ole" || name == "applet" ||
            name == "plugin" || name == "floating-frame" || name == "page-thumbnail") {
          reader.Skip();
          return;
        }
        if (name == "page" && kind_ == Kind::kPresentation) {
          slide_ = SlideContent();
          ++slide_number_;
          tag = kSlide;
        } else if (kind_ == Kind::kPresentation) {
          const std::string cls = reader.Attr(Ns::kOdfPresentation, "class").value_or("");
          if (cls == "page-number" || cls == "footer" || cls == "header" || cls == "date-time" ||
              cls == "page" || cls == "handout") {
            reader.Skip();
            return;
          }
          if (cls == "title" && !in_notes_ && slide_.title.empty()) tag = kTitleFrame;
        }
        break;
      case Ns::kOdfPresentation:
        if (name == "notes") {
          in_notes_ = true;
          tag = kNotes;
        } else if (name == "settings") {
          reader.Skip();
          return;
        }
        break;
      case Ns::kTable:
        if (SkippedTable(name)) {
          reader.Skip();
          return;
        }
        if (name == "table") {
          StartTable(reader);
          tag = kTable;
        } else if (name == "table-row") {
          if (table_depth_ == 1) {
            row_repeat_ = ParseCount(reader.Attr(Ns::kTable, "number-rows-repeated"));
            if (kind_ == Kind::kPresentation) slide_rows_.emplace_back();
          }
          tag = kRow;
        } else if (name == "table-cell" || name == "covered-table-cell") {
          if (table_depth_ == 1) StartCell(reader);
          tag = kCell;
        }
        break;
      default:
        break;
    }
    open_.push_back(tag);
  }

  void StartParagraph(const XmlReader& reader, bool heading) {
    Paragraph paragraph;
    paragraph.table_depth = table_depth_;
    const std::string style = reader.Attr(Ns::kText, "style-name").value_or("");
    if (heading) {
      const auto level = reader.Attr(Ns::kText, "outline-level");
      paragraph.level = level ? static_cast<int>(std::min<size_t>(ParseCount(level), 10))
                              : std::max(styles_->Level(style), 1);
    } else {
      paragraph.level = styles_->Level(style);
      paragraph.title = styles_->IsTitle(style);
    }
    paragraphs_.push_back(std::move(paragraph));
  }

  void StartTable(const XmlReader& reader) {
    if (++table_depth_ > 1) return;
    if (kind_ == Kind::kPresentation) {
      slide_rows_.clear();
      return;
    }
    if (kind_ == Kind::kSpreadsheet && paragraphs_.empty()) {
      builder_->SetPath({reader.Attr(Ns::kTable, "name").value_or("")});
    }
    builder_->BeginTable();
  }

  // A cell shows its paragraphs; without them, its value (a formula's cached result).
  void StartCell(const XmlReader& reader) {
    cell_.clear();
    cell_value_.clear();
    cell_repeat_ = ParseCount(reader.Attr(Ns::kTable, "number-columns-repeated"));
    const std::string type = reader.Attr(Ns::kOffice, "value-type").value_or("");
    const char* attribute = type == "date"      ? "date-value"
                            : type == "time"    ? "time-value"
                            : type == "boolean" ? "boolean-value"
                            : type == "string"  ? "string-value"
                                                : "value";
    if (type.empty()) return;
    cell_value_ = reader.Attr(Ns::kOffice, attribute).value_or("");
    if (type == "float" || type == "currency" || type == "percentage") {
      double number = 0;
      const auto [end, ec] =
          std::from_chars(cell_value_.data(), cell_value_.data() + cell_value_.size(), number);
      if (ec == std::errc() && end == cell_value_.data() + cell_value_.size()) {
        cell_value_ =
            type == "percentage" ? FormatNumber(number * 100) + "%" : FormatNumber(number);
      }
    }
  }

  void End() {
    if (open_.empty()) return;
    const Tag tag = open_.back();
    open_.pop_back();
    switch (tag) {
      case kParagraph:
        EndParagraph();
        break;
      case kCell:
        EndCell();
        break;
      case kRow:
        if (table_depth_ != 1) break;
        if (kind_ == Kind::kPresentation) {
          if (!slide_rows_.empty() && !slide_rows_.back().empty()) {
            const std::vector<std::string> row = slide_rows_.back();
            for (size_t i = 1; i < std::min(row_repeat_, kMaxSlideRepeat); ++i) {
              slide_rows_.push_back(row);
            }
          }
        } else {
          builder_->EndRow(row_repeat_);
        }
        break;
      case kTable:
        if (table_depth_ == 1) EndTable();
        if (table_depth_ > 0) --table_depth_;
        break;
      case kNotes:
        in_notes_ = false;
        break;
      case kSlide:
        if (out_->title.empty() && slide_number_ == 1) out_->title = MakeTitle(slide_.title);
        EmitSlide(slide_, slide_number_, builder_);
        slide_ = SlideContent();
        break;
      default:
        break;
    }
  }

  void EndCell() {
    if (table_depth_ != 1) {
      AppendText(&cell_, " ", Cap());  // a nested table flows into its cell
      return;
    }
    const std::string& text = TrimAscii(cell_).empty() ? cell_value_ : cell_;
    if (kind_ == Kind::kPresentation) {
      if (slide_rows_.empty()) slide_rows_.emplace_back();
      for (size_t i = 0; i < std::min(cell_repeat_, kMaxSlideRepeat); ++i) {
        slide_rows_.back().push_back(text);
        slide_.bytes += text.size();
      }
    } else {
      builder_->Cell(text, cell_repeat_);
    }
    cell_.clear();
  }

  void EndTable() {
    if (kind_ != Kind::kPresentation) {
      builder_->EndTable();
      for (const std::string& comment : sheet_comments_) builder_->Paragraph(comment);
      builder_->Flush();
      sheet_comments_.clear();
      sheet_comments_bytes_ = 0;
      return;
    }
    SlideContent::Item item;
    for (auto& row : slide_rows_) {
      if (!row.empty()) item.rows.push_back(std::move(row));
    }
    slide_rows_.clear();
    if (!item.rows.empty()) slide_.items.push_back(std::move(item));
  }

  bool InTitleFrame() const {
    return std::find(open_.begin(), open_.end(), kTitleFrame) != open_.end();
  }

  void EndParagraph() {
    if (paragraphs_.empty()) return;
    Paragraph paragraph = std::move(paragraphs_.back());
    paragraphs_.pop_back();
    if (kind_ == Kind::kSpreadsheet && paragraphs_.empty() &&
        std::find(open_.begin(), open_.end(), kAnnotation) != open_.end()) {
      // A cell's comment: after the sheet's table, like those of .xlsx files.
      if (sheet_comments_bytes_ < Cap()) {
        sheet_comments_bytes_ += paragraph.raw.size();
        sheet_comments_.push_back(std::move(paragraph.raw));
      }
      return;
    }
    if (paragraph.table_depth > 0) {
      AppendText(&cell_, paragraph.raw, Cap());
      for (const std::string& text : paragraph.after) {
        AppendText(&cell_, " ", Cap());
        AppendText(&cell_, text, Cap());
      }
      AppendText(&cell_, " ", Cap());
      return;
    }
    if (!paragraphs_.empty()) {  // a note, comment or text box inside another paragraph
      Paragraph& outer = paragraphs_.back();
      outer.after.push_back(std::move(paragraph.raw));
      for (std::string& text : paragraph.after) outer.after.push_back(std::move(text));
      return;
    }
    if (kind_ == Kind::kPresentation) {
      EndSlideParagraph(std::move(paragraph));
      return;
    }
    if (paragraph.level > 0) {
      builder_->Heading(paragraph.level, paragraph.raw);
    } else if (paragraph.title) {
      builder_->TitleParagraph(paragraph.raw);
    } else {
      builder_->Paragraph(paragraph.raw);
    }
    for (const std::string& text : paragraph.after) builder_->Paragraph(text);
  }

  void EndSlideParagraph(Paragraph paragraph) {
    std::vector<std::string> texts;
    texts.push_back(std::move(paragraph.raw));
    for (std::string& text : paragraph.after) texts.push_back(std::move(text));
    for (std::string& text : texts) {
      if (TrimAscii(text).empty()) continue;
      slide_.bytes += text.size();
      if (std::find(open_.begin(), open_.end(), kAnnotation) != open_.end()) {
        slide_.comments.push_back(std::move(text));
      } else if (in_notes_) {
        slide_.notes.push_back(std::move(text));
      } else if (InTitleFrame()) {
        if (!slide_.title.empty()) slide_.title += ' ';
        slide_.title += text;
      } else {
        slide_.items.push_back({std::move(text), {}});
      }
    }
  }

  const Kind kind_;
  OdfStyles* styles_;
  const ParseOptions& options_;
  BlockBuilder* builder_;
  ParsedDocument* out_;
  std::vector<Tag> open_;
  std::vector<Paragraph> paragraphs_;
  int table_depth_ = 0;
  std::string cell_;
  std::string cell_value_;
  size_t cell_repeat_ = 1;
  size_t row_repeat_ = 1;
  std::vector<std::string> sheet_comments_;
  size_t sheet_comments_bytes_ = 0;
  // Presentations.
  SlideContent slide_;
  int slide_number_ = 0;
  bool in_notes_ = false;
  std::vector<std::vector<std::string>> slide_rows_;
};

// The package's media type, and whether META-INF/manifest.xml lists encrypted parts.
struct Manifest {
  std::string media_type;
  bool encrypted = false;
};

Manifest ReadManifest(std::string_view xml, BlockBuilder* builder) {
  Manifest manifest;
  XmlReader reader(xml, "META-INF/manifest.xml");
  while (reader.Next()) {
    if (reader.event() != XmlReader::Event::kStart || reader.ns() != Ns::kManifest) continue;
    if (reader.name() == "encryption-data") {
      manifest.encrypted = true;
    } else if (reader.name() == "file-entry" &&
               reader.Attr(Ns::kManifest, "full-path").value_or("") == "/") {
      manifest.media_type = reader.Attr(Ns::kManifest, "media-type").value_or("");
    }
  }
  builder->Warn(PartWarning(reader));
  return manifest;
}

}  // namespace

Result<ParsedDocument> ParseOdf(ZipReader& zip, const ParseOptions& options) {
  ParsedDocument parsed;
  BlockBuilder builder(&parsed);

  auto manifest_xml = ReadOptionalPart(zip, "META-INF/manifest.xml", &builder);
  if (!manifest_xml) return Fail(manifest_xml.error());
  Manifest manifest;
  if (manifest_xml->has_value()) manifest = ReadManifest(**manifest_xml, &builder);
  if (manifest.encrypted) {
    return Fail(ErrorCode::kUnsupported, "password-protected Office document");
  }
  auto mimetype = ReadOptionalPart(zip, "mimetype", &builder);
  if (!mimetype) return Fail(mimetype.error());
  std::string media_type = manifest.media_type;
  if (mimetype->has_value() && (*mimetype)->size() <= kMaxMimetypeBytes) {
    media_type = std::string(TrimAscii(**mimetype));
  }

  constexpr std::string_view kOdfPrefix = "application/vnd.oasis.opendocument.";
  Kind kind;
  if (media_type.starts_with(kTextMime)) {  // also -template and -master
    kind = Kind::kText;
    parsed.mime = kTextMime;
  } else if (media_type.starts_with(kSpreadsheetMime)) {
    kind = Kind::kSpreadsheet;
    parsed.mime = kSpreadsheetMime;
  } else if (media_type.starts_with(kPresentationMime)) {
    kind = Kind::kPresentation;
    parsed.mime = kPresentationMime;
  } else if (media_type.starts_with(kOdfPrefix)) {
    return Fail(ErrorCode::kUnsupported,
                "OpenDocument " +
                    SanitizeUtf8(Utf8Prefix(media_type.substr(kOdfPrefix.size()), 40)) +
                    " files are not supported, only text, spreadsheets and presentations");
  } else {
    return Fail(ErrorCode::kUnsupported, "zip archive that is not an Office document");
  }

  auto meta = ReadOptionalPart(zip, "meta.xml", &builder);
  if (!meta) return Fail(meta.error());
  if (meta->has_value()) {
    if (std::string error = ReadDocumentMetadata(**meta, "meta.xml", &parsed); !error.empty()) {
      builder.Warn(error + "; the rest of that part was skipped");
    }
  }
  OdfStyles styles;
  auto styles_xml = ReadOptionalPart(zip, "styles.xml", &builder);
  if (!styles_xml) return Fail(styles_xml.error());
  if (styles_xml->has_value()) styles.Read(**styles_xml, "styles.xml", &builder);

  auto content = ReadMainPart(zip, "content.xml", &builder);
  if (!content) return Fail(content.error());
  XmlReader reader(*content, "content.xml");
  OdfBody(kind, &styles, options, &builder, &parsed).Read(reader);
  return FinishDocument(reader, &builder, &parsed);
}

}  // namespace wissen::crawler

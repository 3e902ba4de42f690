// Office Open XML: Word (.docx), Excel (.xlsx) and PowerPoint (.pptx) packages.
//
// Parts are found the way Office finds them, through relationships (_rels/*.rels) starting
// at the package's officeDocument relationship, never by listing the archive; so only known
// XML parts are read, and macros (vbaProject.bin), embedded objects and media never are.
#include <algorithm>
#include <charconv>
#include <cstdint>
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
constexpr size_t kMaxCellValueBytes = 128 * 1024;
// Shared strings kept for an .xlsx; the text budget would drop the rest anyway.
constexpr size_t kMaxSharedStringBytes = 2 * kMaxDocumentTextBytes;
constexpr size_t kMaxSharedStrings = 4'000'000;

constexpr char kWordMime[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr char kExcelMime[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr char kPowerPointMime[] =
    "application/vnd.openxmlformats-officedocument.presentationml.presentation";

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// ---- Word ----------------------------------------------------------------------------------

// w:outlineLvl: 0-8 are heading levels 1-9, 9 is body text.
int OutlineLevel(std::string_view value) {
  int level = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), level);
  if (ec != std::errc() || level < 0) return 0;
  return level <= 8 ? level + 1 : 0;
}

// Paragraph styles from word/styles.xml: which are headings (of what level) and the title.
class WordStyles {
 public:
  void Read(std::string_view xml, std::string_view part, BlockBuilder* builder) {
    XmlReader reader(xml, part);
    Style* style = nullptr;
    while (reader.Next()) {
      if (reader.event() == XmlReader::Event::kEnd) {
        if (reader.Is(Ns::kWord, "style")) style = nullptr;
        continue;
      }
      if (reader.event() != XmlReader::Event::kStart || reader.ns() != Ns::kWord) continue;
      const std::string_view name = reader.name();
      if (name == "style") {
        const std::string type = reader.Attr(Ns::kWord, "type").value_or("paragraph");
        const auto id = reader.Attr(Ns::kWord, "styleId");
        if (type != "paragraph" || !id || styles_.size() >= kMaxStyles) {
          reader.Skip();
          continue;
        }
        style = &styles_.try_emplace(*id).first->second;
      } else if (name == "pPrChange" || name == "rPr" || name == "tblPr") {
        reader.Skip();
      } else if (style != nullptr && name == "name") {
        style->name = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (style != nullptr && name == "basedOn") {
        style->based_on = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (style != nullptr && name == "outlineLvl") {
        style->outline_level = OutlineLevel(reader.Attr(Ns::kWord, "val").value_or(""));
      }
    }
    builder->Warn(PartWarning(reader));
  }

  // Heading level 1-9 of a paragraph style, 0 for body text: the style's outline level,
  // else its name or id, else the style it is based on.
  int Level(const std::string& id) const {
    std::string current = id;
    for (int hop = 0; hop < kMaxStyleChain && !current.empty(); ++hop) {
      auto it = styles_.find(current);
      if (it == styles_.end()) return HeadingLevelOfStyleName(current);
      const Style& style = it->second;
      if (style.outline_level >= 0) return style.outline_level;
      if (int level = HeadingLevelOfStyleName(style.name); level > 0) return level;
      if (int level = HeadingLevelOfStyleName(current); level > 0) return level;
      current = style.based_on;
    }
    return 0;
  }

  bool IsTitle(const std::string& id) const {
    if (id.empty()) return false;
    auto it = styles_.find(id);
    return IsTitleStyleName(id) || (it != styles_.end() && IsTitleStyleName(it->second.name));
  }

 private:
  struct Style {
    std::string name;
    std::string based_on;
    int outline_level = -1;  // -1: not set; 0: body text; 1-9: heading level
  };
  std::unordered_map<std::string, Style> styles_;
};

// What HandleRunContent did with a start tag.
enum class RunContent {
  kNone,     // nothing: the caller handles the element
  kSkipped,  // skipped with its content and end tag
  kHandled,  // text appended to the paragraph; the end tag follows
};

// Shared by the body and the notes: run-level content of WordprocessingML.
RunContent HandleRunContent(XmlReader& reader, bool in_run, std::string* raw, size_t cap) {
  if (reader.Is(Ns::kCompatibility, "Fallback")) {  // the same content as mc:Choice
    reader.Skip();
    return RunContent::kSkipped;
  }
  if (reader.ns() != Ns::kWord) return RunContent::kNone;
  const std::string_view name = reader.name();
  // Deleted and moved-away text, field codes, properties and embedded objects: not content.
  if (name == "del" || name == "moveFrom" || name == "instrText" || name == "delText" ||
      name == "delInstrText" || name == "pPrChange" || name == "rPrChange" || name == "rPr" ||
      name == "sectPr" || name == "tblPr" || name == "trPr" || name == "tcPr" ||
      name == "tblGrid" || name == "fldData" || name == "object" || name == "tabs") {
    reader.Skip();
    return RunContent::kSkipped;
  }
  if (!in_run) return RunContent::kNone;
  if (name == "tab" || name == "ptab") {
    AppendText(raw, " ", cap);
  } else if (name == "br" || name == "cr") {
    AppendLineBreak(raw, cap);
  } else if (name == "noBreakHyphen") {
    AppendText(raw, "-", cap);
  } else {
    return RunContent::kNone;
  }
  return RunContent::kHandled;
}

// Footnotes, endnotes or comments by id, each as raw text with a line per paragraph.
std::unordered_map<std::string, std::string> ReadWordNotes(std::string_view xml,
                                                           std::string_view part,
                                                           std::string_view element,
                                                           BlockBuilder* builder) {
  std::unordered_map<std::string, std::string> notes;
  XmlReader reader(xml, part);
  std::string* note = nullptr;
  size_t total = 0;
  int run_depth = 0;
  bool in_text = false;
  while (reader.Next()) {
    const auto event = reader.event();
    if (event == XmlReader::Event::kText) {
      if (note != nullptr && in_text) AppendText(note, reader.text(), builder->budget());
      continue;
    }
    if (event == XmlReader::Event::kEnd) {
      if (reader.ns() != Ns::kWord) continue;
      if (reader.name() == element && note != nullptr) {
        total += note->size();
        note = nullptr;
      } else if (reader.name() == "p" && note != nullptr && !note->empty()) {
        AppendLineBreak(note, builder->budget());
      } else if (reader.name() == "r") {
        --run_depth;
      } else if (reader.name() == "t") {
        in_text = false;
      }
      continue;
    }
    std::string outside;  // run content outside any note: dropped
    if (HandleRunContent(reader, run_depth > 0, note != nullptr ? note : &outside,
                         builder->budget()) != RunContent::kNone) {
      continue;  // the end tags that follow are not "r", "t", "p" or the note's
    }
    if (reader.ns() != Ns::kWord) continue;
    if (reader.name() == element) {
      const auto id = reader.Attr(Ns::kWord, "id");
      if (!id || total >= kMaxDocumentTextBytes) {
        reader.Skip();
        continue;
      }
      note = &notes[*id];
      note->clear();
    } else if (reader.name() == "r") {
      ++run_depth;
    } else if (reader.name() == "t") {
      in_text = true;
    }
  }
  builder->Warn(PartWarning(reader));
  return notes;
}

// word/document.xml's body: paragraphs by style into sections, tables into table blocks.
// Text boxes, footnotes, endnotes and (optionally) comments follow the paragraph that holds
// or references them.
class WordBody {
 public:
  WordBody(const WordStyles& styles, BlockBuilder* builder, ParsedDocument* out)
      : styles_(styles), builder_(builder), out_(out) {}

  std::unordered_map<std::string, std::string> footnotes;
  std::unordered_map<std::string, std::string> endnotes;
  std::unordered_map<std::string, std::string> comments;

  void Read(XmlReader& reader) {
    while (reader.Next()) {
      switch (reader.event()) {
        case XmlReader::Event::kStart:
          Start(reader);
          break;
        case XmlReader::Event::kText:
          if (!open_.empty() && open_.back() == kText && !paragraphs_.empty()) {
            AppendText(&paragraphs_.back().raw, reader.text(), builder_->budget());
          }
          break;
        case XmlReader::Event::kEnd:
          End();
          break;
      }
    }
  }

 private:
  enum Tag : uint8_t { kOther, kParagraph, kTable, kRow, kCell, kRun, kText, kSdt };

  struct Paragraph {
    std::string raw;
    std::string style;
    int outline_level = -1;  // from the paragraph's own w:outlineLvl
    int table_depth = 0;
    std::vector<std::string> after;  // notes, comments and text boxes, in order
  };

  void Start(XmlReader& reader) {
    std::string outside;  // run content outside any paragraph: dropped
    std::string* raw = paragraphs_.empty() ? &outside : &paragraphs_.back().raw;
    const bool in_run = !open_.empty() && open_.back() == kRun;
    switch (HandleRunContent(reader, in_run, raw, builder_->budget())) {
      case RunContent::kSkipped:
        return;
      case RunContent::kHandled:
        open_.push_back(kOther);  // for its end tag
        return;
      case RunContent::kNone:
        break;
    }
    Tag tag = kOther;
    if (reader.ns() == Ns::kWord) {
      const std::string_view name = reader.name();
      if (name == "p") {
        paragraphs_.emplace_back();
        paragraphs_.back().table_depth = table_depth_;
        tag = kParagraph;
      } else if (name == "r") {
        tag = kRun;
      } else if (name == "t") {
        tag = kText;
      } else if (name == "pStyle" && !paragraphs_.empty()) {
        paragraphs_.back().style = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (name == "outlineLvl" && !paragraphs_.empty()) {
        paragraphs_.back().outline_level = OutlineLevel(reader.Attr(Ns::kWord, "val").value_or(""));
      } else if (name == "footnoteReference") {
        AddNote(footnotes, reader.Attr(Ns::kWord, "id"));
      } else if (name == "endnoteReference") {
        AddNote(endnotes, reader.Attr(Ns::kWord, "id"));
      } else if (name == "commentReference") {
        AddNote(comments, reader.Attr(Ns::kWord, "id"));
      } else if (name == "tbl") {
        if (++table_depth_ == 1) builder_->BeginTable();
        tag = kTable;
      } else if (name == "tr") {
        tag = kRow;
      } else if (name == "tc") {
        tag = kCell;
      } else if (name == "sdt") {
        toc_.push_back(false);
        tag = kSdt;
      } else if (name == "docPartGallery" && !toc_.empty()) {
        toc_.back() = Contains(reader.Attr(Ns::kWord, "val").value_or(""), "Table of Contents");
      } else if (name == "sdtContent" && !toc_.empty() && toc_.back()) {
        reader.Skip();  // a table of contents repeats the headings
        return;
      }
    }
    open_.push_back(tag);
  }

  void AddNote(std::unordered_map<std::string, std::string>& notes,
               const std::optional<std::string>& id) {
    if (!id || paragraphs_.empty()) return;
    auto it = notes.find(*id);
    if (it == notes.end()) return;
    paragraphs_.back().after.push_back(std::move(it->second));
    notes.erase(it);  // a note referenced twice is text once
  }

  void End() {
    if (open_.empty()) return;
    const Tag tag = open_.back();
    open_.pop_back();
    switch (tag) {
      case kParagraph:
        EndParagraph();
        break;
      case kTable:
        if (table_depth_ == 1) builder_->EndTable();
        if (table_depth_ > 0) --table_depth_;
        break;
      case kRow:
        if (table_depth_ == 1) builder_->EndRow();
        break;
      case kCell:
        if (table_depth_ == 1) {
          builder_->Cell(cell_);
          cell_.clear();
        } else {
          AppendText(&cell_, " ", builder_->budget());  // a nested table flows into its cell
        }
        break;
      case kSdt:
        if (!toc_.empty()) toc_.pop_back();
        break;
      default:
        break;
    }
  }

  void EndParagraph() {
    if (paragraphs_.empty()) return;
    Paragraph paragraph = std::move(paragraphs_.back());
    paragraphs_.pop_back();
    const size_t cap = builder_->budget();
    if (paragraph.table_depth > 0) {
      AppendText(&cell_, paragraph.raw, cap);
      for (const std::string& text : paragraph.after) {
        AppendText(&cell_, " ", cap);
        AppendText(&cell_, text, cap);
      }
      AppendText(&cell_, " ", cap);
      return;
    }
    if (!paragraphs_.empty()) {  // a text box inside another paragraph
      Paragraph& outer = paragraphs_.back();
      outer.after.push_back(std::move(paragraph.raw));
      for (std::string& text : paragraph.after) outer.after.push_back(std::move(text));
      return;
    }
    int level =
        paragraph.outline_level >= 0 ? paragraph.outline_level : styles_.Level(paragraph.style);
    if (level > 0) {
      builder_->Heading(level, paragraph.raw);
    } else if (styles_.IsTitle(paragraph.style)) {
      std::string title = MakeTitle(paragraph.raw);
      if (out_->title.empty()) {
        out_->title = std::move(title);
      } else if (title != out_->title) {
        builder_->Paragraph(paragraph.raw);
      }
    } else {
      builder_->Paragraph(paragraph.raw);
    }
    for (const std::string& text : paragraph.after) builder_->Paragraph(text);
  }

  const WordStyles& styles_;
  BlockBuilder* builder_;
  ParsedDocument* out_;
  std::vector<Tag> open_;
  std::vector<Paragraph> paragraphs_;
  std::vector<bool> toc_;  // per open w:sdt: whether it is a table of contents
  int table_depth_ = 0;
  std::string cell_;
};

Result<ParsedDocument> ParseWord(ZipReader& zip, const std::string& main,
                                 const ParseOptions& options, ParsedDocument* parsed,
                                 BlockBuilder* builder) {
  parsed->mime = kWordMime;
  auto relationships = ReadRelationships(zip, main, builder);
  if (!relationships) return Fail(relationships.error());
  const auto part_of = [&](std::string_view kind, std::string_view fallback) {
    const Relationship* r = FindKind(*relationships, kind);
    return r != nullptr ? r->target : std::string(fallback);
  };

  WordStyles styles;
  const std::string styles_part = part_of("styles", "word/styles.xml");
  auto styles_xml = ReadOptionalPart(zip, styles_part, builder);
  if (!styles_xml) return Fail(styles_xml.error());
  if (styles_xml->has_value()) styles.Read(**styles_xml, styles_part, builder);

  WordBody body(styles, builder, parsed);
  struct NotesPart {
    std::string_view kind;
    std::string_view fallback;
    std::string_view element;
    std::unordered_map<std::string, std::string>* notes;
  };
  std::vector<NotesPart> notes_parts = {
      {"footnotes", "word/footnotes.xml", "footnote", &body.footnotes},
      {"endnotes", "word/endnotes.xml", "endnote", &body.endnotes}};
  if (options.office_comments) {
    notes_parts.push_back({"comments", "word/comments.xml", "comment", &body.comments});
  }
  for (const NotesPart& notes : notes_parts) {
    const std::string part = part_of(notes.kind, notes.fallback);
    auto xml = ReadOptionalPart(zip, part, builder);
    if (!xml) return Fail(xml.error());
    if (xml->has_value()) *notes.notes = ReadWordNotes(**xml, part, notes.element, builder);
  }

  auto xml = ReadMainPart(zip, main, builder);
  if (!xml) return Fail(xml.error());
  XmlReader reader(*xml, main);
  body.Read(reader);
  return FinishDocument(reader, builder, parsed);
}

// ---- Excel -----------------------------------------------------------------------------------

int ParseInt(std::string_view text, int fallback) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() ? value : fallback;
}

// Number kinds of the cell formats (cellXfs, by index).
std::vector<NumberKind> ReadCellFormats(std::string_view xml, std::string_view part,
                                        BlockBuilder* builder) {
  std::unordered_map<int, NumberKind> custom;
  std::vector<NumberKind> kinds;
  XmlReader reader(xml, part);
  bool in_cell_xfs = false;
  while (reader.Next()) {
    if (reader.ns() != Ns::kSheet) continue;
    if (reader.event() == XmlReader::Event::kEnd) {
      if (reader.name() == "cellXfs") in_cell_xfs = false;
      continue;
    }
    if (reader.event() != XmlReader::Event::kStart) continue;
    if (reader.name() == "numFmt" && custom.size() < kMaxStyles) {
      custom[ParseInt(reader.Attr(Ns::kNone, "numFmtId").value_or(""), -1)] =
          NumberKindOfFormatCode(reader.Attr(Ns::kNone, "formatCode").value_or(""));
    } else if (reader.name() == "cellXfs") {
      in_cell_xfs = true;
    } else if (reader.name() == "xf" && in_cell_xfs && kinds.size() < 65536) {
      const int id = ParseInt(reader.Attr(Ns::kNone, "numFmtId").value_or("0"), 0);
      auto it = custom.find(id);
      kinds.push_back(it != custom.end() ? it->second : NumberKindOfBuiltInFormat(id));
    }
  }
  builder->Warn(PartWarning(reader));
  return kinds;
}

struct Workbook {
  std::vector<std::string> shared_strings;
  std::vector<NumberKind> formats;
  bool date1904 = false;
};

// A cell's text: shared and inline strings, cached formula results, numbers (dates and
// percentages as their format shows them), booleans; errors and formulas without a cached
// value are empty.
std::string CellText(std::string_view type, int format, const std::string& value,
                     std::string& inline_text, const Workbook& workbook) {
  if (type == "s") {
    const int index = ParseInt(value, -1);
    if (index < 0 || static_cast<size_t>(index) >= workbook.shared_strings.size()) return "";
    return workbook.shared_strings[index];
  }
  if (type == "inlineStr") return std::move(inline_text);
  if (type == "str" || type == "d") return value;
  if (type == "b") return value == "1" ? "TRUE" : value == "0" ? "FALSE" : "";
  if (type == "e" || value.empty()) return "";
  const std::string_view trimmed = TrimAscii(value);
  double number = 0;
  const auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  if (ec != std::errc() || end != trimmed.data() + trimmed.size()) return value;
  const NumberKind kind = format >= 0 && static_cast<size_t>(format) < workbook.formats.size()
                              ? workbook.formats[format]
                              : NumberKind::kPlain;
  switch (kind) {
    case NumberKind::kPlain:
      return FormatNumber(number);
    case NumberKind::kPercent:
      return FormatNumber(number * 100) + "%";
    default:
      return FormatDateSerial(number, kind, workbook.date1904);
  }
}

// Text of rich-text containers: xl/sharedStrings.xml's <si> and comments' <text>, without
// phonetic runs (<rPh>).
std::vector<std::string> ReadSheetTexts(std::string_view xml, std::string_view part,
                                        std::string_view element, size_t max_bytes,
                                        BlockBuilder* builder) {
  std::vector<std::string> texts;
  XmlReader reader(xml, part);
  bool in_item = false, in_text = false;
  size_t total = 0;
  while (reader.Next()) {
    const auto event = reader.event();
    if (event == XmlReader::Event::kText) {
      if (in_item && in_text && total < max_bytes) {
        const size_t before = texts.back().size();
        AppendText(&texts.back(), reader.text(), kMaxCellValueBytes);
        total += texts.back().size() - before;
      }
    } else if (reader.ns() != Ns::kSheet) {
      continue;
    } else if (event == XmlReader::Event::kStart) {
      if (reader.name() == element) {
        if (texts.size() >= kMaxSharedStrings) break;
        texts.emplace_back();
        in_item = true;
      } else if (reader.name() == "rPh") {
        reader.Skip();
      } else if (reader.name() == "t") {
        in_text = true;
      }
    } else if (reader.name() == element) {
      in_item = false;
    } else if (reader.name() == "t") {
      in_text = false;
    }
  }
  if (total >= max_bytes || texts.size() >= kMaxSharedStrings) {
    builder->Warn("too much text in " + std::string(part) + "; only its start was read");
  }
  builder->Warn(PartWarning(reader));
  return texts;
}

// One worksheet as one table block, a line per row.
void ReadWorksheet(std::string_view xml, std::string_view part, const Workbook& workbook,
                   BlockBuilder* builder) {
  XmlReader reader(xml, part);
  builder->BeginTable();
  bool in_data = false, in_value = false, in_inline = false, in_text = false;
  std::string type, value, inline_text;
  int format = -1;
  while (reader.Next() && !builder->full()) {
    const auto event = reader.event();
    if (event == XmlReader::Event::kText) {
      if (in_value) AppendText(&value, reader.text(), kMaxCellValueBytes);
      if (in_inline && in_text) AppendText(&inline_text, reader.text(), kMaxCellValueBytes);
      continue;
    }
    if (reader.ns() != Ns::kSheet) {
      if (event == XmlReader::Event::kStart) reader.Skip();
      continue;
    }
    const std::string_view name = reader.name();
    if (event == XmlReader::Event::kStart) {
      if (name == "sheetData") {
        in_data = true;
      } else if (!in_data && name != "worksheet") {
        reader.Skip();  // column widths, merged cells, conditional formats, ...
      } else if (name == "c") {
        type = reader.Attr(Ns::kNone, "t").value_or("n");
        format = ParseInt(reader.Attr(Ns::kNone, "s").value_or("0"), 0);
        value.clear();
        inline_text.clear();
      } else if (name == "v") {
        in_value = true;
      } else if (name == "is") {
        in_inline = true;
      } else if (name == "t") {
        in_text = true;
      } else if (name == "f" || name == "rPh" || name == "extLst") {
        reader.Skip();
      }
      continue;
    }
    if (name == "sheetData") {
      in_data = false;
    } else if (name == "v") {
      in_value = false;
    } else if (name == "is") {
      in_inline = false;
    } else if (name == "t") {
      in_text = false;
    } else if (name == "c") {
      builder->Cell(CellText(type, format, value, inline_text, workbook));
    } else if (name == "row") {
      builder->EndRow();
    }
  }
  builder->EndTable();
  builder->Warn(PartWarning(reader));
}

Result<ParsedDocument> ParseExcel(ZipReader& zip, const std::string& main,
                                  const ParseOptions& options, ParsedDocument* parsed,
                                  BlockBuilder* builder) {
  parsed->mime = kExcelMime;
  auto relationships = ReadRelationships(zip, main, builder);
  if (!relationships) return Fail(relationships.error());

  Workbook workbook;
  if (const Relationship* r = FindKind(*relationships, "sharedStrings")) {
    auto xml = ReadOptionalPart(zip, r->target, builder);
    if (!xml) return Fail(xml.error());
    if (xml->has_value()) {
      workbook.shared_strings =
          ReadSheetTexts(**xml, r->target, "si", kMaxSharedStringBytes, builder);
    }
  }
  if (const Relationship* r = FindKind(*relationships, "styles")) {
    auto xml = ReadOptionalPart(zip, r->target, builder);
    if (!xml) return Fail(xml.error());
    if (xml->has_value()) workbook.formats = ReadCellFormats(**xml, r->target, builder);
  }

  auto xml = ReadMainPart(zip, main, builder);
  if (!xml) return Fail(xml.error());
  XmlReader reader(*xml, main);
  std::vector<std::pair<std::string, std::string>> sheets;  // name, part
  while (reader.Next()) {
    if (reader.event() != XmlReader::Event::kStart || reader.ns() != Ns::kSheet) continue;
    if (reader.name() == "workbookPr") {
      const std::string date1904 = reader.Attr(Ns::kNone, "date1904").value_or("");
      workbook.date1904 = date1904 == "1" || date1904 == "true";
    } else if (reader.name() == "sheet") {
      const Relationship* r =
          FindId(*relationships, reader.Attr(Ns::kRelationships, "id").value_or(""));
      // Chart sheets and dialog sheets hold no cells.
      if (r != nullptr && r->kind == "worksheet") {
        sheets.emplace_back(reader.Attr(Ns::kNone, "name").value_or(""), r->target);
      }
    }
  }

  for (const auto& [name, part] : sheets) {
    if (builder->full()) break;
    auto sheet = ReadOptionalPart(zip, part, builder);
    if (!sheet) return Fail(sheet.error());
    if (!sheet->has_value()) continue;
    builder->SetPath({name});
    ReadWorksheet(**sheet, part, workbook, builder);
    if (!options.office_comments) continue;
    auto sheet_relationships = ReadRelationships(zip, part, builder);
    if (!sheet_relationships) return Fail(sheet_relationships.error());
    if (const Relationship* r = FindKind(*sheet_relationships, "comments")) {
      auto comments = ReadOptionalPart(zip, r->target, builder);
      if (!comments) return Fail(comments.error());
      if (!comments->has_value()) continue;
      for (const std::string& comment :
           ReadSheetTexts(**comments, r->target, "comment", kMaxDocumentTextBytes, builder)) {
        builder->Paragraph(comment);
      }
      builder->Flush();
    }
  }
  return FinishDocument(reader, builder, parsed);
}

// ---- PowerPoint ------------------------------------------------------------------------------

// Collects a slide's or a notes page's shapes: the title placeholder, text paragraphs and
// tables, in the order of the shape tree. Slide numbers, dates, footers and the notes
// page's slide image are left out.
class SlideReader {
 public:
  SlideReader(SlideContent* slide, bool notes, size_t budget)
      : slide_(slide), notes_(notes), budget_(budget) {}

  void Read(XmlReader& reader) {
    while (reader.Next()) {
      switch (reader.event()) {
        case XmlReader::Event::kStart:
          Start(reader);
          break;
        case XmlReader::Event::kText:
          if (in_text_) AppendText(&paragraph_, reader.text(), Cap());
          break;
        case XmlReader::Event::kEnd:
          End(reader);
          break;
      }
    }
  }

 private:
  enum class Shape { kBody, kTitle, kSkipped };

  size_t Cap() const { return budget_ - std::min(budget_, slide_->bytes); }

  void Start(XmlReader& reader) {
    if (reader.Is(Ns::kCompatibility, "Fallback")) {
      reader.Skip();
    } else if (reader.Is(Ns::kPresentation, "sp")) {
      shape_ = Shape::kBody;
    } else if (reader.Is(Ns::kPresentation, "ph")) {
      const std::string type = reader.Attr(Ns::kNone, "type").value_or("body");
      if (type == "title" || type == "ctrTitle") {
        shape_ = (notes_ || !slide_->title.empty()) ? Shape::kBody : Shape::kTitle;
      } else if (type == "sldNum" || type == "dt" || type == "ftr" || type == "hdr" ||
                 type == "sldImg") {
        shape_ = Shape::kSkipped;
      }
    } else if (reader.Is(Ns::kPresentation, "txBody") && shape_ == Shape::kSkipped) {
      reader.Skip();
    } else if (reader.ns() == Ns::kDrawing) {
      const std::string_view name = reader.name();
      if (name == "tbl") {
        ++table_depth_;
        if (table_depth_ == 1) table_.clear();
      } else if (name == "tr" && table_depth_ == 1) {
        table_.emplace_back();
      } else if (name == "tc" && table_depth_ == 1) {
        cell_.clear();
      } else if (name == "p") {
        paragraph_.clear();
      } else if (name == "t") {
        in_text_ = true;
      } else if (name == "br") {
        AppendLineBreak(&paragraph_, Cap());
      }
    }
  }

  void End(XmlReader& reader) {
    if (reader.Is(Ns::kPresentation, "sp")) {
      shape_ = Shape::kBody;
      return;
    }
    if (reader.ns() != Ns::kDrawing) return;
    const std::string_view name = reader.name();
    if (name == "t") {
      in_text_ = false;
    } else if (name == "p") {
      EndParagraph();
    } else if (name == "tc" && table_depth_ == 1 && !table_.empty()) {
      slide_->bytes += cell_.size();
      table_.back().push_back(std::move(cell_));
      cell_.clear();
    } else if (name == "tbl" && table_depth_ > 0 && --table_depth_ == 0) {
      SlideContent::Item item;
      item.rows = std::move(table_);
      table_.clear();
      if (!item.rows.empty()) slide_->items.push_back(std::move(item));
    }
  }

  void EndParagraph() {
    if (table_depth_ > 0) {
      AppendText(&cell_, paragraph_, Cap());
      AppendText(&cell_, " ", Cap());
    } else if (shape_ == Shape::kTitle) {
      if (!title_.empty()) title_ += ' ';
      title_ += paragraph_;
      slide_->title = title_;
    } else if (!paragraph_.empty()) {
      slide_->bytes += paragraph_.size();
      if (notes_) {
        slide_->notes.push_back(std::move(paragraph_));
      } else {
        slide_->items.push_back({std::move(paragraph_), {}});
      }
    }
    paragraph_.clear();
  }

  SlideContent* slide_;
  bool notes_;
  size_t budget_;
  Shape shape_ = Shape::kBody;
  bool in_text_ = false;
  int table_depth_ = 0;
  std::string paragraph_;
  std::string title_;
  std::string cell_;
  std::vector<std::vector<std::string>> table_;
};

// Comments on a slide: classic (p:cm/p:text) and modern (p188:cm with DrawingML text).
void ReadSlideComments(std::string_view xml, std::string_view part, SlideContent* slide,
                       BlockBuilder* builder) {
  XmlReader reader(xml, part);
  std::string comment;
  bool in_text = false;
  while (reader.Next()) {
    const bool text_element = reader.Is(Ns::kPresentation, "text") || reader.Is(Ns::kDrawing, "t");
    const bool comment_element = reader.name() == "cm" && (reader.ns() == Ns::kPresentation ||
                                                           reader.ns() == Ns::kPowerPointComments);
    switch (reader.event()) {
      case XmlReader::Event::kStart:
        if (text_element) in_text = true;
        if (reader.Is(Ns::kDrawing, "p")) AppendText(&comment, " ", builder->budget());
        break;
      case XmlReader::Event::kText:
        if (in_text) AppendText(&comment, reader.text(), builder->budget());
        break;
      case XmlReader::Event::kEnd:
        if (text_element) in_text = false;
        if (comment_element) {
          slide->bytes += comment.size();
          slide->comments.push_back(std::move(comment));
          comment.clear();
        }
        break;
    }
  }
  builder->Warn(PartWarning(reader));
}

Result<ParsedDocument> ParsePowerPoint(ZipReader& zip, const std::string& main,
                                       const ParseOptions& options, ParsedDocument* parsed,
                                       BlockBuilder* builder) {
  parsed->mime = kPowerPointMime;
  auto relationships = ReadRelationships(zip, main, builder);
  if (!relationships) return Fail(relationships.error());
  auto xml = ReadMainPart(zip, main, builder);
  if (!xml) return Fail(xml.error());
  XmlReader reader(*xml, main);
  std::vector<std::string> slides;
  while (reader.Next()) {
    if (reader.event() == XmlReader::Event::kStart && reader.Is(Ns::kPresentation, "sldId")) {
      const Relationship* r =
          FindId(*relationships, reader.Attr(Ns::kRelationships, "id").value_or(""));
      if (r != nullptr && r->kind == "slide") slides.push_back(r->target);
    }
  }

  int number = 0;
  for (const std::string& part : slides) {
    ++number;
    if (builder->full()) break;
    auto slide_xml = ReadOptionalPart(zip, part, builder);
    if (!slide_xml) return Fail(slide_xml.error());
    if (!slide_xml->has_value()) continue;
    SlideContent slide;
    {
      XmlReader slide_reader(**slide_xml, part);
      SlideReader(&slide, /*notes=*/false, builder->budget()).Read(slide_reader);
      builder->Warn(PartWarning(slide_reader));
    }
    auto slide_relationships = ReadRelationships(zip, part, builder);
    if (!slide_relationships) return Fail(slide_relationships.error());
    for (const Relationship& r : *slide_relationships) {
      const bool notes = r.kind == "notesSlide";
      if (!notes && !(r.kind == "comments" && options.office_comments)) continue;
      auto part_xml = ReadOptionalPart(zip, r.target, builder);
      if (!part_xml) return Fail(part_xml.error());
      if (!part_xml->has_value()) continue;
      if (notes) {
        XmlReader notes_reader(**part_xml, r.target);
        SlideReader(&slide, /*notes=*/true, builder->budget()).Read(notes_reader);
        builder->Warn(PartWarning(notes_reader));
      } else {
        ReadSlideComments(**part_xml, r.target, &slide, builder);
      }
    }
    if (parsed->title.empty() && number == 1) parsed->title = MakeTitle(slide.title);
    EmitSlide(slide, number, builder);
  }
  return FinishDocument(reader, builder, parsed);
}

}  // namespace

Result<ParsedDocument> ParseOoxml(ZipReader& zip, const ParseOptions& options) {
  ParsedDocument parsed;
  BlockBuilder builder(&parsed);
  auto package = ReadRelationships(zip, "", &builder);
  if (!package) return Fail(package.error());

  std::string main;
  if (const Relationship* r = FindKind(*package, "officeDocument")) main = r->target;
  if (main.empty()) {  // no or broken _rels/.rels: the parts' usual names
    for (const char* known : {"word/document.xml", "xl/workbook.xml", "ppt/presentation.xml"}) {
      if (zip.Contains(known)) main = known;
    }
  }
  if (main.empty()) {
    return Fail(ErrorCode::kUnsupported, "zip archive that is not an Office document");
  }
  if (const Relationship* r = FindKind(*package, "core-properties")) {
    auto core = ReadOptionalPart(zip, r->target, &builder);
    if (!core) return Fail(core.error());
    if (core->has_value()) {
      if (std::string error = ReadDocumentMetadata(**core, r->target, &parsed); !error.empty()) {
        builder.Warn(error + "; the rest of that part was skipped");
      }
    }
  }

  auto content_type = ContentTypeOf(zip, main, &builder);
  if (!content_type) return Fail(content_type.error());
  std::string kind = *content_type;
  if (kind.empty()) kind = LowerAscii(main);  // by name: word/, xl/, ppt/
  if (Contains(kind, "wordprocessingml") || Contains(kind, "ms-word") ||
      kind.starts_with("word/")) {
    return ParseWord(zip, main, options, &parsed, &builder);
  }
  if (Contains(kind, "sheet.binary") || kind.ends_with(".bin")) {
    return Fail(ErrorCode::kUnsupported, "binary Excel workbook (.xlsb) is not supported");
  }
  if (Contains(kind, "spreadsheetml") || Contains(kind, "ms-excel") || kind.starts_with("xl/")) {
    return ParseExcel(zip, main, options, &parsed, &builder);
  }
  if (Contains(kind, "presentationml") || Contains(kind, "ms-powerpoint") ||
      kind.starts_with("ppt/")) {
    return ParsePowerPoint(zip, main, options, &parsed, &builder);
  }
  return Fail(ErrorCode::kUnsupported, "zip archive that is not an Office document");
}

}  // namespace wissen::crawler

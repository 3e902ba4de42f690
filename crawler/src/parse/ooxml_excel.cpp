// Excel (.xlsx): one table block per worksheet, cells as Excel shows them (shared strings,
// cached formula results, numbers, dates and percentages by their cell format), and the
// sheets' comments.
#include <charconv>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ooxml_parts.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr size_t kMaxCellValueBytes = 128 * 1024;
// Shared strings kept for an .xlsx; the text budget would drop the rest anyway.
constexpr size_t kMaxSharedStringBytes = 2 * kMaxDocumentTextBytes;
constexpr size_t kMaxSharedStrings = 4'000'000;

constexpr char kExcelMime[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

}  // namespace

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

}  // namespace wissen::crawler

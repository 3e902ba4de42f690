// Office Open XML: Word (.docx), Excel (.xlsx) and PowerPoint (.pptx) packages.
//
// Parts are found the way Office finds them, through relationships (_rels/*.rels) starting
// at the package's officeDocument relationship, never by listing the archive; so only known
// XML parts are read, and macros (vbaProject.bin), embedded objects and media never are.
//
// This file reads the package and dispatches by the main part's content type to Word
// (ooxml_word.cpp), Excel (ooxml_excel.cpp) or PowerPoint (ooxml_powerpoint.cpp).
#include <string>
#include <string_view>

#include "ooxml_parts.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
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

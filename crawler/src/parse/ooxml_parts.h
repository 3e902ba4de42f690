// The three Office Open XML formats behind ParseOoxml (ooxml_parser.cpp), one file each:
// ooxml_word.cpp, ooxml_excel.cpp, ooxml_powerpoint.cpp. ParseOoxml reads the package's
// relationships and metadata, finds the main part and tells the format by its content type;
// these read the rest. Private to the crawler.
#pragma once

#include <cstddef>
#include <string>

#include "office_parser.h"
#include "office_xml.h"
#include "wissen/core/document.h"
#include "wissen/core/result.h"
#include "wissen/crawler/parsers.h"
#include "zip_reader.h"

namespace wissen::crawler {

// Styles kept from one part (Word paragraph styles, Excel number formats): a hostile file
// cannot grow the tables without bound, and real documents have a few hundred.
inline constexpr size_t kMaxStyles = 10000;

// Each reads the document whose main part is `main` (word/document.xml, xl/workbook.xml,
// ppt/presentation.xml, or wherever the package points) and the parts its relationships
// name, sets parsed->mime to the format's media type, and writes the blocks through
// `builder`, which writes to `parsed`. Returns FinishDocument's result; errors that concern
// the whole file (zip bomb limits, encryption, a missing main part) fail it, a broken
// secondary part is a warning. `builder` already holds the package's metadata and warnings.
Result<ParsedDocument> ParseWord(ZipReader& zip, const std::string& main,
                                 const ParseOptions& options, ParsedDocument* parsed,
                                 BlockBuilder* builder);
Result<ParsedDocument> ParseExcel(ZipReader& zip, const std::string& main,
                                  const ParseOptions& options, ParsedDocument* parsed,
                                  BlockBuilder* builder);
Result<ParsedDocument> ParsePowerPoint(ZipReader& zip, const std::string& main,
                                       const ParseOptions& options, ParsedDocument* parsed,
                                       BlockBuilder* builder);

}  // namespace wissen::crawler

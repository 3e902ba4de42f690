#include "office_parser.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {

Result<ParsedDocument> ParseOffice(std::string_view /*bytes*/, const ParseOptions& /*options*/) {
  return Fail(ErrorCode::kUnsupported, "Office documents are not supported yet");
}

}  // namespace wissen::crawler

#include "mail_parser.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {

Result<ParsedDocument> ParseEmail(std::string_view /*bytes*/, const ParseOptions& /*options*/) {
  return Fail(ErrorCode::kUnsupported, "e-mail is not supported yet");
}

std::vector<std::string_view> SplitMbox(std::string_view /*bytes*/, size_t /*max_messages*/) {
  return {};
}

}  // namespace wissen::crawler

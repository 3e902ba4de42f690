#include <string>
#include <string_view>

#include "parser_text.h"
#include "wissen/core/language.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

// Language detection needs a sample, not the whole document.
constexpr size_t kLanguageSampleBytes = 20 * 1024;

}  // namespace

std::string LanguageSample(const ParsedDocument& doc) {
  std::string sample = doc.title;
  for (const Block& block : doc.blocks) {
    if (sample.size() >= kLanguageSampleBytes) break;
    sample += "\n\n";
    sample += block.text;
  }
  return std::string(Utf8Prefix(sample, kLanguageSampleBytes));
}

Result<ParsedDocument> ParseDocument(std::string_view bytes, std::string_view file_name,
                                     std::string_view charset_hint) {
  Result<ParsedDocument> parsed;
  switch (DetectContentKind(bytes, file_name)) {
    case ContentKind::kPdf:
      parsed = ParsePdf(bytes);
      break;
    case ContentKind::kHtml:
      parsed = ParseHtml(bytes, charset_hint);
      break;
    case ContentKind::kText:
      parsed = ParseText(bytes, /*markdown=*/false);
      break;
    case ContentKind::kMarkdown:
      parsed = ParseText(bytes, /*markdown=*/true);
      break;
    case ContentKind::kUnknown:
      return Fail(ErrorCode::kUnsupported, "binary or unknown file type");
  }
  if (!parsed) return parsed;
  parsed->language = DetectLanguage(LanguageSample(*parsed));
  parsed->parser_version = ParserVersion(parsed->mime);
  return parsed;
}

int ParserVersion(std::string_view mime) { return mime == "application/pdf" ? 2 : 1; }

}  // namespace wissen::crawler

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

// A Compound File is either a legacy binary Office file or, since Office 2007, the wrapper
// of a password-protected OOXML file, whose package sits in a stream named
// "EncryptedPackage" (MS-OFFCRYPTO); directory entry names are UTF-16LE.
std::string DescribeCompoundFile(std::string_view bytes) {
  const std::string_view encrypted_package("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
  if (bytes.find(encrypted_package) != std::string_view::npos) {
    return "password-protected Office document";
  }
  return "legacy binary Office format (.doc/.xls/.ppt) is not supported; save it as "
         ".docx/.xlsx/.pptx or OpenDocument";
}

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
                                     std::string_view charset_hint, const ParseOptions& options) {
  Result<ParsedDocument> parsed;
  switch (DetectContentKind(bytes, file_name)) {
    case ContentKind::kPdf:
      parsed = ParsePdf(bytes, options.ocr);
      break;
    case ContentKind::kZip:
      parsed = ParseOffice(bytes, options);
      break;
    case ContentKind::kOle2:
      return Fail(ErrorCode::kUnsupported, DescribeCompoundFile(bytes));
    case ContentKind::kEmail:
      parsed = ParseEmail(bytes, options);
      break;
    case ContentKind::kMbox:
      return Fail(ErrorCode::kUnsupported, "an mbox file holds many messages; split it first");
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

int ParserVersion(std::string_view mime) { return mime == "application/pdf" ? 3 : 1; }

}  // namespace wissen::crawler

#include "office_parser.h"

#include <new>
#include <string>
#include <utility>

#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr char kPasswordMessage[] = "password-protected Office document";

// A Compound File (OLE2) is a legacy binary Office file or the wrapper of a password-protected
// Office Open XML file; the latter holds a stream named "EncryptedPackage" (MS-OFFCRYPTO).
std::optional<Error> DescribeCompoundFile(std::string_view bytes) {
  constexpr std::string_view kMagic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  if (!bytes.starts_with(kMagic)) return std::nullopt;
  constexpr std::string_view kEncryptedPackage("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0",
                                               32);
  if (bytes.find(kEncryptedPackage) != std::string_view::npos) {
    return Error{ErrorCode::kUnsupported, kPasswordMessage};
  }
  return Error{ErrorCode::kUnsupported,
               "legacy binary Office format (.doc/.xls/.ppt) is not supported"};
}

Result<ParsedDocument> ParseOfficeUnchecked(std::string_view bytes, const ParseOptions& options) {
  if (auto error = DescribeCompoundFile(bytes)) return Fail(std::move(*error));
  auto zip = ZipReader::Open(bytes);
  if (!zip) return Fail(zip.error());
  if (zip->Contains("[Content_Types].xml") || zip->Contains("_rels/.rels")) {
    return ParseOoxml(*zip, options);
  }
  if (zip->Contains("mimetype") || zip->Contains("META-INF/manifest.xml")) {
    return ParseOdf(*zip, options);
  }
  return Fail(ErrorCode::kUnsupported, "zip archive that is not an Office document");
}

}  // namespace

Result<std::optional<std::string>> ReadOptionalPart(ZipReader& zip, std::string_view name,
                                                    BlockBuilder* builder) {
  auto data = zip.Read(name);
  if (data) return std::optional<std::string>(std::move(*data));
  switch (data.error().code) {
    case ErrorCode::kNotFound:
      return std::optional<std::string>();
    case ErrorCode::kParse:
      builder->Warn(data.error().message + "; it was skipped");
      return std::optional<std::string>();
    default:  // limits and encryption concern the whole file
      return Fail(std::move(data.error()));
  }
}

Result<std::string> ReadMainPart(ZipReader& zip, std::string_view name) {
  auto data = zip.Read(name);
  if (data) return data;
  if (data.error().code == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kParse,
                "Office document without its main part " + SanitizeUtf8(Utf8Prefix(name, 80)));
  }
  return Fail(std::move(data.error()));
}

Result<ParsedDocument> FinishDocument(const XmlReader& main_reader, BlockBuilder* builder,
                                      ParsedDocument* parsed) {
  builder->Flush();
  if (!main_reader.error().empty()) {
    if (parsed->blocks.empty()) return Fail(ErrorCode::kParse, main_reader.error());
    builder->Warn(PartWarning(main_reader));
  }
  if (builder->full()) {
    builder->Warn("the document's text is longer than " +
                  std::to_string(kMaxDocumentTextBytes >> 20) + " MiB; the rest was dropped");
  }
  return std::move(*parsed);
}

Result<ParsedDocument> ParseOffice(std::string_view bytes, const ParseOptions& options) {
  try {
    return ParseOfficeUnchecked(bytes, options);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing an Office document");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("Office parser failed: ") + e.what());
  }
}

}  // namespace wissen::crawler

#include "office_parser.h"

#include <new>
#include <string>
#include <utility>
#include <vector>

#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr char kPasswordMessage[] = "password-protected Office document";
constexpr size_t kMaxRelationships = 10000;

std::string TruncatedWarning(std::string_view part) {
  return SanitizeUtf8(Utf8Prefix(part, 80)) + " is larger than " +
         std::to_string(ZipLimits().max_entry_bytes >> 20) + " MiB; only its start was read";
}

std::string_view Directory(std::string_view part) {
  const size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : part.substr(0, slash + 1);
}

// The part a relationship target names, relative to the source part's folder or absolute
// within the package; "" when it leaves the package ("../" above the root).
std::string ResolveTarget(std::string_view source_part, std::string_view target) {
  target = target.substr(0, target.find('#'));
  std::string path = target.starts_with('/')
                         ? std::string(target.substr(1))
                         : std::string(Directory(source_part)) + std::string(target);
  std::vector<std::string_view> segments;
  const std::string_view view(path);
  size_t start = 0;
  while (start <= view.size()) {
    size_t end = view.find('/', start);
    if (end == std::string_view::npos) end = view.size();
    const std::string_view segment = view.substr(start, end - start);
    if (segment == "..") {
      if (segments.empty()) return "";
      segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string resolved;
  for (const std::string_view segment : segments) {
    if (!resolved.empty()) resolved += '/';
    resolved += segment;
  }
  return resolved;
}

std::string RelationshipsPart(std::string_view part) {
  const std::string_view dir = Directory(part);
  return std::string(dir) + "_rels/" + std::string(part.substr(dir.size())) + ".rels";
}

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

// The relationships of `part` ("" for the package's own); none when the part has no .rels.
Result<std::vector<Relationship>> ReadRelationships(ZipReader& zip, std::string_view part,
                                                    BlockBuilder* builder) {
  const std::string rels_part = part.empty() ? "_rels/.rels" : RelationshipsPart(part);
  auto xml = ReadOptionalPart(zip, rels_part, builder);
  if (!xml) return Fail(xml.error());
  std::vector<Relationship> relationships;
  if (!xml->has_value()) return relationships;
  XmlReader reader(**xml, rels_part);
  while (reader.Next() && relationships.size() < kMaxRelationships) {
    if (reader.event() != XmlReader::Event::kStart ||
        !reader.Is(Ns::kPackageRelations, "Relationship")) {
      continue;
    }
    Relationship relationship;
    relationship.id = reader.Attr(Ns::kNone, "Id").value_or("");
    const std::string type = reader.Attr(Ns::kNone, "Type").value_or("");
    relationship.kind = type.substr(type.rfind('/') + 1);
    if (reader.Attr(Ns::kNone, "TargetMode").value_or("") != "External") {
      relationship.target = ResolveTarget(part, reader.Attr(Ns::kNone, "Target").value_or(""));
    }
    if (!relationship.target.empty()) relationships.push_back(std::move(relationship));
  }
  builder->Warn(PartWarning(reader));
  return relationships;
}

const Relationship* FindKind(const std::vector<Relationship>& relationships,
                             std::string_view kind) {
  for (const Relationship& r : relationships) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

const Relationship* FindId(const std::vector<Relationship>& relationships, std::string_view id) {
  for (const Relationship& r : relationships) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// The content type [Content_Types].xml gives `part` ("" when it gives none).
Result<std::string> ContentTypeOf(ZipReader& zip, std::string_view part, BlockBuilder* builder) {
  auto xml = ReadOptionalPart(zip, "[Content_Types].xml", builder);
  if (!xml) return Fail(xml.error());
  if (!xml->has_value()) return std::string();
  const std::string wanted = "/" + LowerAscii(part);
  XmlReader reader(**xml, "[Content_Types].xml");
  while (reader.Next()) {
    if (reader.event() == XmlReader::Event::kStart && reader.name() == "Override" &&
        LowerAscii(reader.Attr(Ns::kNone, "PartName").value_or("")) == wanted) {
      return LowerAscii(reader.Attr(Ns::kNone, "ContentType").value_or(""));
    }
  }
  return std::string();
}

Result<std::optional<std::string>> ReadOptionalPart(ZipReader& zip, std::string_view name,
                                                    BlockBuilder* builder) {
  bool truncated = false;
  auto data = zip.Read(name, &truncated);
  if (truncated) builder->Warn(TruncatedWarning(name));
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

Result<std::string> ReadMainPart(ZipReader& zip, std::string_view name, BlockBuilder* builder) {
  bool truncated = false;
  auto data = zip.Read(name, &truncated);
  if (truncated) builder->Warn(TruncatedWarning(name));
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

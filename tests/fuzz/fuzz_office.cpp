// Fuzz target: ParseOffice (crawler/src/parse/office_parser.h), with and without comments,
// on hostile containers. Input: a zip archive as it is, or records "@@@ <part name>\n<content>"
// (joined by "\n") that this target zips itself, stored and with correct checksums, so that
// mutations reach the XML readers instead of failing the zip's CRC check.
// Checked (parsers.h): an error has a UTF-8 message; a document has valid UTF-8 everywhere,
// no empty block, table blocks with rows whose first line is table_header, no more text
// than kMaxDocumentTextBytes.
#include <zip.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "parse/parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace {

constexpr std::string_view kRecord = "@@@ ";
constexpr size_t kMaxParts = 64;

std::vector<std::pair<std::string, std::string_view>> SplitParts(std::string_view input) {
  std::vector<std::pair<std::string, std::string_view>> parts;
  size_t pos = 0;
  while (pos < input.size() && parts.size() < kMaxParts && input.substr(pos).starts_with(kRecord)) {
    const size_t name_end = input.find('\n', pos + kRecord.size());
    if (name_end == std::string_view::npos) break;
    const size_t next = input.find("\n@@@ ", name_end + 1);
    const size_t content_end = next == std::string_view::npos ? input.size() : next;
    parts.emplace_back(
        std::string(input.substr(pos + kRecord.size(), name_end - pos - kRecord.size())),
        input.substr(name_end + 1, content_end - name_end - 1));
    pos = next == std::string_view::npos ? input.size() : next + 1;
  }
  return parts;
}

// A stored zip archive of the parts, written by libzip into memory.
std::string ZipParts(const std::vector<std::pair<std::string, std::string_view>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  if (buffer == nullptr) return "";
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, nullptr);
  if (archive == nullptr) {
    zip_source_free(buffer);
    return "";
  }
  for (const auto& [name, content] : parts) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (source == nullptr) continue;
    const zip_int64_t index =
        zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      continue;
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  std::string bytes;
  if (zip_close(archive) != 0) {
    zip_discard(archive);
  } else if (zip_source_open(buffer) == 0) {
    char chunk[65536];
    zip_int64_t n;
    while ((n = zip_source_read(buffer, chunk, sizeof(chunk))) > 0) {
      bytes.append(chunk, static_cast<size_t>(n));
    }
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return bytes;
}

void Check(std::string_view input, bool comments) {
  wissen::crawler::ParseOptions options;
  options.office_comments = comments;
  const auto parsed = wissen::crawler::ParseOffice(input, options);
  if (!parsed) {
    WISSEN_FUZZ_CHECK(!parsed.error().message.empty());
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(parsed.error().message));
    return;
  }
  const wissen::ParsedDocument& doc = *parsed;
  WISSEN_FUZZ_CHECK(!doc.mime.empty());
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(doc.title));
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(doc.author));
  for (const auto& [key, value] : doc.metadata) {
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(key) && wissen::IsValidUtf8(value));
  }
  for (const std::string& warning : doc.warnings) WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(warning));
  size_t total = 0;
  for (const wissen::Block& block : doc.blocks) {
    WISSEN_FUZZ_CHECK(!block.text.empty());
    WISSEN_FUZZ_CHECK(!wissen::TrimAscii(block.text).empty());
    WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(block.text));
    WISSEN_FUZZ_CHECK(block.text.find("\n\n\n") == std::string::npos);
    for (const std::string& heading : block.heading_path) {
      WISSEN_FUZZ_CHECK(!heading.empty() && wissen::IsValidUtf8(heading));
    }
    if (block.table) {
      WISSEN_FUZZ_CHECK(!block.table_header.empty());
      WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(block.table_header));
      WISSEN_FUZZ_CHECK(block.table_header.find('\n') == std::string::npos);
      WISSEN_FUZZ_CHECK(block.text.starts_with(block.table_header));
      WISSEN_FUZZ_CHECK(block.text.find("\n\n") == std::string::npos);  // a line per row
    } else {
      WISSEN_FUZZ_CHECK(block.table_header.empty());
    }
    total += block.text.size();
  }
  WISSEN_FUZZ_CHECK(total <= wissen::crawler::kMaxDocumentTextBytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string zipped;
  if (input.starts_with(kRecord)) {
    zipped = ZipParts(SplitParts(input));
    input = zipped;
  }
  Check(input, /*comments=*/false);
  Check(input, /*comments=*/true);
  return 0;
}

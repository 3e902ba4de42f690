#include "zip_reader.h"

#include <zip.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr size_t kEndRecordBytes = 22;
constexpr size_t kMaxQuotedNameBytes = 80;
constexpr char kPasswordMessage[] = "password-protected Office document";

// An entry name for an error message: the archive chose it, so it is cut and made UTF-8.
std::string Quoted(std::string_view name) {
  return "'" + SanitizeUtf8(Utf8Prefix(name, kMaxQuotedNameBytes)) + "'";
}

std::string SizeText(uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Part names are looked up, never paths: "..", absolute names and backslashes are refused
// even if an archive holds such an entry.
bool IsPlainName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

Error OpenError(int code) {
  switch (code) {
    case ZIP_ER_MEMORY:
      return Error{ErrorCode::kResourceExhausted, "out of memory while opening the zip archive"};
    case ZIP_ER_MULTIDISK:
      return Error{ErrorCode::kUnsupported, "multi-volume zip archive"};
    default:
      return Error{ErrorCode::kParse, "not a zip archive, or a truncated or corrupt one"};
  }
}

Error EntryError(int code, std::string_view name) {
  switch (code) {
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
    case ZIP_ER_ENCRNOTSUPP:
      return Error{ErrorCode::kUnsupported, kPasswordMessage};
    case ZIP_ER_COMPNOTSUPP:
      return Error{ErrorCode::kUnsupported,
                   "zip entry " + Quoted(name) + " uses an unsupported compression method"};
    case ZIP_ER_MEMORY:
      return Error{ErrorCode::kResourceExhausted, "out of memory while unpacking the zip archive"};
    case ZIP_ER_CRC:
      return Error{ErrorCode::kParse, "zip entry " + Quoted(name) + " is corrupt (bad checksum)"};
    default:
      return Error{ErrorCode::kParse, "zip entry " + Quoted(name) + " is truncated or corrupt"};
  }
}

}  // namespace

void ZipReader::ArchiveClose::operator()(zip* archive) const { zip_discard(archive); }

ZipReader::ZipReader(std::unique_ptr<zip, ArchiveClose> archive, std::string_view bytes,
                     const ZipLimits& limits)
    : archive_(std::move(archive)), archive_bytes_(bytes.size()), limits_(limits) {}

ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

Result<ZipReader> ZipReader::Open(std::string_view bytes, const ZipLimits& limits) {
  // libzip opens an empty buffer as an empty archive; no zip is shorter than its end record.
  if (bytes.size() < kEndRecordBytes) return Fail(OpenError(ZIP_ER_NOZIP));
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    const int code = zip_error_code_zip(&error);
    zip_error_fini(&error);
    return Fail(OpenError(code));
  }
  zip_t* raw = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (raw == nullptr) {
    zip_source_free(source);  // only a successful open takes the source over
    const int code = zip_error_code_zip(&error);
    zip_error_fini(&error);
    return Fail(OpenError(code));
  }
  zip_error_fini(&error);
  ZipReader reader(std::unique_ptr<zip, ArchiveClose>(raw), bytes, limits);

  const zip_int64_t count = zip_get_num_entries(raw, 0);
  if (count < 0) return Fail(ErrorCode::kParse, "corrupt zip directory");
  if (static_cast<uint64_t>(count) > limits.max_entries) {
    return Fail(ErrorCode::kResourceExhausted,
                "zip archive has more than " + std::to_string(limits.max_entries) + " entries");
  }
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* name = zip_get_name(raw, i, ZIP_FL_ENC_GUESS);
    if (name == nullptr) continue;
    reader.names_.emplace(name, i);
    reader.folded_names_.emplace(LowerAscii(name), i);
  }
  return reader;
}

const uint64_t* ZipReader::Find(std::string_view name) const {
  if (!IsPlainName(name)) return nullptr;
  const std::string key(name);
  if (auto it = names_.find(key); it != names_.end()) return &it->second;
  if (auto it = folded_names_.find(LowerAscii(key)); it != folded_names_.end()) {
    return &it->second;
  }
  return nullptr;
}

bool ZipReader::Contains(std::string_view name) const { return Find(name) != nullptr; }

Result<std::string> ZipReader::Read(std::string_view name, bool* truncated) {
  if (truncated != nullptr) *truncated = false;
  const uint64_t* found = Find(name);
  if (found == nullptr) return Fail(ErrorCode::kNotFound, "no zip entry " + Quoted(name));
  const zip_uint64_t index = *found;

  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_.get(), index, 0, &stat) != 0) {
    return Fail(EntryError(zip_error_code_zip(zip_get_error(archive_.get())), name));
  }
  if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
    return Fail(ErrorCode::kUnsupported, kPasswordMessage);
  }
  // The compressed size cannot exceed the archive, whatever the directory claims.
  uint64_t compressed = archive_bytes_;
  if (stat.valid & ZIP_STAT_COMP_SIZE) compressed = std::min<uint64_t>(stat.comp_size, compressed);
  compressed = std::max<uint64_t>(compressed, 1);

  const auto too_big = [&](uint64_t size) -> std::optional<Error> {
    if (size > limits_.max_entry_bytes && truncated == nullptr) {
      return Error{ErrorCode::kResourceExhausted, "zip entry " + Quoted(name) +
                                                      " unpacks to more than " +
                                                      SizeText(limits_.max_entry_bytes)};
    }
    if (size > limits_.max_total_bytes - std::min(total_read_, limits_.max_total_bytes)) {
      return Error{ErrorCode::kResourceExhausted,
                   "zip archive unpacks to more than " + SizeText(limits_.max_total_bytes)};
    }
    if (size > limits_.ratio_floor_bytes &&
        static_cast<double>(size) > static_cast<double>(compressed) * limits_.max_ratio) {
      return Error{ErrorCode::kResourceExhausted,
                   "zip entry " + Quoted(name) + " is compressed more than " +
                       std::to_string(limits_.max_ratio) + ":1 (a zip bomb)"};
    }
    return std::nullopt;
  };
  if (stat.valid & ZIP_STAT_SIZE) {
    const uint64_t wanted =
        truncated == nullptr ? stat.size : std::min<uint64_t>(stat.size, limits_.max_entry_bytes);
    if (auto error = too_big(wanted)) return Fail(std::move(*error));
  }

  zip_file_t* file = zip_fopen_index(archive_.get(), index, 0);
  if (file == nullptr) {
    return Fail(EntryError(zip_error_code_zip(zip_get_error(archive_.get())), name));
  }
  struct FileClose {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
  };
  const std::unique_ptr<zip_file_t, FileClose> closer(file);

  std::string data;
  if (stat.valid & ZIP_STAT_SIZE) {
    data.reserve(std::min<uint64_t>(stat.size, 16u << 20));  // a hint, never trusted
  }
  std::array<char, kReadChunkBytes> buffer;
  while (true) {
    const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
    if (n < 0) return Fail(EntryError(zip_error_code_zip(zip_file_get_error(file)), name));
    if (n == 0) break;
    size_t take = static_cast<size_t>(n);
    if (truncated != nullptr && data.size() + take > limits_.max_entry_bytes) {
      take = static_cast<size_t>(limits_.max_entry_bytes - data.size());
      *truncated = true;
    }
    if (auto error = too_big(data.size() + take)) {
      total_read_ += data.size();
      return Fail(std::move(*error));
    }
    data.append(buffer.data(), take);
    if (truncated != nullptr && *truncated) break;
  }
  total_read_ += data.size();
  return data;
}

}  // namespace wissen::crawler

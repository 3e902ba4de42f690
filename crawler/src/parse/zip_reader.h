// Reading the zip container of an Office document with libzip, with limits against zip bombs.
// Private to the crawler.
//
// Only entries asked for by name are ever decompressed (an Office parser knows its part
// names), so media, macros and embedded objects in the archive cost nothing. Every limit
// counts the bytes actually decompressed: the sizes an archive declares are checked first,
// for an early answer, but never trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "wissen/core/result.h"

struct zip;  // libzip's zip_t

namespace wissen::crawler {

// Bounds on what one archive may cost. The defaults fit Office documents: their XML parts
// are at most tens of MiB and compress about 10:1.
struct ZipLimits {
  // Entries in the archive's directory. Default: 10,000.
  size_t max_entries = 10000;
  // Decompressed bytes of one entry. Default: 128 MiB.
  uint64_t max_entry_bytes = uint64_t{128} << 20;
  // Decompressed bytes of all entries read through one ZipReader. Default: 256 MiB.
  uint64_t max_total_bytes = uint64_t{256} << 20;
  // Decompressed bytes per compressed byte of one entry, checked once the entry has
  // decompressed to more than ratio_floor_bytes. Default: 100 and 1 MiB.
  uint64_t max_ratio = 100;
  uint64_t ratio_floor_bytes = uint64_t{1} << 20;
};

// A zip archive in memory, read-only. Not thread-safe: one reader per parse.
class ZipReader {
 public:
  // Opens the archive in `bytes`, which must outlive the reader. kParse when `bytes` is not
  // a zip archive or is truncated or corrupt; kResourceExhausted when it has more than
  // limits.max_entries entries.
  static Result<ZipReader> Open(std::string_view bytes, const ZipLimits& limits = {});

  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;
  ~ZipReader();

  // Whether an entry has this name: exactly, else ignoring ASCII case (Office Open XML part
  // names are case-insensitive). Names with ".." segments, a leading "/" or "\" are never
  // found: part names are looked up, never paths.
  bool Contains(std::string_view name) const;

  // The decompressed entry. kNotFound when absent; kUnsupported for an encrypted entry
  // ("password-protected Office document") or an unknown compression method;
  // kResourceExhausted when a limit is reached (decompression stops there); kParse for
  // corrupt data (bad checksum, broken deflate stream). With `truncated`, an entry larger
  // than max_entry_bytes is no error: its first max_entry_bytes are returned and *truncated
  // is set (the first rows of a huge sheet are still worth indexing).
  Result<std::string> Read(std::string_view name, bool* truncated = nullptr);

  size_t entry_count() const { return names_.size(); }

 private:
  struct ArchiveClose {
    void operator()(zip* archive) const;
  };

  ZipReader(std::unique_ptr<zip, ArchiveClose> archive, std::string_view bytes,
            const ZipLimits& limits);
  const uint64_t* Find(std::string_view name) const;

  std::unique_ptr<zip, ArchiveClose> archive_;
  size_t archive_bytes_ = 0;
  ZipLimits limits_;
  uint64_t total_read_ = 0;
  std::unordered_map<std::string, uint64_t> names_;         // name -> index, first wins
  std::unordered_map<std::string, uint64_t> folded_names_;  // lower-case ASCII name -> index
};

}  // namespace wissen::crawler

// Where the lexical index lives on disk.
//
// The index is known by its root path, <data.dir>/index/lexical. Compaction writes a new,
// compact copy beside it (<root>.000001, <root>.000002, ...) while searches keep reading the
// old one, then replaces <root>.current, a one-line pointer file, atomically. Without a
// pointer the live database is <root> itself: a new index, or one written before compaction
// existed.
//
// A copy that is no longer live stays while any reader still uses it: every LexicalIndex
// holds a shared flock on its directory (a server that cannot load a new index keeps the old
// one and, with it, the lock), and removal takes the lock exclusively or skips the copy. The
// grace below only covers a reader that has read the pointer but not yet taken the lock.
#pragma once

#include <chrono>
#include <filesystem>

#include "wissen/core/result.h"

namespace wissen::store::lexical_layout {

// How long after the pointer changed copies that are no longer live may be removed.
inline constexpr std::chrono::minutes kSupersededGrace{10};

// A shared flock on a directory, held while reading the database in it. Movable, not copyable.
class ReaderLock {
 public:
  ReaderLock() = default;
  // Fails when the directory cannot be opened (it was removed meanwhile).
  static Result<ReaderLock> Acquire(const std::filesystem::path& dir);
  ReaderLock(ReaderLock&& other) noexcept;
  ReaderLock& operator=(ReaderLock&& other) noexcept;
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;
  ~ReaderLock();

 private:
  int fd_ = -1;
};

// <root>.current.
std::filesystem::path PointerFile(const std::filesystem::path& root);

// The live database's directory: the one the pointer names, or <root> without a pointer.
// Fails when the pointer is damaged or names a directory that does not exist (a copy must
// never silently turn into an empty index).
Result<std::filesystem::path> LiveDirectory(const std::filesystem::path& root);

// The directory for the next compacted copy: numbered one above `live`. Copies numbered above
// `live` were never live (a compaction that crashed before its pointer was written) and are
// removed first. Call only while holding the write lock of `live`: then no other writer is
// making a copy.
std::filesystem::path NextCopyDirectory(const std::filesystem::path& root,
                                        const std::filesystem::path& live);

// Makes `dir` (a copy beside root) live: durable pointer write, atomic for readers.
Result<void> MakeLive(const std::filesystem::path& root, const std::filesystem::path& dir);

// Removes every copy that is not live (and <root> itself when a copy is live) and that no
// reader holds, once the pointer has been unchanged for `grace`. Call only while holding the
// write lock of the live database. Returns the number of directories removed.
int RemoveSuperseded(const std::filesystem::path& root, std::chrono::seconds grace);

}  // namespace wissen::store::lexical_layout

// Where the lexical index lives on disk.
//
// The index is known by its root path, <data.dir>/index/lexical. Compaction writes a new,
// compact copy beside it (<root>.000001, <root>.000002, ...) while searches keep reading the
// old one, then replaces <root>.current, a one-line pointer file, atomically. Without a
// pointer the live database is <root> itself: a new index, or one written before compaction
// existed.
//
// A copy that is no longer live stays until a server still reading it has moved on: the
// server polls for a new index every few seconds (at most an hour, `index_poll_seconds`),
// and opens its per-thread Xapian handles lazily from the directory path.
#pragma once

#include <chrono>
#include <filesystem>

#include "wissen/core/result.h"

namespace wissen::store::lexical_layout {

// How long a copy that is no longer live is kept.
inline constexpr std::chrono::hours kSupersededGrace{2};

// <root>.current.
std::filesystem::path PointerFile(const std::filesystem::path& root);

// The live database's directory: the one the pointer names, or <root> without a pointer.
// Fails when the pointer is damaged or names a directory that does not exist (a copy must
// never silently turn into an empty index).
Result<std::filesystem::path> LiveDirectory(const std::filesystem::path& root);

// A directory for the next compacted copy, numbered above every existing one. Removes what a
// crashed attempt may have left there; it was never live.
std::filesystem::path NextCopyDirectory(const std::filesystem::path& root);

// Makes `dir` (a copy beside root) live: durable pointer write, atomic for readers.
Result<void> MakeLive(const std::filesystem::path& root, const std::filesystem::path& dir);

// Removes every copy that is not live (and <root> itself when a copy is live), once the
// pointer has been unchanged for `grace`. Returns the number of directories removed.
int RemoveSuperseded(const std::filesystem::path& root, std::chrono::seconds grace);

}  // namespace wissen::store::lexical_layout

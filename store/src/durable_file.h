// Durable small-file writes for the index directories: a pointer file such as vectors/CURRENT
// must name a complete directory after a crash, never a half-written one.
#pragma once

#include <filesystem>
#include <string>

#include "wissen/core/result.h"

namespace wissen::store {

// Writes `content` to `path` durably: temp file, fsync, rename, fsync of the directory.
// Readers see the old content or the new, never a mix.
Result<void> WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

// fsyncs a file written by other means (FAISS writes its files itself).
Result<void> SyncFile(const std::filesystem::path& path);

// fsyncs a directory, so that the entries of the files in it are durable (Xapian syncs the
// files it writes, not the directory that holds them).
Result<void> SyncDirectory(const std::filesystem::path& dir);

}  // namespace wissen::store

#include "durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace wissen::store {
namespace fs = std::filesystem;

Result<void> WriteFileAtomically(const fs::path& path, const std::string& content) {
  const fs::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot write " + temp.string());
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return Fail(ErrorCode::kIo, "cannot write " + temp.string());
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Fail(ErrorCode::kIo, "cannot sync " + temp.string());
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return Fail(ErrorCode::kIo, "cannot rename " + temp.string());
  }
  // The rename is durable once the directory is. A failure here is not reported: the new
  // content is already what readers see, and the file system flushes the directory soon.
  (void)SyncDirectory(path.parent_path());
  return {};
}

Result<void> SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot open " + path.string());
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Fail(ErrorCode::kIo, "cannot sync " + path.string());
  return {};
}

Result<void> SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot open " + dir.string());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Fail(ErrorCode::kIo, "cannot sync " + dir.string());
  return {};
}

}  // namespace wissen::store

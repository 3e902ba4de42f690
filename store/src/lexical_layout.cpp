#include "lexical_layout.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "durable_file.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"
#include "wissen/store/index_layout.h"

namespace wissen::store::lexical_layout {
namespace fs = std::filesystem;

namespace {

constexpr size_t kNumberDigits = 6;

// The number of a copy's directory name (<root name>.000042 -> 42; more digits past
// 999999), or nothing for any other name.
std::optional<int64_t> CopyNumber(const fs::path& root, const std::string& name) {
  const std::string prefix = root.filename().string() + ".";
  if (!name.starts_with(prefix) || name.size() < prefix.size() + kNumberDigits ||
      name.size() > prefix.size() + 15) {
    return std::nullopt;
  }
  const std::string digits = name.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

std::vector<fs::path> Copies(const fs::path& root) {
  std::vector<fs::path> copies;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root.parent_path(), ec)) {
    if (entry.is_directory(ec) && CopyNumber(root, entry.path().filename().string())) {
      copies.push_back(entry.path());
    }
  }
  std::sort(copies.begin(), copies.end());
  return copies;
}

}  // namespace

fs::path PointerFile(const fs::path& root) { return index_layout::LexicalPointerOf(root); }

Result<fs::path> LiveDirectory(const fs::path& root) {
  const fs::path pointer = PointerFile(root);
  std::error_code ec;
  if (!fs::exists(pointer, ec)) return root;
  std::ifstream in(pointer);
  std::string name;
  if (!in || !std::getline(in, name)) {
    return Fail(ErrorCode::kIo, "cannot read the lexical index pointer " + pointer.string());
  }
  name = std::string(TrimAscii(name));
  const std::string repair = "; remove it to rebuild the lexical index with the next crawl";
  if (!CopyNumber(root, name)) {
    return Fail(ErrorCode::kInternal,
                "the lexical index pointer " + pointer.string() + " is damaged" + repair);
  }
  const fs::path dir = root.parent_path() / name;
  if (!fs::is_directory(dir, ec)) {
    return Fail(ErrorCode::kInternal, "the lexical index pointer " + pointer.string() + " names " +
                                          dir.string() + ", which does not exist" + repair);
  }
  return dir;
}

fs::path NextCopyDirectory(const fs::path& root, const fs::path& live) {
  const int64_t live_number = CopyNumber(root, live.filename().string()).value_or(0);
  std::error_code ec;
  for (const fs::path& copy : Copies(root)) {
    if (*CopyNumber(root, copy.filename().string()) > live_number) {
      fs::remove_all(copy, ec);
      log::Info("lexical.copy_removed", {{"dir", copy.string()}, {"reason", "never live"}});
    }
  }
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*lld", static_cast<int>(kNumberDigits),
                static_cast<long long>(live_number + 1));
  return root.parent_path() / (root.filename().string() + "." + digits);
}

Result<ReaderLock> ReaderLock::Acquire(const fs::path& dir) {
  ReaderLock lock;
  lock.fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock.fd_ < 0) return Fail(ErrorCode::kIo, "cannot open " + dir.string());
  if (::flock(lock.fd_, LOCK_SH) != 0) return Fail(ErrorCode::kIo, "cannot lock " + dir.string());
  return lock;
}

ReaderLock::ReaderLock(ReaderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

ReaderLock& ReaderLock::operator=(ReaderLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

ReaderLock::~ReaderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Result<void> MakeLive(const fs::path& root, const fs::path& dir) {
  return WriteFileAtomically(PointerFile(root), dir.filename().string() + "\n");
}

int RemoveSuperseded(const fs::path& root, std::chrono::seconds grace) {
  const fs::path pointer = PointerFile(root);
  std::error_code ec;
  const auto since = fs::last_write_time(pointer, ec);
  if (ec) return 0;  // no pointer: <root> is live and there are no copies to remove
  if (fs::file_time_type::clock::now() - since < grace) return 0;
  auto live = LiveDirectory(root);
  if (!live) return 0;
  std::vector<fs::path> superseded = Copies(root);
  if (fs::is_directory(root, ec)) superseded.push_back(root);
  int removed = 0;
  for (const fs::path& dir : superseded) {
    if (dir == *live) continue;
    // Held for the removal, so no reader can take the directory meanwhile.
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      log::Info("lexical.copy_kept", {{"dir", dir.string()}, {"reason", "a reader uses it"}});
      continue;
    }
    if (fs::remove_all(dir, ec) > 0 && !ec) {
      ++removed;
      log::Info("lexical.copy_removed", {{"dir", dir.string()}, {"reason", "superseded"}});
    }
    ::close(fd);
  }
  return removed;
}

}  // namespace wissen::store::lexical_layout

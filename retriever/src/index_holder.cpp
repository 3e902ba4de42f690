#include "wissen/retriever/index_holder.h"

#include <fstream>
#include <sstream>

#include "wissen/core/log.h"
#include "wissen/store/index_layout.h"

namespace wissen::retriever {

IndexHolder::IndexHolder(std::filesystem::path index_root) : index_root_(std::move(index_root)) {
  current_.store(std::make_shared<const retriever::IndexSnapshot>());
}

IndexHolder::~IndexHolder() { Stop(); }

namespace {

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string IndexHolder::ReadPointer() const {
  // The vector index's CURRENT names the live generation; publishing replaces it atomically
  // after the lexical index has committed, so a changed pointer means a complete new index.
  // The lexical pointer changes when a compaction moved the lexical index, which can happen
  // in a crawl that publishes no new generation (the first crawl after an upgrade). The old
  // directory is removed a while later, so the server must move on then too.
  return ReadWholeFile(store::index_layout::VectorPointerFile(index_root_)) + "\n" +
         ReadWholeFile(store::index_layout::LexicalPointerFile(index_root_));
}

Result<void> IndexHolder::Refresh() {
  const std::string pointer = ReadPointer();
  auto snapshot = retriever::LoadSnapshot(index_root_);
  std::lock_guard lock(mutex_);
  if (!snapshot) {
    last_error_ = snapshot.error().message;
    return Fail(snapshot.error());
  }
  const int64_t before = current_.load()->generation;
  current_.store(*snapshot);
  loaded_pointer_ = pointer;
  last_error_.clear();
  if ((*snapshot)->generation != before) {
    log::Info("server.index_loaded", {{"generation", (*snapshot)->generation}});
  }
  return {};
}

void IndexHolder::StartWatching(int interval_seconds) {
  watcher_ = std::thread([this, interval_seconds] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(interval_seconds),
                           [this] { return stopping_; })) {
      const std::string pointer = loaded_pointer_;
      lock.unlock();
      if (ReadPointer() != pointer) {
        if (auto loaded = Refresh(); !loaded) {
          // Keep serving the generation we have; the next poll tries again.
          log::Warn("server.index_load_failed", {{"error", loaded.error().message}});
        }
      }
      lock.lock();
    }
  });
}

void IndexHolder::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::string IndexHolder::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace wissen::retriever

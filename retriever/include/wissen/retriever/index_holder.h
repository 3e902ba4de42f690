// IndexHolder: the live index generation of a running server.
//
// Queries take the current snapshot with one atomic load and keep it for their whole run,
// so the query path takes no locks. A background thread looks at the index's pointer files
// (vectors/CURRENT, lexical.current) every few seconds; when a crawl (in this process or a
// cron job's) has published a new generation or moved the lexical index, it loads it and
// swaps it in. Old snapshots die with their last query.
// Deletions and ACL changes do not wait for this: the retriever's final PostgreSQL check
// applies them at once. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "wissen/core/result.h"
#include "wissen/retriever/retriever.h"

namespace wissen::retriever {

class IndexHolder {
 public:
  explicit IndexHolder(std::filesystem::path index_root);
  ~IndexHolder();

  // Loads the live generation now (an empty snapshot when none exists yet).
  Result<void> Refresh();
  // Starts polling every `interval_seconds`. Call once.
  void StartWatching(int interval_seconds);
  void Stop();

  // Never null after a successful Refresh.
  std::shared_ptr<const retriever::IndexSnapshot> Current() const { return current_.load(); }
  // The error of the last failed load, "" when the last load succeeded.
  std::string last_error() const;

 private:
  std::string ReadPointer() const;

  const std::filesystem::path index_root_;
  std::atomic<std::shared_ptr<const retriever::IndexSnapshot>> current_;
  std::string loaded_pointer_;  // watcher thread only (and Refresh before it starts)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string last_error_;
  std::thread watcher_;
};

}  // namespace wissen::retriever

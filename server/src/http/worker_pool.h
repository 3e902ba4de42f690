// WorkerPool: the server's own threads for everything that may block (PostgreSQL, FAISS,
// Xapian, model calls), so cpprestsdk's small shared I/O pool never waits on them.
//
// The queue is bounded: when it is full, TrySubmit refuses at once and the caller answers
// 503 with Retry-After instead of letting latency grow without limit. Each worker owns its
// database connections (WorkerContext), opened on first use and reopened after a failure.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "wissen/core/result.h"
#include "wissen/store/accounts.h"
#include "wissen/store/catalog.h"
#include "wissen/store/conversations.h"

namespace wissen::server {

// One worker's connections. Not thread-safe; used only by its worker.
class WorkerContext {
 public:
  explicit WorkerContext(std::string connection_string)
      : connection_string_(std::move(connection_string)) {}
  Result<store::Catalog*> catalog();
  Result<store::Accounts*> accounts();
  Result<store::Conversations*> conversations();
  // Drops every connection; the next use reconnects. Called after kUnavailable.
  void Reset();

 private:
  std::string connection_string_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<store::Accounts> accounts_;
  std::unique_ptr<store::Conversations> conversations_;
};

class WorkerPool {
 public:
  using Task = std::function<void(WorkerContext&)>;

  WorkerPool(int threads, int queue_capacity, const std::string& connection_string);
  // Finishes the queued tasks, then joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and the task is dropped) when the queue is full or the pool stops.
  bool TrySubmit(Task task);
  // Stops accepting tasks, runs those queued, joins the workers. Idempotent.
  void Shutdown();

  int64_t queued() const;
  int64_t rejected() const;

 private:
  void Run(WorkerContext& context);

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  int64_t rejected_ = 0;
  std::vector<std::unique_ptr<WorkerContext>> contexts_;
  std::vector<std::thread> threads_;
};

}  // namespace wissen::server

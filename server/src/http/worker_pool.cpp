#include "http/worker_pool.h"

#include "wissen/core/log.h"

namespace wissen::server {

Result<store::Catalog*> WorkerContext::catalog() {
  if (!catalog_) {
    auto connected = store::Catalog::Connect(connection_string_);
    if (!connected) return Fail(connected.error());
    catalog_ = std::move(*connected);
  }
  return catalog_.get();
}

Result<store::Accounts*> WorkerContext::accounts() {
  if (!accounts_) {
    auto connected = store::Accounts::Connect(connection_string_);
    if (!connected) return Fail(connected.error());
    accounts_ = std::move(*connected);
  }
  return accounts_.get();
}

Result<store::Conversations*> WorkerContext::conversations() {
  if (!conversations_) {
    auto connected = store::Conversations::Connect(connection_string_);
    if (!connected) return Fail(connected.error());
    conversations_ = std::move(*connected);
  }
  return conversations_.get();
}

void WorkerContext::Reset() {
  catalog_.reset();
  accounts_.reset();
  conversations_.reset();
}

WorkerPool::WorkerPool(int threads, int queue_capacity, const std::string& connection_string)
    : capacity_(static_cast<size_t>(queue_capacity)) {
  for (int i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<WorkerContext>(connection_string));
  }
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, context = contexts_[i].get()] { Run(*context); });
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || tasks_.size() >= capacity_) {
      ++rejected_;
      return false;
    }
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

int64_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(tasks_.size());
}

int64_t WorkerPool::rejected() const {
  std::lock_guard lock(mutex_);
  return rejected_;
}

void WorkerPool::Run(WorkerContext& context) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task(context);
    } catch (const std::exception& e) {
      // A handler bug must not take the worker down; the handler has replied or the
      // client sees the connection close.
      log::Error("server.task_failed", {{"error", e.what()}});
      context.Reset();
    }
  }
}

}  // namespace wissen::server

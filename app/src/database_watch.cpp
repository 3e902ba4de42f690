#include "wissen/app/database_watch.h"

#include <algorithm>

#include "wissen/core/log.h"

namespace wissen::app {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DatabaseWatch::DatabaseWatch(const Runtime& runtime, DatabaseWatchOptions options)
    : runtime_(runtime), options_(options), last_ok_ns_(NowNs()) {
  thread_ = std::thread([this] { Run(); });
}

DatabaseWatch::~DatabaseWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool DatabaseWatch::Healthy() const {
  const auto silent = std::chrono::nanoseconds(NowNs() - last_ok_ns_.load());
  return silent <= options_.grace;
}

bool DatabaseWatch::CheckOnce(std::unique_ptr<store::Catalog>& connection) {
  if (connection) {
    if (connection->GetIndexState()) return true;
    connection.reset();  // a broken pqxx connection never recovers: open a new one
  }
  auto restarted = runtime_.EnsureDatabaseRunning();
  if (!restarted) {
    log::Warn("database.restart_failed", {{"error", restarted.error().ToString()}});
    return false;
  }
  if (*restarted) restarts_.fetch_add(1, std::memory_order_relaxed);
  auto connected = runtime_.NewCatalog();
  if (!connected) return false;
  connection = std::move(*connected);
  return static_cast<bool>(connection->GetIndexState());
}

void DatabaseWatch::Run() {
  std::unique_ptr<store::Catalog> connection;
  std::chrono::milliseconds pause = options_.interval;
  bool was_ok = true;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    const bool ok = CheckOnce(connection);
    lock.lock();
    if (ok) {
      last_ok_ns_.store(NowNs());
      if (!was_ok) log::Info("database.recovered", {});
      pause = options_.interval;
    } else {
      if (was_ok) log::Warn("database.unreachable", {});
      // Back off while the database stays away, so a broken cluster is not restarted in a
      // tight loop.
      pause = std::min(options_.max_backoff, pause * 2);
    }
    was_ok = ok;
    wake_.wait_for(lock, pause, [this] { return stop_; });
  }
}

}  // namespace wissen::app

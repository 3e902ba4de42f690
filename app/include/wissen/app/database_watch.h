// DatabaseWatch: keeps an eye on the database while `wissen serve` runs. Every few seconds it
// asks PostgreSQL a trivial question over its own connection; when the embedded cluster is
// no longer running (a crash, kill -9, the OOM killer), it starts it again, with backoff
// while starting fails. Requests in the meantime get 503 and never wrong data; the workers'
// connections reconnect on their next use.
//
// `Healthy()` turns false once the database has not answered for `grace`, so /healthz can tell
// systemd or a load balancer that this replica cannot serve. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "wissen/app/runtime.h"

namespace wissen::app {

struct DatabaseWatchOptions {
  // Time between checks while the database answers. Default: 2 s.
  std::chrono::milliseconds interval{2000};
  // Longest pause between attempts to restart a cluster that does not start. Default: 30 s.
  std::chrono::milliseconds max_backoff{30000};
  // How long the database may be unreachable before Healthy() says so. Default: 30 s.
  std::chrono::milliseconds grace{30000};
};

class DatabaseWatch {
 public:
  // Starts the watching thread. `runtime` must outlive the watch.
  DatabaseWatch(const Runtime& runtime, DatabaseWatchOptions options);
  // Stops and joins the thread.
  ~DatabaseWatch();
  DatabaseWatch(const DatabaseWatch&) = delete;
  DatabaseWatch& operator=(const DatabaseWatch&) = delete;

  // False once the database has not answered for longer than the grace period.
  bool Healthy() const;
  // Times the embedded cluster was started again.
  int64_t restarts() const { return restarts_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // One check: probe, restart the cluster if needed. True when the database answered.
  bool CheckOnce(std::unique_ptr<store::Catalog>& connection);

  const Runtime& runtime_;
  const DatabaseWatchOptions options_;
  std::atomic<int64_t> last_ok_ns_;  // steady_clock, when the database last answered
  std::atomic<int64_t> restarts_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wissen::app

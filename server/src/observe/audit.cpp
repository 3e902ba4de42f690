// AuditTrail: turns events into pseudonymized rows on the caller's thread and writes them
// from one background thread, so a slow or unreachable database never holds up a request.
#include "wissen/server/audit.h"

#include <chrono>

#include "wissen/core/log.h"

namespace wissen::server {

namespace {

// Logs the 1st, 2nd, 4th, 8th, ... drop: loud enough to notice, bounded when the database
// is gone for hours. The metric counts every one.
bool ShouldLogDrop(uint64_t total) { return (total & (total - 1)) == 0; }

// How long the writer waits for more records once one is queued. Under load this turns one
// insert (and one WAL flush) per request into one per batch; when idle it delays a record's
// write by at most this much. Shutdown and a full batch do not wait.
constexpr auto kGatherTime = std::chrono::milliseconds(20);

}  // namespace

Result<std::unique_ptr<AuditTrail>> AuditTrail::Open(const app::AuditConfig& config,
                                                     const std::string& connection_string) {
  if (!config.enabled) return std::unique_ptr<AuditTrail>(new AuditTrail(Disabled{}));
  auto key = app::AuditKey::LoadOrCreate(config.key_file);
  if (!key) return Fail(key.error());
  auto connected = store::AuditStore::Connect(connection_string);
  if (!connected) return Fail(connected.error());
  // Only the writer thread uses the store; std::function needs a copyable callable. A
  // connection the database dropped (restart, failover) is replaced before the next attempt.
  auto audit_store = std::make_shared<std::unique_ptr<store::AuditStore>>(std::move(*connected));
  AuditTrailOptions options;
  options.queue_size = static_cast<size_t>(config.queue_size);
  options.store_questions = config.store_questions;
  return std::make_unique<AuditTrail>(
      std::move(*key), options,
      [audit_store,
       connection_string](std::span<const store::AuditRecord> records) -> Result<void> {
        if (!*audit_store) {
          auto reconnected = store::AuditStore::Connect(connection_string);
          if (!reconnected) return Fail(reconnected.error());
          *audit_store = std::move(*reconnected);
        }
        auto written = (*audit_store)->Append(records);
        if (!written && written.error().code == ErrorCode::kUnavailable) {
          audit_store->reset();
        }
        return written;
      });
}

AuditTrail::AuditTrail(Disabled) {}

AuditTrail::AuditTrail(app::AuditKey key, AuditTrailOptions options, AuditWriter writer)
    : key_(std::make_unique<app::AuditKey>(std::move(key))),
      options_(options),
      writer_(std::move(writer)) {
  if (options_.batch_size == 0) options_.batch_size = 1;
  if (options_.write_attempts < 1) options_.write_attempts = 1;
  thread_ = std::thread([this] { Run(); });
}

AuditTrail::~AuditTrail() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

store::AuditRecord AuditTrail::MakeRecord(const AuditEvent& event) const {
  store::AuditRecord record;
  record.at = std::chrono::system_clock::now();
  if (key_ == nullptr) return record;
  record.user_pseudonym = key_->Pseudonym(event.user);
  record.action = event.action;
  record.query_hash = key_->QueryHash(event.query);
  record.document_ids.reserve(event.documents.size());
  record.document_acls.reserve(event.documents.size());
  for (const auto& document : event.documents) {
    record.document_ids.push_back(document.id);
    record.document_acls.push_back(document.acl.Key());
  }
  record.generator = event.generator;
  record.status = event.status;
  record.latency_ms = event.latency_ms;
  record.injection_flag = event.injection_flag;
  if (options_.store_questions && !event.query.empty()) {
    record.question_sealed = key_->SealQuestion(event.query);
  }
  return record;
}

bool AuditTrail::Record(const AuditEvent& event) {
  if (!enabled()) return true;
  store::AuditRecord record = MakeRecord(event);
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < options_.queue_size && !stop_) {
      queue_.push_back(std::move(record));
      ++accepted_;
      // The writer waits for the first record, then for a full batch; other pushes need not
      // wake it.
      if (queue_.size() == 1 || queue_.size() == options_.batch_size) work_cv_.notify_one();
      return true;
    }
  }
  const uint64_t total = dropped_full_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (ShouldLogDrop(total)) {
    log::Warn("audit.record_dropped",
              {{"reason", "queue full"}, {"dropped_total", total}, {"action", event.action}});
  }
  return false;
}

void AuditTrail::Flush() {
  if (!enabled()) return;
  std::unique_lock lock(mutex_);
  const uint64_t target = accepted_;
  done_cv_.wait(lock, [&] { return finished_ >= target; });
}

void AuditTrail::Run() {
  std::vector<store::AuditRecord> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      // On stop, what is queued is still written.
      if (queue_.empty()) return;
      work_cv_.wait_for(lock, kGatherTime,
                        [&] { return stop_ || queue_.size() >= options_.batch_size; });
      const size_t n = std::min(queue_.size(), options_.batch_size);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    WriteBatch(batch);
    {
      std::lock_guard lock(mutex_);
      finished_ += batch.size();
    }
    done_cv_.notify_all();
    batch.clear();
  }
}

void AuditTrail::WriteBatch(const std::vector<store::AuditRecord>& batch) {
  Error last_error;
  for (int attempt = 1; attempt <= options_.write_attempts; ++attempt) {
    auto written = writer_(batch);
    if (written) {
      written_.fetch_add(batch.size(), std::memory_order_relaxed);
      return;
    }
    last_error = written.error();
    if (attempt < options_.write_attempts) {
      // Short backoff: a reconnecting database usually answers within a second, and the
      // bounded queue absorbs what arrives meanwhile.
      std::this_thread::sleep_for(std::chrono::milliseconds(250 * attempt));
    }
  }
  const uint64_t total =
      dropped_failed_.fetch_add(batch.size(), std::memory_order_relaxed) + batch.size();
  log::Warn(
      "audit.write_failed",
      {{"records", batch.size()}, {"dropped_total", total}, {"error", last_error.ToString()}});
}

}  // namespace wissen::server

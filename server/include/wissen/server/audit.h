// The audit trail: one row per ask, search and document access, showing who used what
// without storing what was asked.
//
// The user appears only as a pseudonym: HMAC-SHA256 of the user name under a key derived
// from the audit key, so the rows of one user can be grouped, and an auditor holding the key
// can find a named user's rows (`wissen audit show --user`), but the table alone names no
// one. The query is a keyed hash too (a plain SHA-256 of "Gehalt Müller?" is reversed by
// hashing likely questions). The question text is stored only with
// [audit] store_questions = true, and then sealed with libsodium's secretbox.
//
// Keys: see wissen/app/audit_key.h.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "wissen/app/audit_key.h"
#include "wissen/app/config.h"
#include "wissen/core/acl.h"
#include "wissen/core/result.h"
#include "wissen/store/audit_store.h"

namespace wissen::server {

// One document an event returned or read, with its ACL at that moment.
struct AuditDocument {
  int64_t id = 0;
  Acl acl;
};

// What the server knows about one request. Clear text goes in; AuditTrail::Record turns it
// into a pseudonymized row before it leaves the calling thread.
struct AuditEvent {
  std::string user;    // user name; only its pseudonym is stored
  std::string action;  // "ask", "search", "document", "file", "chat_completions", ...
  std::string query;   // question or search query; empty for document reads
  std::vector<AuditDocument> documents;
  std::string generator;  // app::Answer::generator; empty when nothing was generated
  std::string status;     // HTTP status ("200", "404") or "ok" / "error"
  double latency_ms = 0;
  bool injection_flag = false;  // app::Answer::injection_suspected
};

struct AuditTrailOptions {
  // Records waiting for the writer; beyond that Record drops them. Default: 10,000.
  size_t queue_size = 10000;
  // Store the question sealed with the key. Default: false (only its keyed hash).
  bool store_questions = false;
  // Records written in one transaction. Default: 256.
  size_t batch_size = 256;
  // Attempts to write one batch before its records are counted as lost. Default: 3.
  int write_attempts = 3;
};

// Writes a batch of records, all or none (AuditStore::Append in production).
using AuditWriter = std::function<Result<void>(std::span<const store::AuditRecord>)>;

// Thread-safe. Record() is called from many request threads and never waits for the
// database: records go into a bounded queue that one background thread writes in batches.
// When the queue is full, or a batch cannot be written after `write_attempts`, records are
// dropped, counted (dropped_*) and a warning is logged; requests are never held up.
class AuditTrail {
 public:
  // The trail `config` describes, writing through its own connection. With
  // config.enabled = false, a trail that records nothing (Record returns true). Errors:
  // those of AuditKey::LoadOrCreate and AuditStore::Connect.
  static Result<std::unique_ptr<AuditTrail>> Open(const app::AuditConfig& config,
                                                  const std::string& connection_string);
  // A trail writing through `writer` on its own thread (tests; Open uses it).
  AuditTrail(app::AuditKey key, AuditTrailOptions options, AuditWriter writer);
  // Writes what is queued, then stops the writer thread.
  ~AuditTrail();

  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // Pseudonymizes, hashes and (if configured) seals the event, and queues it. Returns false
  // when it was dropped because the queue is full.
  bool Record(const AuditEvent& event);
  // Blocks until every record queued before the call is written or counted as lost. For
  // tests and shutdown.
  void Flush();

  // The row Record() would queue (no clear user name, no clear question).
  store::AuditRecord MakeRecord(const AuditEvent& event) const;

  bool enabled() const { return static_cast<bool>(writer_); }
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  // Records dropped because the queue was full.
  uint64_t dropped_queue_full() const { return dropped_full_.load(std::memory_order_relaxed); }
  // Records lost because the database did not take them.
  uint64_t dropped_write_failed() const { return dropped_failed_.load(std::memory_order_relaxed); }

 private:
  struct Disabled {};
  explicit AuditTrail(Disabled);
  void Run();
  void WriteBatch(const std::vector<store::AuditRecord>& batch);

  std::unique_ptr<app::AuditKey> key_;  // null when disabled
  AuditTrailOptions options_;
  AuditWriter writer_;  // empty when disabled

  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<store::AuditRecord> queue_;
  uint64_t accepted_ = 0;  // records queued so far
  uint64_t finished_ = 0;  // of those, written or lost
  bool stop_ = false;

  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_full_{0};
  std::atomic<uint64_t> dropped_failed_{0};
  std::thread thread_;
};

}  // namespace wissen::server

// AuditStore: the audit_log table (migrations/0005_audit.sql). It stores what the server
// hands it and knows nothing of keys: pseudonyms, query hashes and encrypted questions are
// made in server/ (AuditTrail), so this table alone reveals no user name and no question.
//
// One AuditStore owns one database connection and is not thread-safe; give each thread its
// own (the server's AuditTrail writes from a single background thread). Every method maps
// libpqxx exceptions to an Error (kUnavailable when the database cannot be reached,
// kInternal otherwise) without SQL in the message.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::store {

struct AuditRecord {
  int64_t id = 0;  // assigned by the database; ignored by Append
  // When it happened. The epoch (default) means "now" on Append.
  std::chrono::system_clock::time_point at{};
  std::string user_pseudonym;  // hex HMAC of the user name, never the name
  std::string action;          // "ask", "search", "document", "file", "chat_completions", ...
  std::string query_hash;      // hex keyed hash of the query; empty when there was none
  std::vector<int64_t> document_ids;
  // Parallel to document_ids: each document's ACL as comma-joined role names.
  std::vector<std::string> document_acls;
  std::string generator;  // "extractive", "openai:<model>"; empty when nothing was generated
  std::string status;     // HTTP status ("200") or "ok" / "error"
  double latency_ms = 0;
  bool injection_flag = false;
  // Raw bytes nonce || ciphertext of the question; empty when questions are not stored.
  std::string question_sealed;
};

class AuditStore {
 public:
  // Connects. Errors: kUnavailable with libpq's reason.
  static Result<std::unique_ptr<AuditStore>> Connect(const std::string& connection_string);
  ~AuditStore();

  // Appends the records in one transaction: all or none. Errors: kInvalidArgument when
  // document_acls is neither empty nor as long as document_ids.
  Result<void> Append(std::span<const AuditRecord> records);
  Result<void> Append(const AuditRecord& record) { return Append(std::span(&record, 1)); }
  // Deletes every record older than `before`; returns how many.
  Result<int64_t> Prune(std::chrono::system_clock::time_point before);
  // The newest `limit` records of one pseudonym, newest first.
  Result<std::vector<AuditRecord>> ListByUser(const std::string& user_pseudonym, int limit);
  // Number of records.
  Result<int64_t> Count();

 private:
  struct Impl;
  explicit AuditStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

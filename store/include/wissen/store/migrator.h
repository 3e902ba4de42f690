// Schema migrations: forward-only, ordered SQL files (migrations/NNNN_name.sql) compiled
// into the binary.
#pragma once

#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::store {

struct Migration {
  int version = 0;   // NNNN from the file name
  std::string name;  // the file name, e.g. "0001_initial.sql"
  std::string sql;
};

struct MigrationReport {
  int applied = 0;          // migrations applied by this call
  int current_version = 0;  // highest version applied after the call
};

// Applies every migration newer than the database's version, each in its own transaction,
// and records version, name and SHA-256 checksum in schema_migrations. Serialized across
// processes by a transaction-scoped advisory lock. Fails (kConflict) without changing anything
// when an applied migration's checksum differs from the file's, naming the file, and
// (kConflict) when the database has a version newer than any known file (a newer wissen
// migrated it) or has a version no file has. `migrations` need not be sorted.
// Each file's SQL runs as one multi-statement query inside the transaction, so it must not
// contain transaction control or statements that refuse transactions (CREATE INDEX
// CONCURRENTLY, VACUUM). Other errors: kUnavailable when the database cannot be reached,
// kInternal when a migration fails (rolled back; the message names the file and SQLSTATE but
// holds no SQL text), kInvalidArgument for duplicate or non-positive versions.
Result<MigrationReport> ApplyMigrations(const std::string& connection_string,
                                        const std::vector<Migration>& migrations);

}  // namespace wissen::store

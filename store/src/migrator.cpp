#include "wissen/store/migrator.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::store {
namespace {

// pg_advisory_xact_lock key of the migration runner ("wissenmg" in ASCII). Other advisory
// locks in Wissen (the crawl lock) must use different keys.
constexpr long long kMigrationLockKey = 0x77697373656e6d67LL;

struct Applied {
  std::string name;
  std::string checksum;
};

// The first line of a libpq error: later lines ("LINE 3: CREATE ...") quote SQL text.
std::string FirstLine(const char* what) {
  std::string text = what;
  const auto newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

std::map<int, Applied> ReadApplied(pqxx::work& tx) {
  std::map<int, Applied> applied;
  for (const auto& row : tx.exec("SELECT version, name, checksum FROM schema_migrations")) {
    applied[row[0].as<int>()] = Applied{row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

// Whether the database is in a state this binary may migrate: every applied version is a
// known file with an unchanged checksum.
Result<void> CheckApplied(const std::map<int, Applied>& applied,
                          const std::vector<const Migration*>& known,
                          const std::vector<std::string>& checksums) {
  const int newest_known = known.empty() ? 0 : known.back()->version;
  for (const auto& [version, row] : applied) {
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const Migration* m) { return m->version == version; });
    if (it == known.end()) {
      if (version > newest_known) {
        return Fail(ErrorCode::kConflict,
                    "the database schema is at version " + std::to_string(applied.rbegin()->first) +
                        " (" + applied.rbegin()->second.name + "), newer than this wissen knows (" +
                        std::to_string(newest_known) + "); upgrade wissen");
      }
      return Fail(ErrorCode::kConflict, "the database has migration " + std::to_string(version) +
                                            " (" + row.name +
                                            ") applied, which this wissen does not know");
    }
    const std::size_t index = static_cast<std::size_t>(it - known.begin());
    if (checksums[index] != row.checksum) {
      return Fail(ErrorCode::kConflict,
                  "migration " + (*it)->name +
                      " was changed after it was applied to this database (checksum differs); "
                      "applied migrations must never be edited, add a new migration instead");
    }
  }
  return {};
}

// Applies the first pending migration, if any, in one transaction that holds the advisory
// lock. Returns the migration applied, or nullptr when the database is up to date.
Result<const Migration*> ApplyNext(pqxx::connection& connection,
                                   const std::vector<const Migration*>& known,
                                   const std::vector<std::string>& checksums, int* current) {
  pqxx::work tx(connection);
  // Held until commit or rollback, so concurrent migrators apply each file exactly once, and
  // the state is re-read under the lock.
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " name text NOT NULL,"
      " checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  const std::map<int, Applied> applied = ReadApplied(tx);
  if (auto ok = CheckApplied(applied, known, checksums); !ok) return Fail(ok.error());
  *current = applied.empty() ? 0 : applied.rbegin()->first;

  for (std::size_t i = 0; i < known.size(); ++i) {
    const Migration& migration = *known[i];
    if (applied.contains(migration.version)) continue;
    try {
      // exec() sends the file as one simple query: several statements, no parameters.
      tx.exec(migration.sql);
    } catch (const pqxx::sql_error& e) {
      return Fail(ErrorCode::kInternal, "migration " + migration.name +
                                            " failed: " + FirstLine(e.what()) + " (SQLSTATE " +
                                            e.sqlstate() + ")");
    }
    tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                   migration.version, migration.name, checksums[i]);
    tx.commit();
    *current = std::max(*current, migration.version);
    return &migration;
  }
  tx.commit();
  return nullptr;
}

}  // namespace

Result<MigrationReport> ApplyMigrations(const std::string& connection_string,
                                        const std::vector<Migration>& migrations) {
  std::vector<const Migration*> known;
  for (const Migration& migration : migrations) known.push_back(&migration);
  std::sort(known.begin(), known.end(),
            [](const Migration* a, const Migration* b) { return a->version < b->version; });
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (known[i]->version <= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "migration " + known[i]->name + " has no positive version number");
    }
    if (i > 0 && known[i]->version == known[i - 1]->version) {
      return Fail(ErrorCode::kInvalidArgument, "migrations " + known[i - 1]->name + " and " +
                                                   known[i]->name + " share a version number");
    }
  }
  std::vector<std::string> checksums;
  for (const Migration* migration : known) checksums.push_back(Sha256Hex(migration->sql));

  MigrationReport report;
  try {
    pqxx::connection connection(connection_string);
    // CREATE TABLE IF NOT EXISTS and friends send NOTICEs, which libpqxx prints to stderr.
    connection.set_variable("client_min_messages", "warning");
    for (;;) {
      auto next = ApplyNext(connection, known, checksums, &report.current_version);
      if (!next) return Fail(next.error());
      if (*next == nullptr) break;
      ++report.applied;
      log::Info("migration_applied", {{"version", (*next)->version}, {"name", (*next)->name}});
    }
  } catch (const pqxx::broken_connection& e) {
    return Fail(ErrorCode::kUnavailable, "cannot reach PostgreSQL: " + FirstLine(e.what()));
  } catch (const pqxx::in_doubt_error&) {
    return Fail(ErrorCode::kUnavailable,
                "lost the connection while committing a migration; run wissen migrate again");
  } catch (const pqxx::sql_error& e) {
    return Fail(ErrorCode::kInternal, "migration bookkeeping failed: " + FirstLine(e.what()) +
                                          " (SQLSTATE " + e.sqlstate() + ")");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("migration failed: ") + FirstLine(e.what()));
  }
  return report;
}

}  // namespace wissen::store

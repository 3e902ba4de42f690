// `wissen migrate` against a real PostgreSQL: ordering, idempotence, refusal of edited or
// unknown migrations, rollback of a failed file, and concurrent runs.
#include "wissen/store/migrator.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "test_cluster.h"
#include "wissen/core/text.h"
#include "wissen/migrations/migrations.h"

namespace wissen::store {
namespace {

std::vector<Migration> ThreeMigrations() {
  // Deliberately unsorted, and not re-runnable: applying any file twice fails.
  return {
      {3, "0003_seed.sql", "INSERT INTO counters (name, value) VALUES ('applied', 1);"},
      {1, "0001_counters.sql", "CREATE TABLE counters (name text PRIMARY KEY, value int);"},
      {2, "0002_notes.sql",
       "CREATE TABLE notes (id serial PRIMARY KEY, body text);\n"
       "CREATE INDEX notes_body ON notes (body);"},
  };
}

std::string QueryOne(const std::string& connection_string, const std::string& sql) {
  pqxx::connection connection(connection_string);
  pqxx::nontransaction tx(connection);
  return tx.exec(sql).at(0).at(0).as<std::string>();
}

TEST(MigratorTest, AppliesAllInOrderFromEmpty) {
  const std::string db = testing::FreshDatabase();
  auto report = ApplyMigrations(db, ThreeMigrations());
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->applied, 3);
  EXPECT_EQ(report->current_version, 3);

  EXPECT_EQ(QueryOne(db, "SELECT value FROM counters WHERE name = 'applied'"), "1");
  EXPECT_EQ(QueryOne(db,
                     "SELECT string_agg(version || ':' || name, ',' ORDER BY version) "
                     "FROM schema_migrations"),
            "1:0001_counters.sql,2:0002_notes.sql,3:0003_seed.sql");
  const std::string notes_sql = ThreeMigrations()[2].sql;
  EXPECT_EQ(QueryOne(db, "SELECT checksum FROM schema_migrations WHERE version = 2"),
            Sha256Hex(notes_sql));
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM schema_migrations WHERE applied_at IS NULL"), "0");
}

TEST(MigratorTest, SecondRunAppliesNothing) {
  const std::string db = testing::FreshDatabase();
  ASSERT_TRUE(ApplyMigrations(db, ThreeMigrations()));
  auto again = ApplyMigrations(db, ThreeMigrations());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->applied, 0);
  EXPECT_EQ(again->current_version, 3);
}

TEST(MigratorTest, AppliesOnlyNewMigrations) {
  const std::string db = testing::FreshDatabase();
  auto migrations = ThreeMigrations();
  ASSERT_TRUE(ApplyMigrations(db, migrations));
  migrations.push_back({4, "0004_more.sql", "ALTER TABLE notes ADD COLUMN title text;"});
  auto report = ApplyMigrations(db, migrations);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->applied, 1);
  EXPECT_EQ(report->current_version, 4);
}

TEST(MigratorTest, EditedMigrationIsRefusedByName) {
  const std::string db = testing::FreshDatabase();
  ASSERT_TRUE(ApplyMigrations(db, ThreeMigrations()));

  auto edited = ThreeMigrations();
  edited[2].sql += "\nCREATE INDEX notes_id ON notes (id);";
  edited.push_back({4, "0004_more.sql", "ALTER TABLE notes ADD COLUMN title text;"});
  auto report = ApplyMigrations(db, edited);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kConflict);
  EXPECT_NE(report.error().message.find("0002_notes.sql"), std::string::npos)
      << report.error().message;
  EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM schema_migrations"), "3")
      << "nothing is applied after a refusal";
}

TEST(MigratorTest, NewerDatabaseIsRefused) {
  const std::string db = testing::FreshDatabase();
  ASSERT_TRUE(ApplyMigrations(db, ThreeMigrations()));

  auto older = ThreeMigrations();
  older.erase(older.begin());  // this binary knows only 0001 and 0002
  auto report = ApplyMigrations(db, older);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kConflict);
  EXPECT_NE(report.error().message.find("newer"), std::string::npos) << report.error().message;
}

TEST(MigratorTest, FailedMigrationRollsBackAndNamesTheFile) {
  const std::string db = testing::FreshDatabase();
  std::vector<Migration> migrations = {
      {1, "0001_ok.sql", "CREATE TABLE kept (id int);"},
      {2, "0002_broken.sql", "CREATE TABLE half (id int);\nSELEKT secret_column FROM nowhere;"},
  };
  auto report = ApplyMigrations(db, migrations);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInternal);
  EXPECT_NE(report.error().message.find("0002_broken.sql"), std::string::npos)
      << report.error().message;
  EXPECT_EQ(report.error().message.find("secret_column"), std::string::npos)
      << "no SQL text in errors: " << report.error().message;

  EXPECT_EQ(QueryOne(db, "SELECT max(version) FROM schema_migrations"), "1");
  EXPECT_EQ(QueryOne(db, "SELECT to_regclass('half') IS NULL"), "t")
      << "a failed migration leaves nothing behind";
  EXPECT_EQ(QueryOne(db, "SELECT to_regclass('kept') IS NOT NULL"), "t");
}

TEST(MigratorTest, UnreachableDatabaseIsUnavailable) {
  const std::string missing = testing::MakeTempDir("no-server-").string();
  auto report = ApplyMigrations("host=" + missing + " dbname=x user=wissen", ThreeMigrations());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kUnavailable);
}

TEST(MigratorTest, DuplicateVersionsAreRejected) {
  auto migrations = ThreeMigrations();
  migrations.push_back({2, "0002_other.sql", "SELECT 1;"});
  auto report = ApplyMigrations(testing::FreshDatabase(), migrations);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
}

TEST(MigratorTest, ConcurrentMigratorsApplyEachFileOnce) {
  const std::string db = testing::FreshDatabase();
  constexpr int kMigrators = 4;
  std::vector<Result<MigrationReport>> reports(kMigrators, Fail(ErrorCode::kInternal, "unset"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { reports[i] = ApplyMigrations(db, ThreeMigrations()); });
  }
  for (auto& thread : threads) thread.join();

  int applied = 0;
  for (const auto& report : reports) {
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->current_version, 3);
    applied += report->applied;
  }
  EXPECT_EQ(applied, 3);
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM schema_migrations"), "3");
  EXPECT_EQ(QueryOne(db, "SELECT value FROM counters WHERE name = 'applied'"), "1");
}

std::vector<Migration> RealMigrations() {
  std::size_t count = 0;
  const migrations::EmbeddedMigration* all = migrations::All(&count);
  std::vector<Migration> result;
  for (std::size_t i = 0; i < count; ++i)
    result.push_back({all[i].version, all[i].name, all[i].sql});
  return result;
}

TEST(MigratorTest, RealMigrationsApplyFromEmpty) {
  const auto real = RealMigrations();
  ASSERT_FALSE(real.empty());
  const std::string db = testing::FreshDatabase();
  auto report = ApplyMigrations(db, real);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->applied, static_cast<int>(real.size()));
  EXPECT_EQ(report->current_version, real.back().version);
  for (const char* table : {"sources", "documents", "chunks", "crawl_runs", "index_state"}) {
    EXPECT_EQ(QueryOne(db, std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
  auto again = ApplyMigrations(db, real);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->applied, 0);
}

}  // namespace
}  // namespace wissen::store

// The audit trail on a real PostgreSQL: what a row holds by default and with
// store_questions, pruning by age, and `wissen audit show/prune` through the real binary.
#include "wissen/server/audit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "test_cluster.h"
#include "wissen/app/config.h"
#include "wissen/app/runtime.h"
#include "wissen/store/audit_store.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::system_clock;

constexpr const char* kQuestion = "Wie hoch ist das Gehaltsband von Frau Müller?";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("audit-");
    database_url_ = testing::FreshDatabase();
  }

  // Writes wissen.toml with `audit` as the [audit] body and opens the runtime (migrations).
  app::Config Open(const std::string& audit = "") {
    config_file_ = dir_ / "wissen.toml";
    std::ofstream(config_file_) << "[data]\ndir = \"data\"\n[database]\nurl = \"" + database_url_ +
                                       "\"\n[audit]\n" + audit;
    auto config = app::LoadConfig(config_file_);
    EXPECT_TRUE(config) << config.error().message;
    auto runtime = app::Runtime::Open(*config);
    EXPECT_TRUE(runtime) << runtime.error().message;
    runtime_ = std::move(*runtime);
    return *config;
  }

  std::unique_ptr<server::AuditTrail> Trail(const app::Config& config) {
    auto trail = server::AuditTrail::Open(config.audit, database_url_);
    EXPECT_TRUE(trail) << trail.error().message;
    return std::move(*trail);
  }

  static server::AuditEvent Ask(const std::string& user) {
    server::AuditEvent event;
    event.user = user;
    event.action = "ask";
    event.query = kQuestion;
    event.documents = {{11, Acl({"hr"})}, {12, Acl({})}, {13, Acl({"everyone", "rnd"})}};
    event.generator = "extractive";
    event.status = "200";
    event.latency_ms = 42;
    return event;
  }

  // Runs the real binary; returns exit code and stdout.
  std::pair<int, std::string> Wissen(const std::string& args) {
    const std::string command =
        std::string(WISSEN_BINARY) + " --config " + config_file_.string() + " " + args;
    FILE* pipe = ::popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr);
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = ::pclose(pipe);
    return {WEXITSTATUS(status), output};
  }

  // Every byte of the audit table as text, for "no clear text anywhere" checks.
  std::string DumpTable() {
    pqxx::connection connection(database_url_);
    pqxx::read_transaction tx(connection);
    std::string all;
    for (const auto& row : tx.exec("SELECT audit_log::text FROM audit_log")) {
      all += row[0].as<std::string>() + "\n";
    }
    return all;
  }

  fs::path dir_;
  fs::path config_file_;
  std::string database_url_;
  std::unique_ptr<app::Runtime> runtime_;
};

TEST_F(AuditTest, RecordsHoldNoQuestionTextByDefaultAndTheKeyIsPrivate) {
  const app::Config config = Open();
  EXPECT_EQ(config.audit.key_file, config.data_dir / "audit.key");
  {
    auto trail = Trail(config);
    ASSERT_TRUE(trail->Record(Ask("anna")));
    trail->Flush();
    EXPECT_EQ(trail->written(), 1u);
  }
  struct stat st {};
  ASSERT_EQ(::stat(config.audit.key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto key = app::AuditKey::Load(config.audit.key_file);
  ASSERT_TRUE(key);
  auto audit_store = store::AuditStore::Connect(database_url_);
  ASSERT_TRUE(audit_store);
  auto records = (*audit_store)->ListByUser(key->Pseudonym("anna"), 10);
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  const store::AuditRecord& r = (*records)[0];
  EXPECT_EQ(r.action, "ask");
  EXPECT_EQ(r.status, "200");
  EXPECT_EQ(r.generator, "extractive");
  EXPECT_DOUBLE_EQ(r.latency_ms, 42);
  EXPECT_EQ(r.query_hash, key->QueryHash(kQuestion));
  EXPECT_EQ(r.document_ids, (std::vector<int64_t>{11, 12, 13}));
  // The empty ACL stays an element of its own.
  EXPECT_EQ(r.document_acls, (std::vector<std::string>{"hr", "", "everyone,rnd"}));
  EXPECT_TRUE(r.question_sealed.empty());
  EXPECT_LT(system_clock::now() - r.at, hours(1));

  const std::string table = DumpTable();
  EXPECT_EQ(table.find("anna"), std::string::npos) << table;
  EXPECT_EQ(table.find("Gehaltsband"), std::string::npos) << table;
}

TEST_F(AuditTest, StoredQuestionIsCiphertextThatOpensWithTheKey) {
  const app::Config config = Open("store_questions = true\n");
  {
    auto trail = Trail(config);
    trail->Record(Ask("anna"));
  }  // the destructor writes what is queued
  EXPECT_EQ(DumpTable().find("Gehaltsband"), std::string::npos);
  auto key = app::AuditKey::Load(config.audit.key_file);
  ASSERT_TRUE(key);
  auto audit_store = store::AuditStore::Connect(database_url_);
  ASSERT_TRUE(audit_store);
  auto records = (*audit_store)->ListByUser(key->Pseudonym("anna"), 10);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  const std::string& sealed = (*records)[0].question_sealed;
  ASSERT_FALSE(sealed.empty());
  EXPECT_EQ(sealed.find("Gehaltsband"), std::string::npos);
  auto question = key->OpenQuestion(sealed);
  ASSERT_TRUE(question) << question.error().message;
  EXPECT_EQ(*question, kQuestion);

  auto [code, output] = Wissen("audit show --user anna --json");
  ASSERT_EQ(code, 0) << output;
  auto shown = nlohmann::json::parse(output);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["question"], kQuestion);
}

TEST_F(AuditTest, PruneDeletesOnlyOldRecords) {
  const app::Config config = Open("retention_days = 30\n");
  auto key = app::AuditKey::LoadOrCreate(config.audit.key_file);
  ASSERT_TRUE(key);
  auto audit_store = store::AuditStore::Connect(database_url_);
  ASSERT_TRUE(audit_store);
  std::vector<store::AuditRecord> records;
  for (int age_days : {400, 31, 29, 0}) {
    store::AuditRecord r;
    r.at = system_clock::now() - hours(24) * age_days;
    r.user_pseudonym = key->Pseudonym("anna");
    r.action = "search";
    r.status = "200";
    r.latency_ms = age_days;
    records.push_back(r);
  }
  ASSERT_TRUE((*audit_store)->Append(records));
  ASSERT_EQ((*audit_store)->Count().value(), 4);

  auto [code, output] = Wissen("audit prune");
  ASSERT_EQ(code, 0) << output;
  EXPECT_NE(output.find("deleted 2 audit records older than 30 days"), std::string::npos) << output;
  auto left = (*audit_store)->ListByUser(key->Pseudonym("anna"), 10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_DOUBLE_EQ((*left)[0].latency_ms, 0);  // newest first
  EXPECT_DOUBLE_EQ((*left)[1].latency_ms, 29);
}

// A batch goes to the database as one statement of arrays: every field of every record must
// come back as it went in, in order, whatever characters it holds.
TEST_F(AuditTest, ABatchKeepsEveryFieldAndItsOrder) {
  Open();
  auto audit_store = store::AuditStore::Connect(database_url_);
  ASSERT_TRUE(audit_store);
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  std::vector<store::AuditRecord> records(3);
  records[0].at = system_clock::now() - hours(2);
  records[0].user_pseudonym = "p";
  records[0].action = "ask";
  records[0].query_hash = "q\"{},\\ NULL";
  records[0].document_ids = {7, 8};
  records[0].document_acls = {"", "a,b"};
  records[0].generator = "openai:\"model\" {x}";
  records[0].status = "200";
  records[0].latency_ms = 12.5;
  records[0].injection_flag = true;
  records[0].question_sealed = all_bytes;
  records[1].user_pseudonym = "p";  // at = epoch: the database's now()
  records[1].action = "search";
  records[1].status = "ok";
  records[2].at = system_clock::now() - hours(1);
  records[2].user_pseudonym = "p";
  records[2].action = "document";
  records[2].document_ids = {9};
  records[2].status = "404";
  ASSERT_TRUE((*audit_store)->Append(records));
  ASSERT_TRUE((*audit_store)->Append(std::span<const store::AuditRecord>()));  // no-op

  auto back = (*audit_store)->ListByUser("p", 10);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 3u);
  const store::AuditRecord& now = (*back)[0];  // newest first
  const store::AuditRecord& hour = (*back)[1];
  const store::AuditRecord& two = (*back)[2];
  EXPECT_EQ(now.action, "search");
  EXPECT_LT(system_clock::now() - now.at, hours(1));
  EXPECT_TRUE(now.document_ids.empty());
  EXPECT_TRUE(now.document_acls.empty());
  EXPECT_TRUE(now.question_sealed.empty());
  EXPECT_EQ(hour.action, "document");
  EXPECT_EQ(hour.document_ids, (std::vector<int64_t>{9}));
  EXPECT_EQ(two.action, "ask");
  EXPECT_EQ(two.query_hash, records[0].query_hash);
  EXPECT_EQ(two.document_ids, (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(two.document_acls, (std::vector<std::string>{"", "a,b"}));
  EXPECT_EQ(two.generator, records[0].generator);
  EXPECT_EQ(two.status, "200");
  EXPECT_DOUBLE_EQ(two.latency_ms, 12.5);
  EXPECT_TRUE(two.injection_flag);
  EXPECT_EQ(two.question_sealed, all_bytes);
  // Written in the order given: ids rise with the position in the batch.
  EXPECT_LT(two.id, now.id);
  EXPECT_LT(now.id, hour.id);
}

TEST_F(AuditTest, ShowFindsOnlyThatUsersRecords) {
  const app::Config config = Open();
  {
    auto trail = Trail(config);
    trail->Record(Ask("anna"));
    trail->Record(Ask("bernd"));
    server::AuditEvent read;
    read.user = "anna";
    read.action = "document";
    read.documents = {{11, Acl({"hr"})}};
    read.status = "404";
    trail->Record(read);
    trail->Flush();
    EXPECT_EQ(trail->written(), 3u);
  }
  auto [code, output] = Wissen("audit show --user anna --json");
  ASSERT_EQ(code, 0) << output;
  auto rows = nlohmann::json::parse(output);
  ASSERT_EQ(rows.size(), 2u) << output;
  EXPECT_EQ(rows[0]["action"], "document");  // newest first
  EXPECT_EQ(rows[0]["status"], "404");
  EXPECT_EQ(rows[0]["query_hash"], "");
  EXPECT_EQ(rows[1]["action"], "ask");
  EXPECT_FALSE(rows[1].contains("question"));  // not stored by default
  EXPECT_EQ(rows[1]["documents"][0]["id"], 11);
  EXPECT_EQ(rows[1]["documents"][0]["acl"], "hr");

  auto [nobody_code, nobody] = Wissen("audit show --user carla --json");
  ASSERT_EQ(nobody_code, 0) << nobody;
  EXPECT_TRUE(nlohmann::json::parse(nobody).empty());

  auto [text_code, text] = Wissen("audit show --user bernd --limit 5");
  ASSERT_EQ(text_code, 0) << text;
  EXPECT_NE(text.find("1 audit records"), std::string::npos) << text;
  EXPECT_EQ(text.find("bernd"), std::string::npos) << text;  // the pseudonym, not the name

  // Without the key nobody can be resolved, and show does not invent a new key.
  fs::remove(config.audit.key_file);
  auto [no_key_code, no_key] = Wissen("audit show --user anna 2>&1");
  EXPECT_EQ(no_key_code, 2) << no_key;
  EXPECT_FALSE(fs::exists(config.audit.key_file));
}

}  // namespace
}  // namespace wissen

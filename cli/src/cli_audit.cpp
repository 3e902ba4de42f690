// `wissen audit prune` and `wissen audit show --user NAME`: retention and the auditor's view
// of the audit trail. Only a holder of the audit key can resolve a user name to its rows.
#include <ctime>
#include <iostream>

#include "cli.h"
#include "wissen/app/audit_key.h"
#include "wissen/store/audit_store.h"

namespace wissen::cli {

namespace {

std::string FormatUtc(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::unique_ptr<store::AuditStore> ConnectOrReport(CliContext& context,
                                                   const app::Runtime& runtime) {
  auto audit_store = store::AuditStore::Connect(runtime.connection_string());
  if (!audit_store) {
    ReportError(audit_store.error());
    context.exit_code = kExitCouldNotRun;
    return nullptr;
  }
  return std::move(*audit_store);
}

void Prune(CliContext& context) {
  auto config = LoadConfigOrReport(context);
  if (!config) return;
  auto runtime = OpenRuntimeOrReport(context, *config);
  if (!runtime) return;
  auto audit_store = ConnectOrReport(context, *runtime);
  if (!audit_store) return;
  const auto before =
      std::chrono::system_clock::now() - std::chrono::hours(24) * config->audit.retention_days;
  auto deleted = audit_store->Prune(before);
  if (!deleted) {
    ReportError(deleted.error());
    context.exit_code = kExitCouldNotRun;
    return;
  }
  std::cout << "deleted " << *deleted << " audit records older than "
            << config->audit.retention_days << " days (before " << FormatUtc(before) << ")\n";
}

void Show(CliContext& context, const std::string& user, int limit, bool json) {
  auto config = LoadConfigOrReport(context);
  if (!config) return;
  // Never create a key here: a new key would resolve nothing and hide the real problem.
  auto key = app::AuditKey::Load(config->audit.key_file);
  if (!key) {
    ReportError(key.error());
    context.exit_code = kExitCouldNotRun;
    return;
  }
  auto runtime = OpenRuntimeOrReport(context, *config);
  if (!runtime) return;
  auto audit_store = ConnectOrReport(context, *runtime);
  if (!audit_store) return;
  auto records = audit_store->ListByUser(key->Pseudonym(user), limit);
  if (!records) {
    ReportError(records.error());
    context.exit_code = kExitCouldNotRun;
    return;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& record : *records) {
    nlohmann::json documents = nlohmann::json::array();
    for (size_t i = 0; i < record.document_ids.size(); ++i) {
      const std::string acl = i < record.document_acls.size() ? record.document_acls[i] : "";
      documents.push_back({{"id", record.document_ids[i]}, {"acl", acl}});
    }
    nlohmann::json row = {{"at", FormatUtc(record.at)},
                          {"action", record.action},
                          {"status", record.status},
                          {"latency_ms", record.latency_ms},
                          {"generator", record.generator},
                          {"query_hash", record.query_hash},
                          {"injection_flag", record.injection_flag},
                          {"documents", documents}};
    if (!record.question_sealed.empty()) {
      auto question = key->OpenQuestion(record.question_sealed);
      row["question"] = question ? *question : "(cannot decrypt: " + question.error().message + ")";
    }
    out.push_back(std::move(row));
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << records->size() << " audit records for this user (pseudonym "
            << key->Pseudonym(user).substr(0, 16) << "…), newest first\n";
  for (const auto& row : out) {
    std::cout << row["at"].get<std::string>() << "  " << row["action"].get<std::string>()
              << "  status " << row["status"].get<std::string>() << "  "
              << static_cast<int64_t>(row["latency_ms"].get<double>()) << " ms";
    if (!row["generator"].get<std::string>().empty()) {
      std::cout << "  " << row["generator"].get<std::string>();
    }
    if (row["injection_flag"].get<bool>()) std::cout << "  INJECTION?";
    std::cout << "\n    documents:";
    if (row["documents"].empty()) std::cout << " none";
    for (const auto& document : row["documents"]) {
      std::cout << " " << document["id"].get<int64_t>() << " ["
                << document["acl"].get<std::string>() << "]";
    }
    std::cout << "\n";
    if (row.contains("question")) {
      std::cout << "    question: " << row["question"].get<std::string>() << "\n";
    }
  }
}

}  // namespace

void RegisterAuditCommand(CLI::App& app, CliContext& context) {
  auto* audit = app.add_subcommand("audit", "the audit trail: prune old records, show a user's");
  audit->require_subcommand(1);

  auto* prune = audit->add_subcommand("prune", "delete records older than audit.retention_days");
  prune->callback([&context] { Prune(context); });

  auto* show = audit->add_subcommand("show", "a user's records, newest first (needs the key)");
  auto user = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(50);
  auto json = std::make_shared<bool>(false);
  show->add_option("--user", *user, "user name")->required();
  show->add_option("--limit", *limit, "at most this many records")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  show->add_flag("--json", *json, "print JSON");
  show->callback([&context, user, limit, json] { Show(context, *user, *limit, *json); });
}

}  // namespace wissen::cli

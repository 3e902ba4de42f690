#include <iostream>

#include "cli.h"
#include "wissen/core/log.h"
#include "wissen/store/migrator.h"

namespace wissen::cli {

void ReportError(const Error& error) { std::cerr << "wissen: " << error.message << "\n"; }

std::optional<app::Config> LoadConfigOrReport(CliContext& context) {
  auto config = app::LoadConfig(context.config_path);
  if (!config) {
    ReportError(config.error());
    context.exit_code = kExitCouldNotRun;
    return std::nullopt;
  }
  log::Level level = log::Level::kInfo;
  const std::string& wanted = context.log_level.empty() ? config->log_level : context.log_level;
  if (!log::ParseLevel(wanted, &level)) {
    ReportError({ErrorCode::kConfig, "unknown log level \"" + wanted + "\""});
    context.exit_code = kExitCouldNotRun;
    return std::nullopt;
  }
  log::SetLevel(level);
  return std::move(*config);
}

std::unique_ptr<app::Runtime> OpenRuntimeOrReport(CliContext& context, const app::Config& config) {
  auto runtime = app::Runtime::Open(config);
  if (!runtime) {
    ReportError(runtime.error());
    context.exit_code = kExitCouldNotRun;
    return nullptr;
  }
  return std::move(*runtime);
}

std::optional<QuerySetup> PrepareQuery(CliContext& context, const std::string& roles_text) {
  auto config = LoadConfigOrReport(context);
  if (!config) return std::nullopt;
  auto principal = PrincipalFromRoles(roles_text);
  if (!principal) {
    ReportError(principal.error());
    context.exit_code = kExitCouldNotRun;
    return std::nullopt;
  }
  auto runtime = OpenRuntimeOrReport(context, *config);
  if (!runtime) return std::nullopt;
  auto snapshot = retriever::LoadSnapshot(runtime->config().index_dir());
  if (!snapshot) {
    ReportError(snapshot.error());
    context.exit_code = kExitCouldNotRun;
    return std::nullopt;
  }
  return QuerySetup{std::move(*principal), std::move(runtime), std::move(*snapshot)};
}

void RegisterMigrateCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand("migrate", "apply pending database migrations");
  command->callback([&context] {
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    // Runtime::Open migrates; report what the database is at.
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    auto report = store::ApplyMigrations(runtime->connection_string(), app::BuiltinMigrations());
    if (!report) {
      ReportError(report.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    std::cout << "database schema at version " << report->current_version << "\n";
  });
}

}  // namespace wissen::cli

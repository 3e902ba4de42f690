// Subcommands of the `wissen` binary. Each Register* function adds one subcommand whose
// callback sets context.exit_code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "wissen/app/answer_pipeline.h"
#include "wissen/app/config.h"
#include "wissen/app/runtime.h"
#include "wissen/core/result.h"
#include "wissen/retriever/retriever.h"

namespace wissen::cli {

// Exit codes a scheduler can act on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPartial = 1;      // the command ran but part of it failed
inline constexpr int kExitCouldNotRun = 2;  // config, database, lock: nothing was done

struct CliContext {
  std::string config_path = "wissen.toml";
  std::string log_level;
  int exit_code = kExitOk;
};

// Loads the config and applies the log level; prints the error and returns nullopt on failure.
std::optional<app::Config> LoadConfigOrReport(CliContext& context);
// Opens the runtime (database, migrations); prints the error on failure.
std::unique_ptr<app::Runtime> OpenRuntimeOrReport(CliContext& context, const app::Config& config);
// Parses "--roles hr,rnd" into a principal holding those roles and everyone.
Result<Principal> PrincipalFromRoles(const std::string& roles_text);
// What `search` and `ask` need: config, the principal from --roles, the runtime and the
// live index snapshot. Reports the first failure and returns nullopt.
struct QuerySetup {
  Principal principal;
  std::unique_ptr<app::Runtime> runtime;
  std::shared_ptr<const retriever::IndexSnapshot> snapshot;
};
std::optional<QuerySetup> PrepareQuery(CliContext& context, const std::string& roles_text);
// Prints "wissen: <message>" to stderr.
void ReportError(const Error& error);

void RegisterMigrateCommand(CLI::App& app, CliContext& context);
void RegisterCrawlCommand(CLI::App& app, CliContext& context);
void RegisterSearchCommand(CLI::App& app, CliContext& context);
void RegisterStatusCommand(CLI::App& app, CliContext& context);
void RegisterExplainCommand(CLI::App& app, CliContext& context);
void RegisterReindexCommand(CLI::App& app, CliContext& context);
void RegisterAskCommand(CLI::App& app, CliContext& context);
void RegisterEvalCommand(CLI::App& app, CliContext& context);
void RegisterAuditCommand(CLI::App& app, CliContext& context);
void RegisterServeCommand(CLI::App& app, CliContext& context);
// `user ...` and `key ...`.
void RegisterUserCommands(CLI::App& app, CliContext& context);

}  // namespace wissen::cli

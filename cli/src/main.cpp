// wissen: the command-line entry point. Wires config, database, crawler, indexer and
// retriever; every subcommand lives in its own cli_*.cpp.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli.h"
#include "wissen/core/log.h"

int main(int argc, char** argv) {
  using namespace wissen::cli;
  // The data directory holds every indexed word and embedding, HR documents included: files
  // Wissen creates are private to its user whatever umask the shell or cron passed on.
  ::umask(0077);
  CLI::App app{"Wissen: answers from your company's documents, on your own machines"};
  app.set_version_flag("--version", "wissen 0.1.0");
  app.require_subcommand(1);
  CliContext context;
  app.add_option("-c,--config", context.config_path, "configuration file")
      ->envname("WISSEN_CONFIG")
      ->capture_default_str();
  app.add_option("--log-level", context.log_level, "debug, info, warn, error or off");

  RegisterMigrateCommand(app, context);
  RegisterCrawlCommand(app, context);
  RegisterSearchCommand(app, context);
  RegisterStatusCommand(app, context);
  RegisterExplainCommand(app, context);
  RegisterReindexCommand(app, context);
  RegisterAskCommand(app, context);
  RegisterEvalCommand(app, context);
  RegisterAuditCommand(app, context);
  RegisterServeCommand(app, context);
  RegisterUserCommands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return context.exit_code;
}

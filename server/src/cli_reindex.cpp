#include <iostream>

#include "cli.h"
#include "wissen/indexer/indexer.h"

namespace wissen::server {

void RegisterReindexCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand(
      "reindex",
      "re-embed every chunk with the configured embedder and publish a fresh generation");
  command->callback([&context] {
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    // A reindex and a crawl must not interleave: both write embeddings and generations.
    auto lock = runtime->catalog().TryLockCrawl();
    if (!lock) {
      ReportError(lock.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    indexer::PublishOptions publish;
    publish.index_root = config->index_dir();
    publish.vectors.ivf_threshold = config->ivf_threshold;
    auto report = indexer::Reindex(runtime->catalog(), runtime->embedder(), publish);
    if (!report) {
      ReportError(report.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    const auto info = runtime->embedder().Info();
    std::cout << "re-embedded " << report->chunks << " chunks with " << info.name << " "
              << info.version << " (" << info.dimension << " dimensions); generation "
              << report->generation << " is live\n";
  });
}

}  // namespace wissen::server

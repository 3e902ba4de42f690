#include <iostream>

#include "cli.h"
#include "wissen/indexer/indexer.h"

namespace wissen::cli {
namespace {

// Embeds one short text before anything is changed, so a server that is down, answers with
// another dimension or rejects the key fails the command while the catalog, the reindex mark
// and the live generation are untouched.
Result<void> ProbeEmbedder(const engine::Embedder& embedder) {
  auto probe = embedder.Embed({"Wissen reindex probe"}, engine::EmbedPurpose::kPassage);
  if (!probe) return Fail(probe.error());
  return {};
}

}  // namespace

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
    auto before = runtime->catalog().GetIndexState();
    const int64_t live = before && before->has_value() ? (*before)->generation : 0;
    auto still_live = [live] {
      if (live > 0) std::cerr << "generation " << live << " stays live\n";
    };
    if (auto probe = ProbeEmbedder(runtime->embedder()); !probe) {
      ReportError(probe.error());
      std::cerr << "nothing was changed\n";
      still_live();
      context.exit_code = kExitCouldNotRun;
      return;
    }
    indexer::PublishOptions publish;
    publish.index_root = config->index_dir();
    publish.vectors = config->vector_build;
    auto report = indexer::Reindex(runtime->catalog(), runtime->embedder(), publish);
    if (!report) {
      ReportError(report.error());
      still_live();
      std::cerr << "run `wissen reindex` again once the cause is fixed; crawls wait for it\n";
      context.exit_code = kExitCouldNotRun;
      return;
    }
    const auto info = runtime->embedder().Info();
    std::cout << "re-embedded " << report->chunks << " chunks with " << info.name << " "
              << info.version << " (" << info.dimension << " dimensions); generation "
              << report->generation << " is live\n";
  });
}

}  // namespace wissen::cli

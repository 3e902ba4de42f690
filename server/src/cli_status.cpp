#include <iostream>

#include "cli.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/retriever/retriever.h"

namespace wissen::server {

void RegisterStatusCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand("status", "documents, chunks, index generation, last runs");
  auto json = std::make_shared<bool>(false);
  command->add_flag("--json", *json, "print JSON");
  command->callback([&context, json] {
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    auto& catalog = runtime->catalog();
    auto counts = catalog.CountAll();
    auto state = catalog.GetIndexState();
    auto runs = catalog.RecentCrawlRuns(5);
    if (!counts || !state || !runs) {
      ReportError(!counts ? counts.error() : !state ? state.error() : runs.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    nlohmann::json out = {{"documents", counts->documents},
                          {"deleted_documents", counts->deleted_documents},
                          {"chunks", counts->chunks},
                          {"runs", nlohmann::json::array()}};
    if (state->has_value()) {
      const auto& s = **state;
      out["index"] = {{"generation", s.generation},
                      {"chunks", s.chunk_count},
                      {"embedder", s.embedder_name + " " + s.embedder_version},
                      {"dimension", s.dimension}};
    }
    for (const auto& run : *runs) {
      out["runs"].push_back({{"id", run.id},
                             {"started_at", run.started_at},
                             {"finished_at", run.finished_at},
                             {"status", run.status},
                             {"stats", nlohmann::json::parse(run.stats_json, nullptr, false)}});
    }
    if (*json) {
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::cout << "documents: " << counts->documents << " live, " << counts->deleted_documents
              << " deleted; chunks: " << counts->chunks << "\n";
    if (out.contains("index")) {
      std::cout << "index: generation " << out["index"]["generation"] << ", "
                << out["index"]["chunks"] << " vectors, embedder "
                << out["index"]["embedder"].get<std::string>() << "\n";
    } else {
      std::cout << "index: none yet (run `wissen crawl`)\n";
    }
    for (const auto& run : *runs) {
      std::cout << "run " << run.id << ": " << run.status << ", started " << run.started_at
                << (run.finished_at.empty() ? "" : ", finished " + run.finished_at) << "\n";
    }
  });
}

void RegisterExplainCommand(CLI::App& app, CliContext& context) {
  auto* command =
      app.add_subcommand("explain", "may these roles read a document, and which rule decides?");
  auto roles = std::make_shared<std::string>();
  auto document = std::make_shared<std::string>();
  auto source = std::make_shared<std::string>();
  command->add_option("--roles", *roles, "the user's roles, comma-separated");
  command->add_option("--document", *document, "path relative to the source root")->required();
  command->add_option("--source", *source, "source name (default: the first that has it)");
  command->callback([&context, roles, document, source] {
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto principal = PrincipalFromRoles(*roles);
    if (!principal) {
      ReportError(principal.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    for (const auto& candidate : config->sources) {
      if (!source->empty() && candidate.name != *source) continue;
      auto stored = runtime->catalog().FindDocument(candidate.name, *document);
      if (!stored) {
        ReportError(stored.error());
        context.exit_code = kExitCouldNotRun;
        return;
      }
      // The rules as configured now; the catalog holds the ACL of the last crawl.
      const crawler::AclDecision decision = candidate.fs.acl.Decide(*document);
      const Acl acl = stored->has_value() ? (*stored)->acl : decision.acl;
      if (!stored->has_value() && !source->empty()) {
        std::cout << "not in the catalog; by the configured rules:\n";
      } else if (!stored->has_value()) {
        continue;
      }
      const bool may_read = principal->MayRead(acl) && !(stored->has_value() && (*stored)->deleted);
      std::string shared;
      for (const auto& role : principal->roles.roles()) {
        if (acl.Contains(role)) shared += (shared.empty() ? "" : ", ") + role;
      }
      std::cout << "document: " << candidate.name << ":" << *document << "\n"
                << "acl: [" << acl.Key() << "]"
                << (stored->has_value() ? " (" + (*stored)->acl_rule + ")"
                                        : " (" + decision.explanation + ")")
                << "\n"
                << "roles: [" << principal->roles.Key() << "]\n"
                << "decision: " << (may_read ? "MAY READ" : "MAY NOT READ");
      if (may_read) {
        std::cout << " (role " << shared << ")";
      } else if (stored->has_value() && (*stored)->deleted) {
        std::cout << " (document deleted)";
      } else if (acl.empty()) {
        std::cout << " (no rule gives it any role: nobody may read it)";
      } else {
        std::cout << " (no role in common)";
      }
      std::cout << "\n";
      if (stored->has_value() && decision.acl != acl) {
        std::cout << "note: the configured rules now give [" << decision.acl.Key()
                  << "]; the next crawl applies that\n";
      }
      context.exit_code = may_read ? kExitOk : kExitPartial;
      return;
    }
    std::cout << "no document " << *document << " in the catalog\n";
    context.exit_code = kExitPartial;
  });
}

}  // namespace wissen::server

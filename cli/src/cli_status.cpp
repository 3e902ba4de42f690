#include <cmath>
#include <ctime>
#include <iostream>

#include "cli.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/ocr.h"
#include "wissen/retriever/retriever.h"

namespace wissen::cli {
namespace {

// Hours from a "YYYY-MM-DDTHH:MM:SSZ" time to now, one decimal; -1 when unparsable.
double HoursSince(const std::string& utc) {
  std::tm tm{};
  if (strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return -1;
  const double seconds = std::difftime(std::time(nullptr), timegm(&tm));
  return std::round(seconds / 360.0) / 10.0;
}

}  // namespace

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
    auto runs = catalog.RecentCrawlRuns(20);
    auto sources = catalog.ListSources();
    if (!counts || !state || !runs || !sources) {
      ReportError(!counts  ? counts.error()
                  : !state ? state.error()
                  : !runs  ? runs.error()
                           : sources.error());
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
    // Per source: its documents and what the newest finished run that crawled it did.
    out["sources"] = nlohmann::json::array();
    for (const auto& source : *sources) {
      nlohmann::json entry = {{"name", source.name},
                              {"kind", source.kind},
                              {"documents", source.documents},
                              {"chunks", source.chunks}};
      for (const auto& run : *runs) {
        if (run.finished_at.empty()) continue;
        auto stats = nlohmann::json::parse(run.stats_json, nullptr, false);
        if (stats.is_object() && stats.contains("sources") &&
            stats["sources"].contains(source.name)) {
          entry["last_run"] = {{"id", run.id},
                               {"status", run.status},
                               {"finished_at", run.finished_at},
                               {"age_hours", HoursSince(run.finished_at)},
                               {"stats", stats["sources"][source.name]}};
          break;
        }
      }
      out["sources"].push_back(std::move(entry));
    }
    // Whether the next crawl can recognise scanned pages (Tesseract and its languages).
    if (!config->ocr.enabled) {
      out["ocr"] = "off";
    } else if (auto ocr = crawler::PageOcr::Create(config->ocr.options, nullptr); ocr) {
      out["ocr"] = "on (" + config->ocr.options.languages + ")";
    } else {
      out["ocr"] = "unavailable: " + ocr.error().message;
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
    for (const auto& source : out["sources"]) {
      std::cout << "source " << source["name"].get<std::string>() << " ("
                << source["kind"].get<std::string>() << "): " << source["documents"]
                << " documents, " << source["chunks"] << " chunks";
      if (source.contains("last_run")) {
        const auto& last = source["last_run"];
        const auto& st = last["stats"];
        std::cout << "; last run " << last["id"] << " " << last["status"].get<std::string>() << ", "
                  << last["age_hours"].get<double>() << " h ago: new " << st.value("new", 0)
                  << ", changed " << st.value("changed", 0) << ", unchanged "
                  << st.value("unchanged", 0) << ", deleted " << st.value("deleted", 0)
                  << ", failed " << st.value("failed", 0);
        if (st.contains("error")) std::cout << ", error: " << st["error"].get<std::string>();
      } else {
        std::cout << "; never crawled";
      }
      std::cout << "\n";
    }
    std::cout << "ocr: " << out["ocr"].get<std::string>() << "\n";
    for (size_t i = 0; i < runs->size() && i < 5; ++i) {
      const auto& run = (*runs)[i];
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
      const crawler::AclRules& rules =
          candidate.kind == "web" ? candidate.web.acl : candidate.fs.acl;
      const crawler::AclDecision decision = rules.Decide(*document);
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

}  // namespace wissen::cli

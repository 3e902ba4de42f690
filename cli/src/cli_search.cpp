#include <iostream>

#include "cli.h"
#include "wissen/core/text.h"
#include "wissen/retriever/retriever.h"

namespace wissen::cli {

Result<Principal> PrincipalFromRoles(const std::string& roles_text) {
  std::vector<std::string> roles = SplitNonEmpty(roles_text, ',');
  for (auto& role : roles) {
    role = std::string(TrimAscii(role));
    if (!IsValidRoleName(role)) {
      return Fail(ErrorCode::kInvalidArgument, "\"" + role + "\" is not a role name");
    }
  }
  return Principal("cli", std::move(roles));
}

void RegisterSearchCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand("search", "show the best passages a user may read");
  struct Args {
    std::string roles;
    int k = 10;
    bool json = false;
    std::string query;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--roles", args->roles,
                      "the user's roles, comma-separated (everyone is implied)");
  command->add_option("--k", args->k, "number of passages")->check(CLI::Range(1, 1000));
  command->add_flag("--json", args->json, "print JSON");
  command->add_option("query", args->query, "the question")->required();
  command->callback([&context, args] {
    auto setup = PrepareQuery(context, args->roles);
    if (!setup) return;
    app::Runtime& runtime = *setup->runtime;
    const auto& snapshot = setup->snapshot;
    const Principal& principal = setup->principal;
    retriever::Retriever retriever(runtime.embedder(), runtime.config().retrieval,
                                   runtime.thesaurus());
    auto passages = retriever.Search(*snapshot, runtime.catalog(), principal, args->query, args->k);
    if (!passages) {
      ReportError(passages.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    if (args->json) {
      nlohmann::json out = {{"query", args->query},
                            {"roles", principal.roles.roles()},
                            {"generation", snapshot->generation},
                            {"passages", nlohmann::json::array()}};
      int rank = 0;
      for (const auto& p : *passages) out["passages"].push_back(app::PassageJson(p, ++rank));
      std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    if (passages->empty()) {
      std::cout << "No passages found in the documents these roles may read.\n";
      return;
    }
    int rank = 0;
    for (const auto& p : *passages) {
      std::cout << "#" << ++rank << "  " << p.path;
      if (p.page > 0) std::cout << "  p. " << p.page;
      std::printf("  (score %.4f)\n", p.score);
      std::fflush(stdout);
      if (!p.heading_path.empty()) std::cout << "    " << p.heading_path << "\n";
      std::string text = CollapseWhitespace(p.text);
      if (text.size() > 400) {
        size_t cut = 400;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut) + " …";
      }
      std::cout << "    " << text << "\n\n";
    }
  });
}

}  // namespace wissen::cli

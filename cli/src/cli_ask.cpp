#include <cstdio>
#include <iostream>

#include "cli.h"
#include "wissen/app/answer_pipeline.h"

namespace wissen::cli {

void RegisterAskCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand(
      "ask", "answer a question with citations from the documents a user may read");
  struct Args {
    std::string roles;
    bool json = false;
    bool stream = false;
    std::string question;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--roles", args->roles,
                      "the user's roles, comma-separated (everyone is implied)");
  command->add_flag("--json", args->json, "print the answer as JSON");
  command->add_flag("--stream", args->stream, "print the answer while it is written");
  command->add_option("question", args->question, "the question")->required();
  command->callback([&context, args] {
    auto setup = PrepareQuery(context, args->roles);
    if (!setup) return;
    app::Runtime& runtime = *setup->runtime;
    app::AnswerPipeline pipeline(runtime.config(), runtime.embedder(), runtime.thesaurus());
    engine::TokenCallback on_token;
    if (args->stream && !args->json) {
      on_token = [](std::string_view delta) {
        std::fwrite(delta.data(), 1, delta.size(), stdout);
        std::fflush(stdout);
        return true;
      };
    }
    auto answer = pipeline.Ask(*setup->snapshot, runtime.catalog(), setup->principal,
                               args->question, {}, on_token);
    if (!answer) {
      ReportError(answer.error());
      context.exit_code =
          answer.error().code == ErrorCode::kInvalidArgument ? kExitPartial : kExitCouldNotRun;
      return;
    }
    if (args->json) {
      std::cout << app::AnswerJson(*answer).dump(2, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
                << "\n";
      return;
    }
    if (!args->stream) std::cout << answer->text;
    std::cout << "\n\n";
    for (const auto& c : answer->citations) {
      std::cout << "[" << c.id << "] " << c.title << " — " << c.path;
      if (c.page > 0) std::cout << ", p. " << c.page;
      std::cout << "\n";
    }
    if (!answer->cited && !answer->no_answer) std::cout << "(this answer has no valid citation)\n";
    std::printf("\n%s%s · retrieval %.0f ms · generation %.0f ms · total %.0f ms\n",
                answer->generator.c_str(), answer->fallback ? " (fallback)" : "",
                answer->retrieve_ms, answer->generate_ms, answer->total_ms);
    if (answer->fallback) std::cout << "model error: " << answer->fallback_reason << "\n";
  });
}

}  // namespace wissen::cli

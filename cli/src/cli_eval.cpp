// `wissen eval`: runs a question set (and leak probes) through the retriever and reports
// recall@5, MRR@10, snippet@5, latency and leaks; with --answers, through the answer
// pipeline (the code behind /api/v1/ask) and reports answer quality. Scoring lives in
// wissen/retriever/evaluation.h and wissen/app/answer_evaluation.h; this file only runs the
// questions and prints.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "wissen/app/answer_evaluation.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/retriever/evaluation.h"
#include "wissen/retriever/retriever.h"

namespace wissen::cli {
namespace {

using retriever::RetrievalMode;

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Fail(ErrorCode::kIo, "cannot read " + path);
  return text.str();
}

// Reads and parses a JSONL file; errors name the file and the line.
template <typename Parse>
auto LoadJsonl(const std::string& path, Parse parse) -> decltype(parse(std::string_view())) {
  auto text = ReadTextFile(path);
  if (!text) return Fail(text.error());
  auto items = parse(*text);
  if (!items) return Fail(items.error().code, path + ": " + items.error().message);
  return items;
}

const char* ModeName(RetrievalMode mode) {
  switch (mode) {
    case RetrievalMode::kLexical:
      return "lexical";
    case RetrievalMode::kVector:
      return "vector";
    case RetrievalMode::kHybrid:
      break;
  }
  return "hybrid";
}

// One line of the --out file, in the format eval-dev/score.py reads (which ignores the
// extra keys: rank, page, score, acl and, for question runs, the outcome).
nlohmann::json RunJson(const std::string& id, const Principal& principal,
                       const std::vector<Passage>& passages) {
  nlohmann::json line = {
      {"id", id}, {"roles", principal.roles.roles()}, {"passages", nlohmann::json::array()}};
  int rank = 0;
  for (const auto& p : passages) {
    line["passages"].push_back({{"rank", ++rank},
                                {"path", p.path},
                                {"page", p.page},
                                {"score", p.score},
                                {"acl", p.acl.roles()},
                                {"text", p.text}});
  }
  return line;
}

// The dev sets mark every restricted document with a string starting with this; it must
// never appear in an answer to a user holding only "everyone" (eval-dev/README.md).
constexpr const char* kCanaryPrefix = "CANARY-";

app::AnswerObservation Observe(const app::Answer& answer) {
  app::AnswerObservation observed;
  observed.text = answer.text;
  observed.no_answer = answer.no_answer;
  for (const auto& citation : answer.citations) observed.cited_paths.push_back(citation.path);
  for (const auto& [document_id, acl] : answer.context_documents) {
    observed.context_acls.push_back(acl);
  }
  return observed;
}

// One line of the --out file of an answer run.
nlohmann::json AnswerRunJson(const std::string& id, const Principal& principal,
                             const app::Answer& answer) {
  nlohmann::json line = app::AnswerJson(answer);
  line["id"] = id;
  line["roles"] = principal.roles.roles();
  return line;
}

// Runs every question, re-run and probe through the answer pipeline and prints the answer
// report. Returns false (after reporting) when a run could not be done.
bool RunAnswerEval(const app::Config& config, app::Runtime& runtime,
                   const retriever::IndexSnapshot& snapshot,
                   const std::vector<retriever::EvalQuestion>& questions,
                   const std::vector<retriever::LeakProbe>& probes, std::ofstream* out, bool json,
                   CliContext& context) {
  app::AnswerPipeline pipeline(config, runtime.embedder(), runtime.thesaurus());
  app::AnswerReportBuilder builder;
  const auto ask = [&](const std::string& id, const Principal& principal,
                       const std::string& question) -> std::optional<app::Answer> {
    auto answer = pipeline.Ask(snapshot, runtime.catalog(), principal, question, {}, {});
    if (!answer) {
      ReportError({answer.error().code, id + ": " + answer.error().message});
      context.exit_code = kExitCouldNotRun;
      return std::nullopt;
    }
    if (out->is_open()) {
      *out << AnswerRunJson(id, principal, *answer)
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << "\n";
    }
    return std::move(*answer);
  };
  const std::vector<std::string> canary = {kCanaryPrefix};
  for (const auto& question : questions) {
    const Principal principal("eval", question.roles);
    auto answer = ask(question.id, principal, question.question);
    if (!answer) return false;
    if (app::IsUnanswerable(question)) {
      builder.AddUnanswerable(question.id, question.difficulty, question.lang, principal,
                              Observe(*answer), {});
    } else {
      builder.AddAnswerable(question, principal, Observe(*answer));
    }
  }
  for (const auto& question : questions) {
    if (!retriever::HasRestrictedRoles(question.roles)) continue;
    const Principal principal("eval", {std::string(kEveryoneRole)});
    auto answer = ask(question.id, principal, question.question);
    if (!answer) return false;
    builder.AddUnanswerable(question.id, "restricted-as-everyone", question.lang, principal,
                            Observe(*answer), canary);
  }
  for (const auto& probe : probes) {
    const Principal principal("eval", probe.roles);
    auto answer = ask(probe.id, principal, probe.query);
    if (!answer) return false;
    std::vector<std::string> forbidden = probe.forbidden;
    if (!retriever::HasRestrictedRoles(probe.roles)) forbidden.push_back(kCanaryPrefix);
    builder.AddUnanswerable(probe.id, "leak-probe", probe.lang, principal, Observe(*answer),
                            forbidden);
  }
  const app::AnswerReport report = builder.Build();
  if (json) {
    nlohmann::json printed = app::ToJson(report);
    printed["mode"] = ModeName(config.retrieval.mode);
    printed["generation"] = snapshot.generation;
    std::cout << printed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "answers, mode " << ModeName(config.retrieval.mode) << ", index generation "
              << snapshot.generation << "\n"
              << app::ToText(report);
  }
  if (!report.leaks.empty()) context.exit_code = kExitPartial;
  return true;
}

}  // namespace

void RegisterEvalCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand(
      "eval", "measure retrieval quality and leaks on a question set (eval-dev format)");
  command->footer(
      "Runs every question as a user holding everyone plus the question's roles, re-runs "
      "questions with further roles as everyone alone (leaks only), and runs the leak probes.\n"
      "With --answers the re-runs, the leak probes and the questions of difficulty "
      "\"unanswerable\" are the unanswerable runs, where \"nothing found\" is right.\n"
      "Exit status: 0 when all ran and nothing leaked; 1 when anything leaked (CI can gate "
      "on it); 2 when it could not run (config, database, index, bad question file).");
  struct Args {
    std::string questions;
    std::string leak_probes;
    bool json = false;
    int k = 10;
    std::string mode;
    std::string out;
    bool answers = false;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--questions", args->questions, "questions JSONL file")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--leak-probes", args->leak_probes, "leak probes JSONL file")
      ->check(CLI::ExistingFile);
  command->add_flag("--json", args->json, "print one JSON object");
  command->add_option("--k", args->k, "passages retrieved per query (metrics use the top 10)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--mode", args->mode, "override retrieval.mode")
      ->check(CLI::IsMember({"hybrid", "lexical", "vector"}));
  command->add_option("--out", args->out,
                      "write every run's passages as JSONL (the input of eval-dev/score.py); "
                      "with --answers, every answer");
  command->add_flag("--answers", args->answers,
                    "measure the answers of the answer pipeline (snippet in the answer, gold "
                    "cited, nothing found, junk on unanswerable runs) instead of retrieval");
  command->callback([&context, args] {
    const auto could_not_run = [&context](const Error& error) {
      ReportError(error);
      context.exit_code = kExitCouldNotRun;
    };
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto questions = LoadJsonl(args->questions, retriever::ParseEvalQuestions);
    if (!questions) return could_not_run(questions.error());
    std::vector<retriever::LeakProbe> probes;
    if (!args->leak_probes.empty()) {
      auto parsed = LoadJsonl(args->leak_probes, retriever::ParseLeakProbes);
      if (!parsed) return could_not_run(parsed.error());
      probes = std::move(*parsed);
    }
    retriever::RetrieverOptions options = config->retrieval;
    if (args->mode == "lexical") options.mode = RetrievalMode::kLexical;
    if (args->mode == "vector") options.mode = RetrievalMode::kVector;
    if (args->mode == "hybrid") options.mode = RetrievalMode::kHybrid;

    std::ofstream out;
    if (!args->out.empty()) {
      out.open(args->out, std::ios::binary | std::ios::trunc);
      if (!out) return could_not_run({ErrorCode::kIo, "cannot write " + args->out});
    }
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    auto snapshot = retriever::LoadSnapshot(config->index_dir());
    if (!snapshot) return could_not_run(snapshot.error());
    if (args->answers) {
      app::Config answer_config = *config;
      answer_config.retrieval = options;
      if (!RunAnswerEval(answer_config, *runtime, **snapshot, *questions, probes, &out, args->json,
                         context)) {
        return;
      }
      if (out.is_open()) {
        out.close();
        if (!out) could_not_run({ErrorCode::kIo, "cannot write " + args->out});
      }
      return;
    }
    const retriever::Retriever retriever(runtime->embedder(), options, runtime->thesaurus());

    // Runs one query; on failure reports it (naming the run) and returns nullopt.
    const auto run = [&](const std::string& id, const Principal& principal,
                         const std::string& query,
                         double* latency_ms) -> std::optional<std::vector<Passage>> {
      const auto start = std::chrono::steady_clock::now();
      auto passages = retriever.Search(**snapshot, runtime->catalog(), principal, query, args->k);
      const std::chrono::duration<double, std::milli> elapsed =
          std::chrono::steady_clock::now() - start;
      if (latency_ms != nullptr) *latency_ms = elapsed.count();
      if (!passages) {
        could_not_run({passages.error().code, id + ": " + passages.error().message});
        return std::nullopt;
      }
      return std::move(*passages);
    };
    const auto write = [&out](const nlohmann::json& line) {
      if (!out.is_open()) return;
      out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    };

    retriever::EvalReportBuilder builder;
    for (const auto& question : *questions) {
      const Principal principal("eval", question.roles);
      double latency_ms = 0;
      auto passages = run(question.id, principal, question.question, &latency_ms);
      if (!passages) return;
      const retriever::QuestionOutcome outcome =
          builder.AddQuestionRun(question, principal, *passages, latency_ms);
      nlohmann::json line = RunJson(question.id, principal, *passages);
      line["outcome"] = {{"recall_at_5", outcome.recall_at_5},
                         {"reciprocal_rank", outcome.reciprocal_rank},
                         {"snippet_at_5", outcome.snippet_at_5},
                         {"first_gold_rank", outcome.first_gold_rank},
                         {"latency_ms", latency_ms}};
      write(line);
    }
    for (const auto& question : *questions) {
      if (!retriever::HasRestrictedRoles(question.roles)) continue;
      const Principal principal("eval", {std::string(kEveryoneRole)});
      auto passages = run(question.id, principal, question.question, nullptr);
      if (!passages) return;
      builder.AddRestrictedRun(question, principal, *passages);
      write(RunJson(question.id, principal, *passages));
    }
    for (const auto& probe : probes) {
      const Principal principal("eval", probe.roles);
      auto passages = run(probe.id, principal, probe.query, nullptr);
      if (!passages) return;
      builder.AddProbeRun(probe, principal, *passages);
      write(RunJson(probe.id, principal, *passages));
    }
    if (out.is_open()) {
      out.close();
      if (!out) return could_not_run({ErrorCode::kIo, "cannot write " + args->out});
    }

    const retriever::EvalReport report = builder.Build();
    if (args->json) {
      nlohmann::json json = retriever::ToJson(report);
      json["mode"] = ModeName(options.mode);
      json["k"] = args->k;
      json["generation"] = (*snapshot)->generation;
      std::cout << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << "mode " << ModeName(options.mode) << ", k " << args->k << ", index generation "
                << (*snapshot)->generation << "\n"
                << retriever::ToText(report);
    }
    if (!report.leaks.empty()) context.exit_code = kExitPartial;
  });
}

}  // namespace wissen::cli

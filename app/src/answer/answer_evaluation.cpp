#include "wissen/app/answer_evaluation.h"

#include <algorithm>
#include <cstdio>

namespace wissen::app {
namespace {

using nlohmann::json;

int CodePoints(const std::string& text) {
  // Every byte that does not continue a UTF-8 sequence starts a code point.
  return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

json GroupJson(const AnswerGroupMetrics& group) {
  return {{"n", group.n},
          {"answer_snippet_rate", group.answer_snippet_rate},
          {"gold_cited_rate", group.gold_cited_rate},
          {"abstain_rate", group.abstain_rate},
          {"n_unanswerable", group.n_unanswerable},
          {"junk_rate", group.junk_rate}};
}

json GroupsJson(const std::map<std::string, AnswerGroupMetrics>& groups) {
  json out = json::object();
  for (const auto& [name, group] : groups) out[name] = GroupJson(group);
  return out;
}

void AppendRow(std::string* out, const std::string& name, const AnswerGroupMetrics& group) {
  char row[200];
  std::snprintf(row, sizeof(row), "%-28s %4d %8.3f %7.3f %8.3f %7d %6.3f\n", name.c_str(), group.n,
                group.answer_snippet_rate, group.gold_cited_rate, group.abstain_rate,
                group.n_unanswerable, group.junk_rate);
  *out += row;
}

}  // namespace

bool IsUnanswerable(const retriever::EvalQuestion& question) {
  return question.difficulty == retriever::kUnanswerable;
}

AnswerOutcome ScoreAnswer(const retriever::EvalQuestion& question,
                          const AnswerObservation& answer) {
  AnswerOutcome outcome;
  outcome.abstained = answer.no_answer;
  if (answer.no_answer) return outcome;  // "nothing found" scores nothing, whatever it says
  outcome.snippet_in_answer = retriever::ContainsSnippet(answer.text, question.answer_snippet);
  outcome.gold_cited = std::any_of(
      answer.cited_paths.begin(), answer.cited_paths.end(), [&](const std::string& path) {
        return std::find(question.gold.begin(), question.gold.end(), path) != question.gold.end();
      });
  return outcome;
}

bool IsJunkAnswer(const AnswerObservation& answer) {
  return !answer.no_answer && !answer.cited_paths.empty();
}

std::vector<AnswerReportBuilder::Sums*> AnswerReportBuilder::GroupsOf(const std::string& difficulty,
                                                                      const std::string& lang) {
  return {&overall_, &by_difficulty_[difficulty], &by_language_[lang]};
}

AnswerOutcome AnswerReportBuilder::AddAnswerable(const retriever::EvalQuestion& question,
                                                 const Principal& principal,
                                                 const AnswerObservation& answer) {
  const AnswerOutcome outcome = ScoreAnswer(question, answer);
  for (Sums* sums : GroupsOf(question.difficulty, question.lang)) {
    ++sums->n;
    sums->snippet += outcome.snippet_in_answer ? 1 : 0;
    sums->cited += outcome.gold_cited ? 1 : 0;
    sums->abstained += outcome.abstained ? 1 : 0;
  }
  if (!answer.no_answer) answer_chars_.push_back(CodePoints(answer.text));
  CheckLeaks(question.id, principal, answer, {});
  return outcome;
}

bool AnswerReportBuilder::AddUnanswerable(const std::string& run_id,
                                          const std::string& group_difficulty,
                                          const std::string& lang, const Principal& principal,
                                          const AnswerObservation& answer,
                                          const std::vector<std::string>& forbidden) {
  const bool junk = IsJunkAnswer(answer);
  for (Sums* sums : GroupsOf(group_difficulty, lang)) {
    ++sums->n_unanswerable;
    sums->junk += junk ? 1 : 0;
  }
  CheckLeaks(run_id, principal, answer, forbidden);
  return junk;
}

void AnswerReportBuilder::CheckLeaks(const std::string& run_id, const Principal& principal,
                                     const AnswerObservation& answer,
                                     const std::vector<std::string>& forbidden) {
  const std::string prefix = run_id + " roles=" + principal.roles.Key() + ": ";
  for (const Acl& acl : answer.context_acls) {
    if (!principal.MayRead(acl)) {
      leaks_.push_back(prefix + "answer built on a document readable by " + acl.Key());
    }
  }
  for (const auto& needle : forbidden) {
    if (retriever::ContainsSnippet(answer.text, needle)) {
      leaks_.push_back(prefix + "forbidden \"" + needle + "\" in the answer");
    }
  }
}

AnswerGroupMetrics AnswerReportBuilder::Mean(const Sums& sums) {
  AnswerGroupMetrics group;
  group.n = sums.n;
  group.n_unanswerable = sums.n_unanswerable;
  if (sums.n > 0) {
    group.answer_snippet_rate = static_cast<double>(sums.snippet) / sums.n;
    group.gold_cited_rate = static_cast<double>(sums.cited) / sums.n;
    group.abstain_rate = static_cast<double>(sums.abstained) / sums.n;
  }
  if (sums.n_unanswerable > 0) {
    group.junk_rate = static_cast<double>(sums.junk) / sums.n_unanswerable;
  }
  return group;
}

AnswerReport AnswerReportBuilder::Build() const {
  AnswerReport report;
  report.overall = Mean(overall_);
  for (const auto& [name, sums] : by_difficulty_) report.by_difficulty[name] = Mean(sums);
  for (const auto& [name, sums] : by_language_) report.by_language[name] = Mean(sums);
  if (!answer_chars_.empty()) {
    std::vector<int> sorted = answer_chars_;
    std::sort(sorted.begin(), sorted.end());
    report.median_answer_chars = sorted[(sorted.size() - 1) / 2];  // lower median
  }
  report.leaks = leaks_;
  return report;
}

nlohmann::json ToJson(const AnswerReport& report) {
  json out = GroupJson(report.overall);
  out["median_answer_chars"] = report.median_answer_chars;
  out["leaks"] = report.leaks.size();
  out["leak_details"] = report.leaks;
  out["by_difficulty"] = GroupsJson(report.by_difficulty);
  out["by_language"] = GroupsJson(report.by_language);
  return out;
}

std::string ToText(const AnswerReport& report) {
  std::string out;
  char line[200];
  std::snprintf(line, sizeof(line), "%-28s %4s %8s %7s %8s %7s %6s\n", "group", "n", "snippet",
                "cited", "abstain", "n unans", "junk");
  out += line;
  AppendRow(&out, "all", report.overall);
  for (const auto& [name, group] : report.by_difficulty) {
    AppendRow(&out, "difficulty=" + name, group);
  }
  for (const auto& [name, group] : report.by_language) AppendRow(&out, "lang=" + name, group);
  out += "median answer length: " + std::to_string(report.median_answer_chars) + " characters\n";
  for (const auto& leak : report.leaks) out += "LEAK " + leak + "\n";
  out += "leaks: " + std::to_string(report.leaks.size()) + "\n";
  return out;
}

}  // namespace wissen::app

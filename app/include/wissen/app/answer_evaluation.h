// Answer evaluation: scoring what the answer pipeline told a user against a question set
// (eval-dev format) — the numbers `wissen eval --answers` prints.
//
// Pure functions over answers; running the pipeline is the caller's job. Definitions:
//   answer_snippet_rate  answerable questions whose answer text contains the gold snippet,
//                        compared after NFKC, case folding and whitespace collapsing;
//   gold_cited_rate      answerable questions whose answer cites a gold document;
//   abstain_rate         answerable questions answered with "nothing found";
//   junk_rate            unanswerable runs answered with citations, where "nothing found"
//                        is right. Unanswerable runs are questions of difficulty
//                        "unanswerable", questions about restricted documents re-run as a
//                        user holding only "everyone", and leak probes;
//   leaks                forbidden strings in an answer, and answers built on a document the
//                        user may not read. Must be 0.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/retriever/evaluation.h"

namespace wissen::app {

// What one answer showed the user, reduced to what the scoring needs.
struct AnswerObservation {
  std::string text;
  std::vector<std::string> cited_paths;  // source-relative paths of the cited documents
  std::vector<Acl> context_acls;         // ACL of every document the answer was built on
  bool no_answer = false;                // the pipeline said "nothing found"
};

struct AnswerOutcome {
  bool snippet_in_answer = false;
  bool gold_cited = false;
  bool abstained = false;
};

// Scores an answer to an answerable question.
AnswerOutcome ScoreAnswer(const retriever::EvalQuestion& question, const AnswerObservation& answer);

// Whether an answer to an unanswerable run is junk: it is not "nothing found" and it
// cites something.
bool IsJunkAnswer(const AnswerObservation& answer);

// Means over a group; all 0 when the count is 0.
struct AnswerGroupMetrics {
  int n = 0;  // answerable questions
  double answer_snippet_rate = 0;
  double gold_cited_rate = 0;
  double abstain_rate = 0;
  int n_unanswerable = 0;  // unanswerable runs
  double junk_rate = 0;
};

struct AnswerReport {
  AnswerGroupMetrics overall;
  std::map<std::string, AnswerGroupMetrics> by_difficulty;
  std::map<std::string, AnswerGroupMetrics> by_language;
  // Median length in characters (code points) of the answers to answerable questions that
  // were not "nothing found"; 0 when there is none.
  int median_answer_chars = 0;
  // One line per leak: run id, roles and what leaked (a path or a forbidden string).
  std::vector<std::string> leaks;
};

// Collects answers into an AnswerReport. Thread-compatible.
class AnswerReportBuilder {
 public:
  // An answerable question, answered with the question's own roles.
  AnswerOutcome AddAnswerable(const retriever::EvalQuestion& question, const Principal& principal,
                              const AnswerObservation& answer);
  // An unanswerable run: a question of difficulty "unanswerable", or a restricted question
  // re-run with fewer roles (`group_difficulty` names the group it counts in, e.g.
  // "restricted"). Returns whether it was junk.
  bool AddUnanswerable(const std::string& run_id, const std::string& group_difficulty,
                       const std::string& lang, const Principal& principal,
                       const AnswerObservation& answer, const std::vector<std::string>& forbidden);

  AnswerReport Build() const;

 private:
  struct Sums {
    int n = 0;
    int snippet = 0;
    int cited = 0;
    int abstained = 0;
    int n_unanswerable = 0;
    int junk = 0;
  };
  std::vector<Sums*> GroupsOf(const std::string& difficulty, const std::string& lang);
  void CheckLeaks(const std::string& run_id, const Principal& principal,
                  const AnswerObservation& answer, const std::vector<std::string>& forbidden);
  static AnswerGroupMetrics Mean(const Sums& sums);

  Sums overall_;
  std::map<std::string, Sums> by_difficulty_, by_language_;
  std::vector<int> answer_chars_;
  std::vector<std::string> leaks_;
};

// Whether a question is one whose answer is in no document ("difficulty": "unanswerable").
bool IsUnanswerable(const retriever::EvalQuestion& question);

// {"n", "answer_snippet_rate", "gold_cited_rate", "abstain_rate", "n_unanswerable",
//  "junk_rate", "median_answer_chars", "leaks", "leak_details",
//  "by_difficulty"/"by_language": {name: {...the group keys...}}}.
nlohmann::json ToJson(const AnswerReport& report);

// A table (group, n, snippet, cited, abstain, n unanswerable, junk), then length and leaks.
std::string ToText(const AnswerReport& report);

}  // namespace wissen::app

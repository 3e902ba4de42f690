// Retrieval evaluation: scoring ranked passages against a question set with gold documents
// and answer snippets, and counting leaks to users who may not read what they got.
//
// Pure functions over passages; running the queries is the caller's job (`wissen eval`).
// The metrics follow eval-dev/README.md and agree with its reference scorer score.py:
//   recall@5   at least one of the top 5 passages comes from a gold file (path relative to
//              the source root; for PDFs the file counts, not the page);
//   MRR@10     1/rank of the first top-10 passage from a gold file, 0 if none;
//   snippet@5  the answer snippet is contained in a top-5 passage, compared after NFKC,
//              case folding and whitespace collapsing, with or without PDF line-break
//              hyphenation undone;
//   leaks      one per returned passage the user may not read, plus one per forbidden
//              string that appears in a returned passage. Must be 0.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen::retriever {

// One line of questions.jsonl.
struct EvalQuestion {
  std::string id;  // "py-001"; the part before the first '-' is the area
  std::string lang;
  std::vector<std::string> roles;  // the asking user's full role set
  std::string question;
  std::vector<std::string> gold;  // source-relative paths; gold[0] holds the snippet
  std::string answer_snippet;
  std::string difficulty;  // "lexical", "paraphrase" or kUnanswerable
};

// The difficulty of a question whose answer is in no document the set holds: its gold and
// snippet are empty, retrieval metrics skip it, and the right answer is "nothing found".
inline constexpr std::string_view kUnanswerable = "unanswerable";

// One line of leak_probes.jsonl: an adversarial query that must return nothing forbidden.
struct LeakProbe {
  std::string id;
  std::string lang;
  std::vector<std::string> roles;
  std::string query;
  std::vector<std::string> forbidden;  // strings that must never reach this user
  std::vector<std::string> target;     // the documents the probe aims at (informational)
};

// Parse JSONL text: one object per line, blank lines skipped, unknown keys ignored.
// Errors: kInvalidArgument naming the 1-based line ("line 7: ...") for malformed JSON, a
// missing or mistyped field, an empty question/query, an invalid role name or a repeated id.
// Gold and snippet must be non-empty, except for an unanswerable question, where they must
// be empty.
Result<std::vector<EvalQuestion>> ParseEvalQuestions(std::string_view jsonl);
Result<std::vector<LeakProbe>> ParseLeakProbes(std::string_view jsonl);

// Whether roles name anything beyond "everyone": such questions are run a second time as a
// user holding only "everyone", and that run counts for leaks only.
bool HasRestrictedRoles(const std::vector<std::string>& roles);

// score.py's de-hyphenation: "exam-\n  ple" -> "example" (a word character, '-', white
// space containing a line break, a word character). Text without such breaks is unchanged.
std::string UndoLineBreakHyphenation(std::string_view text);

// Whether `snippet` occurs in `text` after NFKC, case folding and whitespace collapsing on
// both sides, with or without line-break hyphenation undone in `text`. An empty snippet
// matches nothing.
bool ContainsSnippet(std::string_view text, std::string_view snippet);

struct QuestionOutcome {
  bool recall_at_5 = false;
  double reciprocal_rank = 0;  // 1/rank of the first gold passage within the top 10, or 0
  bool snippet_at_5 = false;
  int first_gold_rank = 0;  // 1-based rank of the first gold passage at any depth, 0 if none
};

// Scores one question's ranked passages (best first).
QuestionOutcome ScoreQuestion(const EvalQuestion& question, const std::vector<Passage>& ranked);

struct Leak {
  int rank = 0;           // 1-based rank of the offending passage
  std::string path;       // its document path
  std::string forbidden;  // the forbidden string found; empty for an unreadable passage
};

// Leaks in what `principal` got back: every passage whose ACL does not intersect the
// principal's roles, and every string of `forbidden` that appears (compared like snippets)
// in some passage, once per string.
std::vector<Leak> FindLeaks(const Principal& principal, const std::vector<Passage>& passages,
                            const std::vector<std::string>& forbidden);
int CountLeaks(const Principal& principal, const std::vector<Passage>& passages,
               const std::vector<std::string>& forbidden);

// Means over a group of questions; all 0 when n is 0.
struct GroupMetrics {
  int n = 0;
  double recall_at_5 = 0;
  double mrr_at_10 = 0;
  double snippet_at_5 = 0;
};

struct LatencySummary {
  int n = 0;  // timed question runs
  double mean_ms = 0;
  double p95_ms = 0;  // nearest-rank 95th percentile
};

struct EvalReport {
  GroupMetrics overall;
  std::map<std::string, GroupMetrics> by_difficulty;
  std::map<std::string, GroupMetrics> by_language;
  std::map<std::string, GroupMetrics> by_area;
  LatencySummary latency;  // of the question runs with the question's own roles
  int restricted_reruns = 0;
  int unanswerable_runs = 0;  // questions of difficulty kUnanswerable (leaks only)
  int leak_probes_run = 0;
  // One line per leak: run id, roles and what leaked (a path or a forbidden string; never
  // passage text).
  std::vector<std::string> leaks;
};

// Collects runs into an EvalReport. Thread-compatible.
class EvalReportBuilder {
 public:
  // A question run with its own roles: scored, timed and checked for leaks. An unanswerable
  // question is checked for leaks only (and returns an empty outcome).
  QuestionOutcome AddQuestionRun(const EvalQuestion& question, const Principal& principal,
                                 const std::vector<Passage>& ranked, double latency_ms);
  // A question re-run with fewer roles (only "everyone"): checked for leaks only.
  void AddRestrictedRun(const EvalQuestion& question, const Principal& principal,
                        const std::vector<Passage>& ranked);
  // A leak probe run: checked for unreadable passages and the probe's forbidden strings.
  void AddProbeRun(const LeakProbe& probe, const Principal& principal,
                   const std::vector<Passage>& ranked);

  EvalReport Build() const;

 private:
  struct Sums {
    int n = 0;
    double recall = 0;
    double rr = 0;
    double snippet = 0;
  };
  void AddLeaks(std::string_view run_id, const Principal& principal,
                const std::vector<Leak>& leaks);
  static GroupMetrics Mean(const Sums& sums);

  Sums overall_;
  std::map<std::string, Sums> by_difficulty_, by_language_, by_area_;
  std::vector<double> latencies_ms_;
  int restricted_reruns_ = 0;
  int unanswerable_runs_ = 0;
  int leak_probes_run_ = 0;
  std::vector<std::string> leaks_;
};

// {"n", "recall_at_5", "mrr_at_10", "snippet_at_5", "leaks" (count), "leak_details",
//  "by_difficulty"/"by_language"/"by_area": {name: {"n", "recall_at_5", ...}},
//  "latency_ms": {"n", "mean", "p95"}, "restricted_reruns", "leak_probes_run"}.
nlohmann::json ToJson(const EvalReport& report);

// A table like score.py's (group, n, recall@5, MRR@10, snippet@5), then latency and leaks.
std::string ToText(const EvalReport& report);

}  // namespace wissen::retriever

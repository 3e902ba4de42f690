#include "wissen/retriever/evaluation.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>

#include "wissen/core/text.h"

namespace wissen::retriever {
namespace {

using nlohmann::json;

// Reads typed fields of one JSON object and keeps the first problem, so a parser states all
// its fields in a row and checks once.
class FieldReader {
 public:
  explicit FieldReader(const json& object) : object_(object) {}

  void String(const char* key, std::string* out, bool required, bool non_empty = false) {
    const json* value = Find(key, required);
    if (value == nullptr) return;
    if (!value->is_string()) return Problem(std::string("\"") + key + "\" must be a string");
    *out = value->get<std::string>();
    if (non_empty && TrimAscii(*out).empty()) {
      Problem(std::string("\"") + key + "\" is empty");
    }
  }

  void Strings(const char* key, std::vector<std::string>* out, bool required,
               bool non_empty = false) {
    const json* value = Find(key, required);
    if (value == nullptr) return;
    const std::string message = std::string("\"") + key + "\" must be an array of strings";
    if (!value->is_array()) return Problem(message);
    out->clear();
    for (const auto& item : *value) {
      if (!item.is_string()) return Problem(message);
      out->push_back(item.get<std::string>());
    }
    if (non_empty && out->empty()) Problem(std::string("\"") + key + "\" is empty");
  }

  void Roles(std::vector<std::string>* out) {
    Strings("roles", out, /*required=*/true);
    for (const auto& role : *out) {
      if (!IsValidRoleName(role)) return Problem("\"" + role + "\" is not a role name");
    }
  }

  void Problem(std::string message) {
    if (problem_.empty()) problem_ = std::move(message);
  }
  const std::string& problem() const { return problem_; }

 private:
  const json* Find(const char* key, bool required) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      if (required) Problem(std::string("missing \"") + key + "\"");
      return nullptr;
    }
    return &*it;
  }

  const json& object_;
  std::string problem_;
};

// Calls parse_line(object, reader) for every non-blank line and collects the items.
template <typename Item, typename ParseLine>
Result<std::vector<Item>> ParseJsonl(std::string_view jsonl, ParseLine parse_line) {
  std::vector<Item> items;
  std::set<std::string> ids;
  int line_number = 0;
  size_t start = 0;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string_view::npos) end = jsonl.size();
    const std::string_view line = TrimAscii(jsonl.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty()) continue;
    const auto fail = [line_number](const std::string& message) {
      return Fail(ErrorCode::kInvalidArgument,
                  "line " + std::to_string(line_number) + ": " + message);
    };
    const json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) return fail("not valid JSON");
    if (!object.is_object()) return fail("not a JSON object");
    FieldReader reader(object);
    Item item;
    parse_line(reader, &item);
    if (!reader.problem().empty()) return fail(reader.problem());
    if (!ids.insert(item.id).second) return fail("id \"" + item.id + "\" appears twice");
    items.push_back(std::move(item));
  }
  return items;
}

// Python's str.isspace(), which is what `\s` matches in score.py.
bool IsPythonSpace(UChar32 c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Python's `\w` on str: alphanumeric (letters, or any numeric type) or '_'.
bool IsPythonWord(UChar32 c) {
  if (c < 0) return false;
  if (c == '_') return true;
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return true;
    default:
      return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
  }
}

std::string Area(std::string_view id) { return std::string(id.substr(0, id.find('-'))); }

std::string RolesText(const Principal& principal) {
  std::string text = "[";
  for (const auto& role : principal.roles.roles()) {
    if (text.size() > 1) text += ",";
    text += role;
  }
  return text + "]";
}

// Both comparison forms of a passage text: as is and with line-break hyphenation undone.
struct NormalizedText {
  explicit NormalizedText(std::string_view text)
      : plain(NormalizeForMatch(text)),
        dehyphenated(NormalizeForMatch(UndoLineBreakHyphenation(text))) {}
  bool Contains(const std::string& normalized_needle) const {
    return !normalized_needle.empty() &&
           (plain.find(normalized_needle) != std::string::npos ||
            dehyphenated.find(normalized_needle) != std::string::npos);
  }
  std::string plain;
  std::string dehyphenated;
};

json GroupJson(const GroupMetrics& group) {
  return {{"n", group.n},
          {"recall_at_5", group.recall_at_5},
          {"mrr_at_10", group.mrr_at_10},
          {"snippet_at_5", group.snippet_at_5}};
}

json GroupsJson(const std::map<std::string, GroupMetrics>& groups) {
  json out = json::object();
  for (const auto& [name, group] : groups) out[name] = GroupJson(group);
  return out;
}

void AppendRow(std::string* out, const std::string& name, const GroupMetrics& group) {
  char row[160];
  std::snprintf(row, sizeof(row), "%-24s %4d %9.3f %7.3f %10.3f\n", name.c_str(), group.n,
                group.recall_at_5, group.mrr_at_10, group.snippet_at_5);
  *out += row;
}

}  // namespace

Result<std::vector<EvalQuestion>> ParseEvalQuestions(std::string_view jsonl) {
  return ParseJsonl<EvalQuestion>(jsonl, [](FieldReader& reader, EvalQuestion* q) {
    reader.String("id", &q->id, /*required=*/true, /*non_empty=*/true);
    reader.String("lang", &q->lang, true);
    reader.Roles(&q->roles);
    reader.String("question", &q->question, true, true);
    reader.String("difficulty", &q->difficulty, true, true);
    // A question whose answer is in no document has no gold and no snippet; every other
    // question needs both.
    const bool answerable = q->difficulty != kUnanswerable;
    reader.Strings("gold", &q->gold, true, answerable);
    reader.String("answer_snippet", &q->answer_snippet, answerable, answerable);
    if (!answerable && (!q->gold.empty() || !q->answer_snippet.empty())) {
      reader.Problem("an unanswerable question has an empty \"gold\" and \"answer_snippet\"");
    }
  });
}

Result<std::vector<LeakProbe>> ParseLeakProbes(std::string_view jsonl) {
  return ParseJsonl<LeakProbe>(jsonl, [](FieldReader& reader, LeakProbe* probe) {
    reader.String("id", &probe->id, /*required=*/true, /*non_empty=*/true);
    reader.String("lang", &probe->lang, false);
    reader.Roles(&probe->roles);
    reader.String("query", &probe->query, true, true);
    reader.Strings("forbidden", &probe->forbidden, true);
    reader.Strings("target", &probe->target, false);
  });
}

bool HasRestrictedRoles(const std::vector<std::string>& roles) {
  return std::any_of(roles.begin(), roles.end(),
                     [](const std::string& role) { return role != kEveryoneRole; });
}

std::string UndoLineBreakHyphenation(std::string_view text) {
  struct CodePoint {
    int32_t start;
    int32_t end;
    UChar32 c;
  };
  std::vector<CodePoint> points;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    points.push_back({start, i, c});
  }
  // Left to right without overlaps, like re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text): the
  // word character after a joined break cannot start the next match.
  std::string out;
  out.reserve(text.size());
  const auto append = [&](const CodePoint& p) {
    out.append(text.substr(p.start, p.end - p.start));
  };
  size_t p = 0;
  while (p < points.size()) {
    if (IsPythonWord(points[p].c) && p + 1 < points.size() && points[p + 1].c == '-') {
      size_t q = p + 2;
      bool line_break = false;
      while (q < points.size() && IsPythonSpace(points[q].c)) {
        line_break = line_break || points[q].c == '\n';
        ++q;
      }
      if (line_break && q < points.size() && IsPythonWord(points[q].c)) {
        append(points[p]);
        append(points[q]);
        p = q + 1;
        continue;
      }
    }
    append(points[p]);
    ++p;
  }
  return out;
}

bool ContainsSnippet(std::string_view text, std::string_view snippet) {
  return NormalizedText(text).Contains(NormalizeForMatch(snippet));
}

QuestionOutcome ScoreQuestion(const EvalQuestion& question, const std::vector<Passage>& ranked) {
  QuestionOutcome outcome;
  const std::string snippet = NormalizeForMatch(question.answer_snippet);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const int rank = static_cast<int>(i) + 1;
    const bool gold = std::find(question.gold.begin(), question.gold.end(), ranked[i].path) !=
                      question.gold.end();
    if (gold && outcome.first_gold_rank == 0) outcome.first_gold_rank = rank;
    if (rank <= 5 && !outcome.snippet_at_5 && NormalizedText(ranked[i].text).Contains(snippet)) {
      outcome.snippet_at_5 = true;
    }
  }
  outcome.recall_at_5 = outcome.first_gold_rank >= 1 && outcome.first_gold_rank <= 5;
  if (outcome.first_gold_rank >= 1 && outcome.first_gold_rank <= 10) {
    outcome.reciprocal_rank = 1.0 / outcome.first_gold_rank;
  }
  return outcome;
}

std::vector<Leak> FindLeaks(const Principal& principal, const std::vector<Passage>& passages,
                            const std::vector<std::string>& forbidden) {
  std::vector<Leak> leaks;
  for (size_t i = 0; i < passages.size(); ++i) {
    if (!principal.MayRead(passages[i].acl)) {
      leaks.push_back({static_cast<int>(i) + 1, passages[i].path, ""});
    }
  }
  if (forbidden.empty()) return leaks;
  std::vector<NormalizedText> texts;
  texts.reserve(passages.size());
  for (const auto& passage : passages) texts.emplace_back(passage.text);
  for (const auto& needle : forbidden) {
    const std::string normalized = NormalizeForMatch(needle);
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].Contains(normalized)) {
        leaks.push_back({static_cast<int>(i) + 1, passages[i].path, needle});
        break;  // once per string, as score.py counts
      }
    }
  }
  return leaks;
}

int CountLeaks(const Principal& principal, const std::vector<Passage>& passages,
               const std::vector<std::string>& forbidden) {
  return static_cast<int>(FindLeaks(principal, passages, forbidden).size());
}

QuestionOutcome EvalReportBuilder::AddQuestionRun(const EvalQuestion& question,
                                                  const Principal& principal,
                                                  const std::vector<Passage>& ranked,
                                                  double latency_ms) {
  AddLeaks(question.id, principal, FindLeaks(principal, ranked, {}));
  if (question.difficulty == kUnanswerable) {
    ++unanswerable_runs_;  // no gold to rank: checked for leaks only
    return {};
  }
  const QuestionOutcome outcome = ScoreQuestion(question, ranked);
  for (Sums* sums : {&overall_, &by_difficulty_[question.difficulty], &by_language_[question.lang],
                     &by_area_[Area(question.id)]}) {
    ++sums->n;
    sums->recall += outcome.recall_at_5 ? 1 : 0;
    sums->rr += outcome.reciprocal_rank;
    sums->snippet += outcome.snippet_at_5 ? 1 : 0;
  }
  latencies_ms_.push_back(latency_ms);
  return outcome;
}

void EvalReportBuilder::AddRestrictedRun(const EvalQuestion& question, const Principal& principal,
                                         const std::vector<Passage>& ranked) {
  ++restricted_reruns_;
  AddLeaks(question.id, principal, FindLeaks(principal, ranked, {}));
}

void EvalReportBuilder::AddProbeRun(const LeakProbe& probe, const Principal& principal,
                                    const std::vector<Passage>& ranked) {
  ++leak_probes_run_;
  AddLeaks(probe.id, principal, FindLeaks(principal, ranked, probe.forbidden));
}

void EvalReportBuilder::AddLeaks(std::string_view run_id, const Principal& principal,
                                 const std::vector<Leak>& leaks) {
  for (const auto& leak : leaks) {
    std::string line = std::string(run_id) + " roles=" + RolesText(principal) + ": ";
    if (leak.forbidden.empty()) {
      line += "rank " + std::to_string(leak.rank) + " passage from unreadable " + leak.path;
    } else {
      line += "forbidden \"" + leak.forbidden + "\" in rank " + std::to_string(leak.rank) +
              " passage from " + leak.path;
    }
    leaks_.push_back(std::move(line));
  }
}

GroupMetrics EvalReportBuilder::Mean(const Sums& sums) {
  GroupMetrics group;
  group.n = sums.n;
  if (sums.n == 0) return group;
  group.recall_at_5 = sums.recall / sums.n;
  group.mrr_at_10 = sums.rr / sums.n;
  group.snippet_at_5 = sums.snippet / sums.n;
  return group;
}

EvalReport EvalReportBuilder::Build() const {
  EvalReport report;
  report.overall = Mean(overall_);
  for (const auto& [name, sums] : by_difficulty_) report.by_difficulty[name] = Mean(sums);
  for (const auto& [name, sums] : by_language_) report.by_language[name] = Mean(sums);
  for (const auto& [name, sums] : by_area_) report.by_area[name] = Mean(sums);
  if (!latencies_ms_.empty()) {
    std::vector<double> sorted = latencies_ms_;
    std::sort(sorted.begin(), sorted.end());
    double total = 0;
    for (double ms : sorted) total += ms;
    report.latency.n = static_cast<int>(sorted.size());
    report.latency.mean_ms = total / sorted.size();
    const auto index = static_cast<size_t>(std::ceil(0.95 * sorted.size())) - 1;
    report.latency.p95_ms = sorted[std::min(index, sorted.size() - 1)];
  }
  report.restricted_reruns = restricted_reruns_;
  report.unanswerable_runs = unanswerable_runs_;
  report.leak_probes_run = leak_probes_run_;
  report.leaks = leaks_;
  return report;
}

nlohmann::json ToJson(const EvalReport& report) {
  json out = GroupJson(report.overall);
  out["leaks"] = report.leaks.size();
  out["leak_details"] = report.leaks;
  out["by_difficulty"] = GroupsJson(report.by_difficulty);
  out["by_language"] = GroupsJson(report.by_language);
  out["by_area"] = GroupsJson(report.by_area);
  out["latency_ms"] = {
      {"n", report.latency.n}, {"mean", report.latency.mean_ms}, {"p95", report.latency.p95_ms}};
  out["restricted_reruns"] = report.restricted_reruns;
  out["unanswerable_runs"] = report.unanswerable_runs;
  out["leak_probes_run"] = report.leak_probes_run;
  return out;
}

std::string ToText(const EvalReport& report) {
  std::string out;
  char line[200];
  std::snprintf(line, sizeof(line), "%-24s %4s %9s %7s %10s\n", "group", "n", "recall@5", "MRR@10",
                "snippet@5");
  out += line;
  AppendRow(&out, "all", report.overall);
  for (const auto& [name, group] : report.by_difficulty) {
    AppendRow(&out, "difficulty=" + name, group);
  }
  for (const auto& [name, group] : report.by_language) AppendRow(&out, "lang=" + name, group);
  for (const auto& [name, group] : report.by_area) AppendRow(&out, "area=" + name, group);
  std::snprintf(line, sizeof(line), "latency per question: mean %.1f ms, p95 %.1f ms (n=%d)\n",
                report.latency.mean_ms, report.latency.p95_ms, report.latency.n);
  out += line;
  std::snprintf(line, sizeof(line),
                "unanswerable questions (leaks only): %d, restricted re-runs: %d, leak probes "
                "run: %d\n",
                report.unanswerable_runs, report.restricted_reruns, report.leak_probes_run);
  out += line;
  for (const auto& leak : report.leaks) out += "LEAK " + leak + "\n";
  out += "leaks: " + std::to_string(report.leaks.size()) + "\n";
  return out;
}

}  // namespace wissen::retriever

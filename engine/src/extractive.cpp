// The built-in extractive answerer.
//
// Scoring, per sentence s of the context and content word q of the question:
//   match(q, s)  1 for the same stem; 0.8 for an inflection (one stem a prefix of the other,
//                at most 3 letters apart); 0.6 for a compound part ("urlaub" in
//                "urlaubsantrag", "antrag" in "urlaubsantrag"); else 0.
//   idf(q)       ln(1 + N / df), N sentences in the context, df of them matching q (a word
//                no sentence has counts as df = 1: it is part of the question the context
//                fails to answer).
//   relevance    sum of idf(q) * max(match(q, s), 0.3 * match(q, title and headings))
//                over sum of idf(q): the weighted share of the question the sentence covers.
//   spill-over   the next sentence of the same passage inherits 0.4 of a sentence's
//                relevance (0.6 after "why"): the answer often follows the sentence that
//                restates the topic.
//   kind bonus   x1.3 for a sentence with a number (digits or number words) when the question
//                asks for one ("wann", "wie lange", "how many", "when"); x1.2 for a sentence
//                with a reason marker ("weil", "because") after "warum"/"why".
//   score        relevance * length factor * (1 + 0.1 / (rank + 1)) * kind bonus.
// The best sentence brings its successor along when it ends in ':' or answers "why".
// No answer when no sentence reaches min_score on its own words.
// Words are NFKC case-folded, umlauts folded (ä -> ae), German participles lose their "ge"
// ("abgerechnet" -> "abrechnet") and crudely stemmed; function words of both languages and
// question words are dropped.
#include "wissen/engine/extractive.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "wissen/core/document.h"
#include "wissen/core/language.h"
#include "wissen/core/sentences.h"
#include "wissen/core/stop_words.h"
#include "wissen/core/text.h"
#include "wissen/engine/prompt.h"

namespace wissen::engine {
namespace {

constexpr std::string_view kNoAnswerGerman =
    "In den Dokumenten, die Sie lesen dürfen, habe ich dazu nichts gefunden.";
constexpr std::string_view kNoAnswerEnglish =
    "I found nothing about this in the documents you may read.";
constexpr std::string_view kIntroGerman = "Dazu steht in den Dokumenten:";
constexpr std::string_view kIntroEnglish = "Here is what the documents say:";

bool IsNumeric(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Crude suffix stripping shared by German and English; the prefix matching in Match()
// catches what it misses.
std::string Stem(std::string word) {
  if (IsNumeric(word)) return word;
  if (word.size() > 4 && word.ends_with("ies")) {
    word.resize(word.size() - 3);
    return word + "y";
  }
  static constexpr std::string_view kSuffixes[] = {"ern", "ing", "em", "en", "er",
                                                   "es",  "ed",  "e",  "s"};
  for (std::string_view suffix : kSuffixes) {
    if (word.size() >= suffix.size() + 3 && word.ends_with(suffix)) {
      word.resize(word.size() - suffix.size());
      return word;
    }
  }
  return word;
}

// German separable prefixes that take the participle's "ge" after them ("abgerechnet").
constexpr std::string_view kSeparablePrefixes[] = {
    "zurueck", "heraus", "voraus", "weiter", "nach", "fest", "frei", "hinzu", "ab", "an",
    "auf",     "aus",    "bei",    "ein",    "mit",  "vor",  "weg",  "zu",    "dar"};

// Drops the "ge" of a German past participle, so "abgerechnet" meets "abrechnen" and
// "gestellt" meets "stellen" through the prefix matching in Match(). Applied to question and
// context alike; the rare non-participle it shortens ("gesundheit") still meets itself.
std::string FoldParticiple(const std::string& word) {
  if (word.size() < 7 || IsNumeric(word)) return word;
  if (!word.ends_with("t") && !word.ends_with("en")) return word;
  for (std::string_view prefix : kSeparablePrefixes) {
    if (word.size() >= prefix.size() + 6 && word.starts_with(prefix) &&
        word.compare(prefix.size(), 2, "ge") == 0) {
      return std::string(prefix) + word.substr(prefix.size() + 2);
    }
  }
  if (word.starts_with("ge")) return word.substr(2);
  return word;
}

// The words of `text`, NFKC case-folded with umlauts folded (ä -> ae, ß -> ss).
std::vector<std::string> Words(std::string_view text) {
  const std::string normalized = NormalizeForMatch(text);
  std::vector<std::string> words;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  const auto* s = reinterpret_cast<const uint8_t*>(normalized.data());
  const auto length = static_cast<int32_t>(normalized.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0 || !u_isalnum(c)) {
      flush();
      continue;
    }
    switch (c) {  // case folding already ran
      case 0xE4:
        word += "ae";
        break;
      case 0xF6:
        word += "oe";
        break;
      case 0xFC:
        word += "ue";
        break;
      case 0xDF:
        word += "ss";
        break;
      default:
        word.append(normalized, start, i - start);
    }
  }
  flush();
  return words;
}

// Content-word stems of `text`, distinct, in order of appearance. With `both_forms` a
// participle adds its folded stem beside its own (context sentences); otherwise only the
// folded one counts (question terms, each of which must count once).
std::vector<std::string> Terms(std::string_view text, bool both_forms = false) {
  std::vector<std::string> terms;
  const auto add = [&](std::string stem) {
    if (std::find(terms.begin(), terms.end(), stem) == terms.end()) {
      terms.push_back(std::move(stem));
    }
  };
  for (const std::string& word : Words(text)) {
    if (word.size() < 2 || IsQuestionStopWord(word)) continue;
    const std::string folded = FoldParticiple(word);
    if (both_forms && folded != word) add(Stem(word));
    add(Stem(folded));
  }
  return terms;
}

// What a question asks for, judged from its question words. The answer to "how many" or
// "until when" holds a number or a date; the answer to "why" gives a reason, often in the
// sentence after the one that restates the topic.
enum class QuestionKind { kOther, kQuantity, kReason };

QuestionKind KindOf(std::string_view question) {
  const std::vector<std::string> words = Words(question);
  static const std::unordered_set<std::string_view> kAfterHow = {
      "viel",    "viele", "hoch",  "lange", "oft",  "alt",   "gross",
      "schnell", "frueh", "spaet", "many",  "much", "long",  "often",
      "old",     "large", "big",   "far",   "soon", "early", "late"};
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "warum" || w == "wieso" || w == "weshalb" || w == "why") return QuestionKind::kReason;
    if (w == "wann" || w == "when" || w == "wieviel" || w == "wieviele" || w == "frist" ||
        w == "deadline") {
      return QuestionKind::kQuantity;
    }
    if ((w == "wie" || w == "how") && i + 1 < words.size() && kAfterHow.contains(words[i + 1])) {
      return QuestionKind::kQuantity;
    }
    if ((w == "what" || w == "which" || w == "welchem" || w == "welches" || w == "welcher") &&
        i + 1 < words.size() &&
        (words[i + 1] == "year" || words[i + 1] == "time" || words[i + 1] == "date" ||
         words[i + 1] == "jahr" || words[i + 1] == "datum" || words[i + 1] == "uhrzeit")) {
      return QuestionKind::kQuantity;
    }
  }
  return QuestionKind::kOther;
}

// Score factor for a sentence whose form fits what the question asks for.
double KindBonus(QuestionKind kind, const std::string& text) {
  if (kind == QuestionKind::kQuantity) {
    static const std::unordered_set<std::string_view> kNumberWords = {
        "zwei",    "drei",   "vier",      "fuenf",     "sechs",        "sieben",      "acht",
        "neun",    "zehn",   "zwoelf",    "zwanzig",   "dreissig",     "hundert",     "two",
        "three",   "four",   "five",      "six",       "seven",        "eight",       "nine",
        "ten",     "twelve", "twenty",    "thirty",    "hundred",      "halb",        "half",
        "once",    "twice",  "einmal",    "zweimal",   "taeglich",     "daily",       "weekly",
        "monthly", "yearly", "jaehrlich", "monatlich", "woechentlich", "spaetestens", "innerhalb",
        "within"};
    if (std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return 1.3;
    }
    for (const std::string& w : Words(text)) {
      if (kNumberWords.contains(w)) return 1.3;
    }
    return 1.0;
  }
  if (kind == QuestionKind::kReason) {
    static const std::unordered_set<std::string_view> kReasonWords = {
        "weil",      "denn",    "deshalb",   "daher",     "damit",  "sonst",
        "grund",     "because", "therefore", "otherwise", "reason", "avoid",
        "advantage", "ensures", "vorteil",   "vermeiden"};
    for (const std::string& w : Words(text)) {
      if (kReasonWords.contains(w)) return 1.2;
    }
  }
  return 1.0;
}

// How well a text's stem `t` matches the question's stem `q` (see the file comment).
double Match(std::string_view q, std::string_view t) {
  if (q == t) return 1.0;
  if (IsNumeric(q) || IsNumeric(t)) return 0.0;
  const size_t shorter = std::min(q.size(), t.size());
  const size_t gap = std::max(q.size(), t.size()) - shorter;
  if (shorter >= 4 && (t.starts_with(q) || q.starts_with(t))) return gap <= 3 ? 0.8 : 0.6;
  if (shorter >= 4 && (t.ends_with(q) || q.ends_with(t))) return 0.6;
  return 0.0;
}

double BestMatch(std::string_view q, const std::vector<std::string>& terms) {
  double best = 0;
  for (const std::string& t : terms) {
    best = std::max(best, Match(q, t));
    if (best == 1.0) break;
  }
  return best;
}

struct Sentence {
  int passage = 0;   // index into the request's context (= rank)
  int position = 0;  // order within the passage
  std::string text;  // white space collapsed
  std::vector<std::string> terms;
  std::vector<double> matches;  // per question term
  double relevance = 0;
  double score = 0;
  double kind_bonus = 1;  // KindBonus()
};

// Share of a sentence's relevance the next sentence of the same passage inherits; more
// after "why", whose answer tends to follow the sentence naming the topic.
constexpr double kSpillOver = 0.4;
constexpr double kReasonSpillOver = 0.6;
// Score bonus for the top passage, falling off as 1 / rank.
constexpr double kRankBonus = 0.1;

double LengthFactor(const std::string& text) {
  const size_t chars = text.size();
  const auto words = std::count(text.begin(), text.end(), ' ') + 1;
  if (chars < 20 || words < 4) return 0.6;
  if (chars > 400) return std::sqrt(400.0 / static_cast<double>(chars));
  return 1.0;
}

// Same words (Jaccard >= 0.75), or one sentence's words all within the other's.
bool NearDuplicate(const Sentence& a, const Sentence& b) {
  if (a.terms.empty() || b.terms.empty()) return a.text == b.text;
  size_t shared = 0;
  for (const std::string& t : a.terms) {
    shared += std::find(b.terms.begin(), b.terms.end(), t) != b.terms.end();
  }
  const size_t all = a.terms.size() + b.terms.size() - shared;
  return shared == std::min(a.terms.size(), b.terms.size()) ||
         static_cast<double>(shared) >= 0.75 * static_cast<double>(all);
}

struct QuestionTerm {
  std::string stem;
  double weight = 1;  // history terms count less
};

std::vector<QuestionTerm> QuestionTerms(const GenerationRequest& request) {
  std::vector<QuestionTerm> terms;
  for (std::string& stem : Terms(request.question)) terms.push_back({std::move(stem), 1.0});
  // A short follow-up ("Und für Teilzeitkräfte?") borrows the words of the user's last turn.
  if (terms.size() < 3) {
    for (auto it = request.history.rbegin(); it != request.history.rend(); ++it) {
      if (it->role != "user") continue;
      for (std::string& stem : Terms(it->content)) {
        const bool known = std::any_of(terms.begin(), terms.end(),
                                       [&](const QuestionTerm& q) { return q.stem == stem; });
        if (!known) terms.push_back({std::move(stem), 0.35});
      }
      break;
    }
  }
  return terms;
}

class ExtractiveGenerator final : public Generator {
 public:
  explicit ExtractiveGenerator(const ExtractiveOptions& options) : options_(options) {
    options_.max_sentences = std::max(options_.max_sentences, 1);
  }

  Result<GenerationResult> Generate(const GenerationRequest& request,
                                    const TokenCallback& on_token) override {
    std::string language = request.language;
    if (language != kLanguageGerman && language != kLanguageEnglish) {
      language = DetectLanguage(request.question);
    }
    const bool english = language == kLanguageEnglish;

    GenerationResult result;
    result.generator = Name();
    std::vector<Sentence> sentences;
    const std::vector<const Sentence*> chosen = Choose(request, &sentences, language);
    std::vector<std::string> pieces;
    if (chosen.empty()) {
      result.no_answer = true;
      pieces.emplace_back(english ? kNoAnswerEnglish : kNoAnswerGerman);
    } else {
      pieces.push_back(std::string(english ? kIntroEnglish : kIntroGerman) + "\n\n");
      for (const Sentence* sentence : chosen) {
        const int id = request.context[sentence->passage].id;
        std::string line = chosen.size() > 1 ? "- " : "";
        line += sentence->text + " [" + std::to_string(id) + "]";
        if (chosen.size() > 1 && sentence != chosen.back()) line += "\n";
        pieces.push_back(std::move(line));
      }
    }
    for (const std::string& piece : pieces) {
      result.text += piece;
      if (on_token && !on_token(piece)) break;
    }
    result.completion_tokens = EstimateTokens(result.text);
    return result;
  }

  std::string Name() const override { return "extractive"; }

 private:
  // Scores every sentence and returns the ones to quote, in reading order; empty when
  // nothing is relevant enough. The pointers point into `*sentences`.
  std::vector<const Sentence*> Choose(const GenerationRequest& request,
                                      std::vector<Sentence>* sentences,
                                      const std::string& language) const {
    sentences->clear();
    const std::vector<QuestionTerm> question = QuestionTerms(request);
    if (question.empty() || request.context.empty()) return {};
    const QuestionKind kind = KindOf(request.question);

    std::vector<std::vector<double>> heading_matches;  // per passage, per question term
    for (size_t p = 0; p < request.context.size(); ++p) {
      const ContextPassage& passage = request.context[p];
      const std::vector<std::string> heading_terms =
          Terms(passage.title + " \n " + passage.heading_path);
      std::vector<double> matches;
      for (const QuestionTerm& q : question) matches.push_back(BestMatch(q.stem, heading_terms));
      heading_matches.push_back(std::move(matches));

      int position = 0;
      for (const SentenceSpan& span : SplitSentences(passage.text, language)) {
        Sentence sentence;
        sentence.passage = static_cast<int>(p);
        sentence.position = position++;
        sentence.text = CollapseWhitespace(
            std::string_view(passage.text).substr(span.begin, span.end - span.begin));
        if (sentence.text.empty()) continue;
        sentence.terms = Terms(sentence.text, /*both_forms=*/true);
        sentence.kind_bonus = KindBonus(kind, sentence.text);
        for (const QuestionTerm& q : question) {
          sentence.matches.push_back(BestMatch(q.stem, sentence.terms));
        }
        sentences->push_back(std::move(sentence));
      }
    }
    if (sentences->empty()) return {};

    const double n = static_cast<double>(sentences->size());
    std::vector<double> idf(question.size());
    double total_weight = 0;
    for (size_t k = 0; k < question.size(); ++k) {
      int df = 0;
      for (const Sentence& s : *sentences) df += s.matches[k] > 0;
      idf[k] = question[k].weight * std::log(1.0 + n / std::max(df, 1));
      total_weight += idf[k];
    }

    double best_relevance = 0;
    for (Sentence& s : *sentences) {
      double covered = 0;
      bool own_match = false;
      for (size_t k = 0; k < question.size(); ++k) {
        own_match = own_match || s.matches[k] > 0;
        covered += idf[k] * std::max(s.matches[k], 0.3 * heading_matches[s.passage][k]);
      }
      // Only a sentence that says something about the question itself can answer it.
      s.relevance = own_match ? covered / total_weight : 0.0;
      best_relevance = std::max(best_relevance, s.relevance);
    }
    if (best_relevance < options_.min_score) return {};

    std::vector<double> own(sentences->size());
    for (size_t i = 0; i < own.size(); ++i) own[i] = (*sentences)[i].relevance;
    std::vector<Sentence*> candidates;
    for (size_t i = 0; i < sentences->size(); ++i) {
      Sentence& s = (*sentences)[i];
      // The sentence after a relevant one often carries the answer ("Why use X? ... X is
      // good practice. The advantage is ..."), so some relevance spills over to it.
      const bool follows = i > 0 && (*sentences)[i - 1].passage == s.passage;
      const double spill = kind == QuestionKind::kReason ? kReasonSpillOver : kSpillOver;
      s.relevance += follows ? spill * own[i - 1] : 0.0;
      if (s.relevance <= 0) continue;
      s.score =
          s.relevance * LengthFactor(s.text) * (1.0 + kRankBonus / (s.passage + 1)) * s.kind_bonus;
      candidates.push_back(&s);
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Sentence* a, const Sentence* b) { return a->score > b->score; });

    std::vector<const Sentence*> chosen = {candidates.front()};
    std::vector<int> per_passage(request.context.size(), 0);
    per_passage[candidates.front()->passage] = 1;
    size_t chars = candidates.front()->text.size();
    const double floor = 0.5 * candidates.front()->score;
    // A best sentence that announces what follows ("…, use this option:") or restates the
    // topic of a "why" question is incomplete without the next sentence of its passage.
    const Sentence* best = candidates.front();
    const size_t best_index = static_cast<size_t>(best - sentences->data());
    const bool announces = best->text.ends_with(":") || kind == QuestionKind::kReason;
    if (announces && options_.max_sentences > 1 && best_index + 1 < sentences->size()) {
      const Sentence& next = (*sentences)[best_index + 1];
      if (next.passage == best->passage &&
          chars + next.text.size() <= static_cast<size_t>(options_.max_chars)) {
        chosen.push_back(&next);
        ++per_passage[next.passage];
        chars += next.text.size();
      }
    }
    for (size_t i = 1; i < candidates.size(); ++i) {
      if (static_cast<int>(chosen.size()) >= options_.max_sentences) break;
      const Sentence* s = candidates[i];
      if (s->score < floor) break;
      if (std::find(chosen.begin(), chosen.end(), s) != chosen.end()) continue;
      if (s->relevance < options_.min_score || per_passage[s->passage] >= 2) continue;
      if (chars + s->text.size() > static_cast<size_t>(options_.max_chars)) continue;
      const bool duplicate = std::any_of(chosen.begin(), chosen.end(),
                                         [&](const Sentence* c) { return NearDuplicate(*c, *s); });
      if (duplicate) continue;
      chosen.push_back(s);
      ++per_passage[s->passage];
      chars += s->text.size();
    }
    std::sort(chosen.begin(), chosen.end(), [](const Sentence* a, const Sentence* b) {
      return a->passage != b->passage ? a->passage < b->passage : a->position < b->position;
    });
    return chosen;
  }

  ExtractiveOptions options_;
};

}  // namespace

std::unique_ptr<Generator> MakeExtractiveGenerator(const ExtractiveOptions& options) {
  return std::make_unique<ExtractiveGenerator>(options);
}

}  // namespace wissen::engine

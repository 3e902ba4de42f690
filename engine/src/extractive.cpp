// The built-in extractive answerer: it picks an answer, a short window of one passage, not
// words collected from several documents.
//
// Scoring, per window W (1 to 3 contiguous sentences of one passage) and content word q of
// the question:
//   match(q, s)  1 for the same stem; 0.8 for an inflection (one stem a prefix of the other,
//                at most 3 letters apart); 0.6 for a compound part ("urlaub" in
//                "urlaubsantrag"); 0.5 for a shared compound part ("urlaubstage" and
//                "jahresurlaub"); else 0. A window takes each word's best sentence.
//   idf(q)       ln((N + 1) / (df + 0.5)) over the index's N chunks, df of them holding the
//                word in some form (GenerationRequest::vocabulary; without it, over the
//                context's sentences). A word of the question in every tenth chunk ("2025")
//                weighs little; one the index does not know weighs most.
//   coverage     sum of weight(q) * idf(q) * max(match(q, W), 0.3 * match(q, heading path))
//                over the question's own words: the weighted share of the question the window
//                covers. Words of the previous turn (follow-ups) weigh 0.35, thesaurus
//                synonyms 0.3.
//   focus        the window itself matches a question word (not just the modifier of a
//                compound: "Gehalt" is not "Gehaltsbänder") with at least half the highest
//                idf of the question's words; otherwise it is never an answer ("2025" or "zum
//                Mitnehmen" alone do not answer "Gehaltsbänder 2025" or "Resturlaub
//                mitnehmen").
//   kind bonus   what the question asks for: x1.3 for a number after "wie viele/how many",
//                a date or deadline after "wann/bis wann/when", x1.25 for a person or role
//                after "wer/who", x1.2 for a reason after "warum/why" and for an
//                instruction ("Wählen Sie …", "Choose …") after "wie kann ich/how do I".
//   score        coverage * kind bonus * (1 + 0.25 / (rank + 1)) * length factor
//                * 0.95 per extra sentence * (1 + 0.3 * the IDF-weighted share of the
//                question its own section heading matches: a section named after the
//                question's words is about them).
// The best-scoring window answers, taking the sentences after it while it is shorter than
// min_chars; no answer when its coverage is below min_score. A second window follows when
// it is an answer by itself (focused, above min_score, at least 0.6 of the best score) and
// covers a question word the first does not.
// How words are read (folding, stems, case, question kinds) is in word_match.h.
#include "wissen/engine/extractive.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "wissen/core/document.h"
#include "wissen/core/language.h"
#include "wissen/core/sentences.h"
#include "wissen/core/text.h"
#include "wissen/engine/prompt.h"
#include "word_match.h"

namespace wissen::engine {
namespace {

using namespace word_match;  // NOLINT(google-build-using-namespace): its vocabulary

constexpr std::string_view kNoAnswerGerman =
    "In den Dokumenten, die Sie lesen dürfen, habe ich dazu nichts gefunden.";
constexpr std::string_view kNoAnswerEnglish =
    "I found nothing about this in the documents you may read.";

struct QuestionTerm {
  std::string stem;
  std::string index_de;  // the index's stems (TermWord)
  std::string index_en;
  std::string surface;  // as written, for the index's statistics
  double weight = 1;    // 1 for the question's own words; less for history and synonyms
  bool own = true;      // a word of the question itself
  double idf = 0;
  // Whether the idf is real: always with the index's statistics; without them, only for a
  // word some sentence of the context has (the others get an idf for coverage only).
  bool known = false;
  LetterCase letter_case = LetterCase::kUnknown;
};

// Share of a match left when a German question's word and the sentence's word differ in
// case: a noun against a verb ("Mitnehmen" against "mitnehmen"). Below kFocusMatch, so such a
// match never makes a window an answer.
constexpr double kCaseMismatch = 0.5;

// The best match of question term `q` among a sentence's `words`. With `heads_only`, a match
// on the modifier of a compound does not count; with `case_sensitive`, a match between
// words of different case counts kCaseMismatch of itself.
double BestTermMatch(const QuestionTerm& q, const std::vector<TermWord>& words, bool heads_only,
                     bool case_sensitive) {
  double best = 0;
  for (const TermWord& t : words) {
    if (heads_only && IsModifierOnly(q.stem, t.stem)) continue;
    // The index's stemmers first (the same analysis as the lexical index), then the crude
    // stems' inflection and compound-part matching.
    const bool same_index_stem = (!q.index_de.empty() && q.index_de == t.index_de) ||
                                 (!q.index_en.empty() && q.index_en == t.index_en);
    double match = same_index_stem ? 1.0 : Match(q.stem, t.stem);
    if (case_sensitive && q.letter_case != LetterCase::kUnknown &&
        t.letter_case != LetterCase::kUnknown && q.letter_case != t.letter_case) {
      match *= kCaseMismatch;
    }
    best = std::max(best, match);
    if (best == 1.0) break;
  }
  return best;
}

struct Sentence {
  int passage = 0;                    // index into the request's context (= rank)
  int position = 0;                   // order within the passage
  std::string text;                   // white space collapsed
  std::vector<double> matches;        // per question term
  std::vector<double> focus_matches;  // the same, without matches on a compound's modifier
  double kind_bonus = 1;              // KindBonus()
  bool row = false;  // a row of a table passage; position 0 is the table's header row
};

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

// Whether a passage is a table as the parsers write one (Block::table): most of its lines
// are rows with cells separated by " | ". Its rows are records, not prose: each is a unit
// of its own, and a quoted row comes with the header that names its cells.
bool IsTable(std::string_view text) {
  int lines = 0;
  int rows = 0;
  for (std::string_view line : Lines(text)) {
    if (TrimAscii(line).empty()) continue;
    ++lines;
    rows += line.find(" | ") != std::string_view::npos;
  }
  return lines >= 2 && rows * 10 >= lines * 6;
}

// A contiguous run of sentences of one passage: the unit an answer quotes.
struct Window {
  size_t first = 0;  // index into the sentences
  size_t count = 0;
  int passage = 0;
  double coverage = 0;   // IDF-weighted share of the question covered
  bool focused = false;  // matches one of the question's rarer words itself
  double score = 0;
  std::vector<double> matches;  // per question term, best over the window's sentences
  std::vector<double> focus_matches;
};

// Scoring constants (see the file comment).
constexpr double kHistoryWeight = 0.35;
constexpr double kExpansionWeight = 0.3;
constexpr double kHeadingShare = 0.3;
constexpr double kSectionBonus = 0.3;
constexpr std::string_view kHeadingSeparator = " › ";
constexpr double kRankBonus = 0.25;
constexpr double kSentencePenalty = 0.95;
constexpr double kFocusShare = 0.5;
constexpr double kFocusMatch = 0.6;
constexpr int kMaxWindowSentences = 3;
// A second window must score at least this share of the best one.
constexpr double kSecondSourceShare = 0.6;

double LengthFactor(size_t chars, size_t words) {
  if (chars < 20 || words < 4) return 0.6;
  if (chars > 400) return std::sqrt(400.0 / static_cast<double>(chars));
  return 1.0;
}

QuestionTerm MakeQuestionTerm(TermWord word, double weight, bool own) {
  QuestionTerm term;
  term.stem = std::move(word.stem);
  term.index_de = std::move(word.index_de);
  term.index_en = std::move(word.index_en);
  term.surface = std::move(word.surface);
  term.weight = weight;
  term.own = own;
  term.letter_case = own && weight == 1.0 ? word.letter_case : LetterCase::kUnknown;
  return term;
}

std::vector<QuestionTerm> QuestionTerms(const GenerationRequest& request, StemCache* stem_cache) {
  std::vector<QuestionTerm> terms;
  const auto known = [&](const std::string& stem) {
    return std::any_of(terms.begin(), terms.end(),
                       [&](const QuestionTerm& q) { return q.stem == stem; });
  };
  const auto words_of = [&](std::string_view text) {
    std::vector<TermWord> words = TermWords(text);
    AddIndexStems(request.vocabulary, stem_cache, &words);
    return words;
  };
  const std::unordered_set<std::string> framing = FramingStems(request.question);
  for (TermWord& word : words_of(request.question)) {
    if (framing.contains(word.stem)) continue;
    terms.push_back(MakeQuestionTerm(std::move(word), 1.0, true));
  }
  // A short follow-up ("Und für Teilzeitkräfte?") borrows the words of the user's last turn.
  if (terms.size() < 3) {
    for (auto it = request.history.rbegin(); it != request.history.rend(); ++it) {
      if (it->role != "user") continue;
      for (TermWord& word : words_of(it->content)) {
        if (!known(word.stem))
          terms.push_back(MakeQuestionTerm(std::move(word), kHistoryWeight, true));
      }
      break;
    }
  }
  for (const std::string& synonym : request.expansions) {
    for (TermWord& word : words_of(synonym)) {
      if (!known(word.stem)) {
        terms.push_back(MakeQuestionTerm(std::move(word), kExpansionWeight, false));
      }
    }
  }
  return terms;
}

// IDF of every question term: from the whole index when the request carries its statistics
// (a word no chunk holds is as rare as can be), else from the context's own sentences.
void SetIdf(const GenerationRequest& request, const std::vector<Sentence>& sentences,
            std::vector<QuestionTerm>* terms) {
  const Vocabulary* statistics = request.vocabulary;
  const int64_t total = statistics != nullptr ? statistics->Total() : 0;
  for (size_t k = 0; k < terms->size(); ++k) {
    QuestionTerm& q = (*terms)[k];
    if (total > 0) {
      const auto frequency = static_cast<double>(statistics->Frequency(q.surface));
      q.idf = std::log((static_cast<double>(total) + 1.0) / (frequency + 0.5));
      q.known = true;  // a word no chunk holds is the rarest of all
    } else {
      int df = 0;
      for (const Sentence& s : sentences) df += s.matches[k] > 0;
      q.idf = std::log(1.0 + static_cast<double>(sentences.size()) / std::max(df, 1));
      q.known = df > 0;
    }
    q.idf = std::max(q.idf, 0.05);
  }
}

class ExtractiveGenerator final : public Generator {
 public:
  explicit ExtractiveGenerator(const ExtractiveOptions& options) : options_(options) {
    options_.max_sentences = std::clamp(options_.max_sentences, 1, kMaxWindowSentences);
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
    double confidence = 0;
    const std::vector<Window> chosen = Choose(request, &sentences, language, &confidence);
    result.confidence = confidence;
    std::vector<std::string> pieces;
    if (chosen.empty()) {
      result.no_answer = true;
      pieces.emplace_back(english ? kNoAnswerEnglish : kNoAnswerGerman);
    }
    for (size_t w = 0; w < chosen.size(); ++w) {
      const Window& window = chosen[w];
      const ContextPassage& passage = request.context[window.passage];
      const std::string& where =
          passage.heading_path.empty() ? passage.title : passage.heading_path;
      std::string heading = w > 0 ? "\n\n" : "";
      if (!where.empty()) {
        heading += english ? "From “" + where + "”:\n" : "Aus „" + where + "“:\n";
      }
      if (!heading.empty()) pieces.push_back(std::move(heading));
      std::string quote;
      const Sentence& opening = sentences[window.first];
      if (opening.row && opening.position > 0) {
        // The header row names the cells of the rows quoted below it.
        for (size_t i = window.first; i-- > 0;) {
          if (sentences[i].passage == opening.passage && sentences[i].position == 0) {
            quote = sentences[i].text + "\n";
            break;
          }
        }
      }
      for (size_t i = 0; i < window.count; ++i) {
        const Sentence& sentence = sentences[window.first + i];
        quote += (i > 0 ? (sentence.row ? "\n" : " ") : "") + sentence.text;
      }
      pieces.push_back(quote + " [" + std::to_string(passage.id) + "]");
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
  // Splits the context into sentences and matches each against the question's terms.
  static std::vector<Sentence> Analyze(const GenerationRequest& request,
                                       const std::vector<QuestionTerm>& question, QuestionKind kind,
                                       const std::string& language, StemCache* stem_cache) {
    const bool case_sensitive = language == kLanguageGerman && WritesGermanCase(request.question);
    std::vector<Sentence> sentences;
    for (size_t p = 0; p < request.context.size(); ++p) {
      const ContextPassage& passage = request.context[p];
      int position = 0;
      const bool table = IsTable(passage.text);
      std::vector<std::string_view> units;
      if (table) {
        units = Lines(passage.text);
      } else {
        for (const SentenceSpan& span : SplitSentences(passage.text, language)) {
          units.push_back(std::string_view(passage.text).substr(span.begin, span.end - span.begin));
        }
      }
      for (std::string_view unit : units) {
        Sentence sentence;
        sentence.passage = static_cast<int>(p);
        sentence.text = CollapseWhitespace(unit);
        if (sentence.text.empty()) continue;
        sentence.position = position++;
        sentence.row = table;
        std::vector<TermWord> words = TermWords(sentence.text, /*both_forms=*/true);
        AddIndexStems(request.vocabulary, stem_cache, &words);
        sentence.kind_bonus = KindBonus(kind, sentence.text);
        for (const QuestionTerm& q : question) {
          sentence.matches.push_back(BestTermMatch(q, words, false, case_sensitive));
          sentence.focus_matches.push_back(BestTermMatch(q, words, true, case_sensitive));
        }
        sentences.push_back(std::move(sentence));
      }
    }
    return sentences;
  }

  // Scores the window of `count` sentences starting at `first`.
  Window Score(const std::vector<Sentence>& sentences, size_t first, size_t count,
               const std::vector<QuestionTerm>& question,
               const std::vector<std::vector<double>>& heading_matches, double own_weight,
               double focus_idf) const {
    Window window;
    window.first = first;
    window.count = count;
    window.passage = sentences[first].passage;
    window.matches.assign(question.size(), 0.0);
    window.focus_matches.assign(question.size(), 0.0);
    double kind_bonus = 1;
    size_t chars = 0;
    size_t words = 0;
    for (size_t i = first; i < first + count; ++i) {
      const Sentence& s = sentences[i];
      for (size_t k = 0; k < question.size(); ++k) {
        window.matches[k] = std::max(window.matches[k], s.matches[k]);
        window.focus_matches[k] = std::max(window.focus_matches[k], s.focus_matches[k]);
      }
      kind_bonus = std::max(kind_bonus, s.kind_bonus);
      chars += s.text.size() + (i > first ? 1 : 0);
      words += static_cast<size_t>(std::count(s.text.begin(), s.text.end(), ' ')) + 1;
    }
    double covered = 0;
    bool own_match = false;
    for (size_t k = 0; k < question.size(); ++k) {
      const QuestionTerm& q = question[k];
      const double heading = kHeadingShare * heading_matches[window.passage][k];
      covered += q.weight * q.idf * std::max(window.matches[k], heading);
      own_match = own_match || (q.own && window.matches[k] > 0);
      window.focused = window.focused || (q.own && q.weight == 1.0 && q.idf >= focus_idf &&
                                          window.focus_matches[k] >= kFocusMatch);
    }
    // Only a window that says something about the question itself can answer it.
    if (!own_match) return window;
    window.coverage = std::min(1.0, covered / own_weight);

    window.score = window.coverage * kind_bonus * (1.0 + kRankBonus / (window.passage + 1)) *
                   LengthFactor(chars, words) * std::pow(kSentencePenalty, count - 1);
    return window;
  }

  // Picks the windows to quote, best first; empty when nothing answers the question.
  std::vector<Window> Choose(const GenerationRequest& request, std::vector<Sentence>* sentences,
                             const std::string& language, double* confidence) const {
    StemCache stem_cache;
    std::vector<QuestionTerm> question = QuestionTerms(request, &stem_cache);
    if (question.empty() || request.context.empty()) return {};
    const QuestionKind kind = KindOf(request.question);
    *sentences = Analyze(request, question, kind, language, &stem_cache);
    if (sentences->empty()) return {};
    SetIdf(request, *sentences, &question);

    double own_weight = 0;
    double max_idf = 0;
    for (const QuestionTerm& q : question) {
      if (!q.own) continue;
      own_weight += q.weight * q.idf;
      if (q.weight == 1.0 && q.known) max_idf = std::max(max_idf, q.idf);
    }
    // A window must match one of the question's rarer words: "2025" or "zum Mitnehmen"
    // alone never answer a question about "Gehaltsbänder 2025" or "Resturlaub mitnehmen".
    const double focus_idf = kFocusShare * max_idf;

    std::vector<std::vector<double>> heading_matches;  // per passage, per question term
    std::vector<double> section_matches;               // per passage, IDF-weighted share
    for (const ContextPassage& passage : request.context) {
      const std::vector<std::string> heading_terms =
          Terms(passage.title + " \n " + passage.heading_path);
      std::vector<double> matches;
      for (const QuestionTerm& q : question) matches.push_back(BestMatch(q.stem, heading_terms));
      heading_matches.push_back(std::move(matches));
      // The passage's own section heading (the last part of a heading path below the
      // title): a section named after the question's words is about them.
      const size_t last = passage.heading_path.rfind(kHeadingSeparator);
      double section = 0;
      if (last != std::string::npos) {
        const std::vector<std::string> section_terms =
            Terms(passage.heading_path.substr(last + kHeadingSeparator.size()));
        for (const QuestionTerm& q : question) {
          if (q.own) section += q.weight * q.idf * BestMatch(q.stem, section_terms);
        }
      }
      section_matches.push_back(own_weight > 0 ? std::min(1.0, section / own_weight) : 0.0);
    }

    std::vector<Window> windows;
    for (size_t first = 0; first < sentences->size(); ++first) {
      size_t chars = 0;
      for (size_t count = 1; count <= static_cast<size_t>(options_.max_sentences); ++count) {
        const size_t last = first + count - 1;
        if (last >= sentences->size() ||
            (*sentences)[last].passage != (*sentences)[first].passage) {
          break;
        }
        chars += (*sentences)[last].text.size();
        // The first sentence is always quoted whole; more only within max_chars.
        if (count > 1 && chars > static_cast<size_t>(options_.max_chars)) break;
        Window window =
            Score(*sentences, first, count, question, heading_matches, own_weight, focus_idf);
        window.score *= 1.0 + kSectionBonus * section_matches[window.passage];
        if (window.focused && window.score > 0) windows.push_back(std::move(window));
      }
    }
    if (windows.empty()) return {};
    std::stable_sort(windows.begin(), windows.end(),
                     [](const Window& a, const Window& b) { return a.score > b.score; });
    const Window& best = windows.front();
    *confidence = best.coverage;
    if (best.coverage < options_.min_score) return {};

    std::vector<Window> chosen = {best};
    chosen.reserve(2);  // `first` below stays valid when a second source is added
    // A short window reads better, and more often holds the whole answer, with the sentences
    // that follow it in its passage ("Sorts are guaranteed to be stable. That means that
    // ..."), up to the sentence limit.
    // When only the opening sentence of its section precedes the window and it speaks of
    // the question too, it comes first: it states the general rule the window qualifies
    // ("Der Jahresurlaub beträgt 30 Arbeitstage." before "Bei Teilzeit …"). Otherwise the
    // window reads on.
    Window& first = chosen.front();
    const auto window_chars = [&] {
      size_t chars = 0;
      for (size_t i = first.first; i < first.first + first.count; ++i) {
        chars += (*sentences)[i].text.size() + 1;
      }
      return chars;
    };
    // A table row is a record of its own: the rows after it are other records.
    while (!(*sentences)[first.first].row &&
           static_cast<int>(first.count) < options_.max_sentences &&
           window_chars() < static_cast<size_t>(options_.min_chars)) {
      const Sentence& start = (*sentences)[first.first];
      const size_t next = first.first + first.count;
      const auto mentions_question = [&](const Sentence& sentence) {
        return std::any_of(sentence.matches.begin(), sentence.matches.end(),
                           [](double m) { return m > 0; });
      };
      if (start.position == 1 && mentions_question((*sentences)[first.first - 1]) &&
          window_chars() + (*sentences)[first.first - 1].text.size() <=
              static_cast<size_t>(options_.max_chars)) {
        --first.first;
        ++first.count;
        continue;
      }
      if (next >= sentences->size() || (*sentences)[next].passage != first.passage ||
          window_chars() + (*sentences)[next].text.size() >
              static_cast<size_t>(options_.max_chars)) {
        break;
      }
      ++first.count;
    }
    // A second window (another passage, maybe of the same document) only when it is an
    // answer by itself (focused, above min_score, close to the first's score) and covers a
    // word of the question the first does not: the other half of a two-part question, not the
    // same words again. Overlapping chunks repeat sentences; a window sharing one is skipped.
    const auto shares_a_sentence = [&](const Window& a, const Window& b) {
      for (size_t i = a.first; i < a.first + a.count; ++i) {
        for (size_t j = b.first; j < b.first + b.count; ++j) {
          if ((*sentences)[i].text == (*sentences)[j].text) return true;
        }
      }
      return false;
    };
    for (size_t i = 1; i < windows.size(); ++i) {
      const Window& other = windows[i];
      if (other.score < kSecondSourceShare * first.score) break;
      if (other.passage == first.passage || other.coverage < options_.min_score) continue;
      bool adds = false;
      for (size_t k = 0; k < question.size(); ++k) {
        adds = adds || (question[k].own && other.matches[k] >= kFocusMatch &&
                        first.matches[k] < kFocusMatch);
      }
      if (adds && !shares_a_sentence(first, other)) {
        chosen.push_back(other);
        break;
      }
    }
    return chosen;
  }

  ExtractiveOptions options_;
};

}  // namespace

std::unique_ptr<Generator> MakeExtractiveGenerator(const ExtractiveOptions& options) {
  return std::make_unique<ExtractiveGenerator>(options);
}

}  // namespace wissen::engine

// How the extractive answerer reads words (engine/src/extractive.cpp): folding, crude
// stemming, German case, the index's own stems, the kind of answer a question asks for, and
// how well two stems match. Internal to the engine. Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "wissen/engine/generator.h"

namespace wissen::engine::word_match {

// How a word was written. German capitalises nouns, so "Mitnehmen" in "Essen zum
// Mitnehmen" is not the verb of "darf ich … mitnehmen?". The first word of a text says
// nothing (kUnknown).
enum class LetterCase { kUnknown, kLower, kUpper };

// One word of a text: `folded` is NFKC case-folded with umlauts folded (ä -> ae, ß -> ss),
// what the matching compares; `surface` is only case-folded, the form the index knows.
struct Word {
  std::string folded;
  std::string surface;
  LetterCase letter_case = LetterCase::kUnknown;
};

// The words of `text`, in order.
std::vector<Word> WordsOf(std::string_view text);
// Their folded forms only.
std::vector<std::string> Words(std::string_view text);

// Crude suffix stripping shared by German and English; Match() catches what it misses.
std::string Stem(std::string word);
// Drops the "ge" of a German past participle ("abgerechnet" -> "abrechnet").
std::string FoldParticiple(const std::string& word);

// A content word: its stem (what sentences are matched on), the word as written (what the
// index's statistics are looked up by) and its case.
struct TermWord {
  std::string stem;
  std::string surface;
  LetterCase letter_case = LetterCase::kUnknown;
  // The index's own stems of `surface` (Vocabulary::Stem), German and English; empty
  // without a vocabulary.
  std::string index_de;
  std::string index_en;
};

// Content-word stems of `text` (question stop words dropped), distinct, in order of
// appearance. With `both_forms` a participle adds its folded stem beside its own (context
// sentences); otherwise only the folded one counts (question terms, each of which must
// count once). A stem written both ways has an unknown case.
std::vector<TermWord> TermWords(std::string_view text, bool both_forms = false);
// Their stems only.
std::vector<std::string> Terms(std::string_view text, bool both_forms = false);

// The index's German and English stems of each distinct word of one request.
using StemCache = std::unordered_map<std::string, std::pair<std::string, std::string>>;
// Fills in the index's stems of `words`, asking `vocabulary` (may be null: nothing to do)
// once per distinct word.
void AddIndexStems(const Vocabulary* vocabulary, StemCache* cache, std::vector<TermWord>* words);

// Whether a German question's writer uses case: some word after the first is capitalised
// and some is not. Only then does a noun/verb mismatch mean anything.
bool WritesGermanCase(std::string_view question);

// What a question asks for, judged from its question words: a number ("wie viele", "how
// many"), a time or deadline ("wann", "bis wann", "when"), a person or role ("wer", "who"),
// a reason ("warum", "why"), or an instruction ("wie kann ich", "how do I").
enum class QuestionKind { kOther, kQuantity, kTime, kPerson, kReason, kProcedure };
QuestionKind KindOf(std::string_view question);
// Score factor (1 or more) for a sentence whose form fits what the question asks for.
double KindBonus(QuestionKind kind, const std::string& text);
// The stems of the words that only frame the question: "hoch" in "wie hoch", "long" in "how
// long". They say what kind of answer is wanted, not what it is about.
std::unordered_set<std::string> FramingStems(std::string_view question);

// How well a text's stem `t` matches the question's stem `q`: 1 the same; 0.8 an inflection
// (one a prefix of the other, at most 3 letters apart); 0.6 a compound part; 0.5 a shared
// compound part ("urlaubstag" and "jahresurlaub"); else 0.
double Match(std::string_view q, std::string_view t);
// Whether `t` is only the first part of the question's compound `q` ("gehalt" of
// "gehaltsbaender"): the modifier, which says less than the head ("baender").
bool IsModifierOnly(std::string_view q, std::string_view t);
// The best Match() of `q` among `terms`.
double BestMatch(std::string_view q, const std::vector<std::string>& terms);

}  // namespace wissen::engine::word_match

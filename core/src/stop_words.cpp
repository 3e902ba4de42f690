#include "wissen/core/stop_words.h"

#include <string>
#include <unordered_set>

namespace wissen {
namespace {

// Folded forms: lower case, ä/ö/ü as ae/oe/ue, ß as ss.
constexpr std::string_view kGermanFunctionWords[] = {
    "der",   "die",   "das",  "den",  "dem",  "des",  "ein",   "eine", "einer",  "eines",
    "einem", "einen", "und",  "oder", "ist",  "sind", "war",   "wird", "werden", "wurde",
    "nicht", "mit",   "fuer", "auf",  "von",  "zu",   "zum",   "zur",  "im",     "in",
    "an",    "am",    "bei",  "aus",  "nach", "sich", "es",    "er",   "sie",    "wir",
    "ich",   "du",    "ihr",  "auch", "als",  "wie",  "so",    "noch", "nur",    "ueber",
    "dass",  "wenn",  "aber", "vom",  "beim", "hat",  "haben", "kann", "muss",
};
constexpr std::string_view kEnglishFunctionWords[] = {
    "the",  "a",     "an",   "and",   "or",    "is",  "are", "was", "were", "be",
    "been", "of",    "to",   "for",   "with",  "on",  "at",  "by",  "from", "it",
    "its",  "this",  "that", "these", "those", "as",  "not", "but", "if",   "than",
    "then", "there", "do",   "does",  "i",     "we",  "you", "he",  "she",  "they",
    "my",   "our",   "your", "their", "have",  "has", "had", "can", "must", "into",
};
// Question words, modal verbs, quantifiers and filler, beyond the function words.
constexpr std::string_view kGermanQuestionWords[] = {
    "waren",   "wurden",  "mir",     "mich",     "mein",       "meine",   "meinen",   "meiner",
    "uns",     "unser",   "unsere",  "habe",     "hatte",      "koennen", "muessen",  "darf",
    "duerfen", "soll",    "sollen",  "sollte",   "will",       "wollen",  "moechte",  "was",
    "wer",     "wen",     "wem",     "wo",       "wann",       "warum",   "wieso",    "weshalb",
    "welche",  "welcher", "welches", "welchen",  "welchem",    "wieviel", "wieviele", "viel",
    "viele",   "gibt",    "geben",   "bitte",    "man",        "denn",    "dort",     "hier",
    "da",      "dies",    "diese",   "dieser",   "dieses",     "diesem",  "diesen",   "um",
    "bis",     "durch",   "ohne",    "gegen",    "unter",      "sein",    "seine",    "ihre",
    "ihren",   "ihrem",   "etwas",   "mal",      "ja",         "nein",    "kein",     "keine",
    "jetzt",   "schon",   "sehr",    "mehr",     "wohin",      "woher",   "womit",    "wofuer",
    "worauf",  "steht",   "stehen",  "genau",    "eigentlich", "ab",      "bin",      "bist",
    "ins",     "gib",     "brauche", "brauchen",
};
constexpr std::string_view kEnglishQuestionWords[] = {
    "being", "did",   "done", "me",    "us",    "them",  "could",  "should", "would",
    "will",  "shall", "may",  "might", "what",  "which", "who",    "whom",   "whose",
    "when",  "where", "why",  "how",   "many",  "much",  "please", "get",    "any",
    "some",  "about", "so",   "just",  "also",  "only",  "here",   "tell",   "say",
    "says",  "said",  "need", "want",  "doing", "way",   "out",    "up",
};
// Words of four letters or more, beyond the two tiers above, too general for their synonyms
// to help a search: prepositions of time and place, quantifiers, everyday verbs.
constexpr std::string_view kGermanGeneralWords[] = {
    "alle",    "allem",    "allen",   "aller",  "alles",   "andere", "anderen",  "anders",
    "bekomme", "bekommen", "bereits", "bleibt", "dabei",   "damit",  "dann",     "darin",
    "darum",   "davon",    "dazu",    "dein",   "deine",   "dessen", "doch",     "einfach",
    "euch",    "geht",     "gerade",  "gern",   "gerne",   "hast",   "immer",    "jede",
    "jedem",   "jeden",    "jeder",   "jedes",  "koennte", "machen", "macht",    "meinem",
    "sowie",   "weil",     "weiss",   "werde",  "wieder",  "wissen", "zwischen",
};
constexpr std::string_view kEnglishGeneralWords[] = {
    "above",   "after",   "again",  "against",   "anyone",  "anything", "because", "before",
    "below",   "between", "both",   "cannot",    "down",    "during",   "each",    "either",
    "else",    "even",    "ever",   "every",     "further", "happen",   "happens", "having",
    "instead", "know",    "like",   "make",      "more",    "most",     "never",   "other",
    "over",    "really",  "same",   "something", "still",   "such",     "sure",    "thing",
    "things",  "through", "under",  "until",     "upon",    "very",     "wants",   "well",
    "whether", "while",   "within", "without",   "yours",
};

using WordSet = std::unordered_set<std::string_view>;

const WordSet& FunctionWords() {
  static const WordSet words = [] {
    WordSet set(std::begin(kGermanFunctionWords), std::end(kGermanFunctionWords));
    set.insert(std::begin(kEnglishFunctionWords), std::end(kEnglishFunctionWords));
    return set;
  }();
  return words;
}

const WordSet& QuestionWords() {
  static const WordSet words = [] {
    WordSet set(std::begin(kGermanQuestionWords), std::end(kGermanQuestionWords));
    set.insert(std::begin(kEnglishQuestionWords), std::end(kEnglishQuestionWords));
    return set;
  }();
  return words;
}

const WordSet& GeneralWords() {
  static const WordSet words = [] {
    WordSet set(std::begin(kGermanGeneralWords), std::end(kGermanGeneralWords));
    set.insert(std::begin(kEnglishGeneralWords), std::end(kEnglishGeneralWords));
    return set;
  }();
  return words;
}

// ä, ö, ü (UTF-8 C3 A4, C3 B6, C3 BC) and ß (C3 9F) folded; everything else as it is.
std::string FoldUmlauts(std::string_view word) {
  std::string folded;
  folded.reserve(word.size() + 2);
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '\xC3' && i + 1 < word.size()) {
      switch (word[i + 1]) {
        case '\xA4':
          folded += "ae";
          ++i;
          continue;
        case '\xB6':
          folded += "oe";
          ++i;
          continue;
        case '\xBC':
          folded += "ue";
          ++i;
          continue;
        case '\x9F':
          folded += "ss";
          ++i;
          continue;
        default:
          break;
      }
    }
    folded += word[i];
  }
  return folded;
}

bool Contains(const WordSet& set, std::string_view word) {
  if (word.find('\xC3') == std::string_view::npos) return set.contains(word);
  const std::string folded = FoldUmlauts(word);
  return set.contains(folded);
}

}  // namespace

bool IsFunctionWord(std::string_view lower_word) { return Contains(FunctionWords(), lower_word); }

bool IsQuestionStopWord(std::string_view lower_word) {
  return Contains(FunctionWords(), lower_word) || Contains(QuestionWords(), lower_word);
}

bool IsTooGeneralToExpand(std::string_view lower_word) {
  return IsQuestionStopWord(lower_word) || Contains(GeneralWords(), lower_word);
}

}  // namespace wissen

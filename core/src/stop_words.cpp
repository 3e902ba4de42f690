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
    "ab",      "alle",    "allem",    "allen",    "aller",   "alles",    "also",    "andere",
    "anderen", "anders",  "bekomme",  "bekommen", "bereits", "bis",      "bitte",   "bleibt",
    "da",      "dabei",   "damit",    "dann",     "darf",    "darin",    "darum",   "davon",
    "dazu",    "dein",    "deine",    "denn",     "dessen",  "dies",     "diese",   "diesem",
    "diesen",  "dieser",  "dieses",   "doch",     "dort",    "duerfen",  "durch",   "eigentlich",
    "einfach", "etwas",   "euch",     "geben",    "gegen",   "geht",     "genau",   "gerade",
    "gern",    "gerne",   "gibt",     "habe",     "hast",    "hatte",    "hier",    "ihre",
    "ihrem",   "ihren",   "immer",    "ja",       "jede",    "jedem",    "jeden",   "jeder",
    "jedes",   "jetzt",   "kein",     "keine",    "koennen", "koennte",  "machen",  "macht",
    "mal",     "man",     "mehr",     "mein",     "meine",   "meinem",   "meinen",  "meiner",
    "mich",    "mir",     "moechte",  "muessen",  "nein",    "ohne",     "schon",   "sehr",
    "sein",    "seine",   "soll",     "sollen",   "sollte",  "sowie",    "stehen",  "steht",
    "um",      "uns",     "unser",    "unsere",   "unter",   "viel",     "viele",   "wann",
    "waren",   "warum",   "was",      "weil",     "weiss",   "welche",   "welchem", "welchen",
    "welcher", "welches", "wem",      "wen",      "wer",     "werde",    "weshalb", "wieder",
    "wieso",   "wieviel", "wieviele", "will",     "wissen",  "wo",       "wofuer",  "woher",
    "wohin",   "wollen",  "womit",    "worauf",   "wurden",  "zwischen",
};
constexpr std::string_view kEnglishQuestionWords[] = {
    "about",     "above",   "after", "again",  "against", "also",   "any",    "anyone", "anything",
    "because",   "before",  "being", "below",  "between", "both",   "cannot", "could",  "did",
    "doing",     "done",    "down",  "during", "each",    "either", "else",   "even",   "ever",
    "every",     "further", "get",   "happen", "happens", "having", "here",   "how",    "instead",
    "just",      "know",    "like",  "make",   "many",    "may",    "me",     "might",  "more",
    "most",      "much",    "need",  "never",  "only",    "other",  "out",    "over",   "please",
    "really",    "said",    "same",  "say",    "says",    "shall",  "should", "so",     "some",
    "something", "still",   "such",  "sure",   "tell",    "them",   "thing",  "things", "through",
    "under",     "until",   "up",    "upon",   "us",      "very",   "want",   "wants",  "way",
    "well",      "what",    "when",  "where",  "whether", "which",  "while",  "who",    "whom",
    "whose",     "why",     "will",  "within", "without", "would",  "yours",
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

}  // namespace wissen

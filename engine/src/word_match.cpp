// How the extractive answerer reads words: folding, crude stemming, German case, the index's
// stems, question kinds and how two stems match. See word_match.h.
#include "word_match.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "wissen/core/stop_words.h"
#include "wissen/core/text.h"

namespace wissen::engine::word_match {

namespace {

bool IsNumeric(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

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

namespace {

// German separable prefixes that take the participle's "ge" after them ("abgerechnet").
constexpr std::string_view kSeparablePrefixes[] = {
    "zurueck", "heraus", "voraus", "weiter", "nach", "fest", "frei", "hinzu", "ab", "an",
    "auf",     "aus",    "bei",    "ein",    "mit",  "vor",  "weg",  "zu",    "dar"};

}  // namespace

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

namespace {

// The case of every word of `text`, split like WordsOf() splits it, first word kUnknown.
std::vector<LetterCase> LetterCases(std::string_view text) {
  std::vector<LetterCase> cases;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  bool in_word = false;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const bool alnum = c >= 0 && u_isalnum(c);
    if (alnum && !in_word) {
      const bool upper = u_isupper(c) || u_istitle(c);
      cases.push_back(cases.empty() ? LetterCase::kUnknown
                                    : (upper ? LetterCase::kUpper : LetterCase::kLower));
    }
    in_word = alnum;
  }
  return cases;
}

}  // namespace

std::vector<Word> WordsOf(std::string_view text) {
  const std::string normalized = NormalizeForMatch(text);
  std::vector<Word> words;
  Word word;
  const auto flush = [&] {
    if (!word.folded.empty()) words.push_back(std::move(word));
    word = Word{};
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
    word.surface.append(normalized, start, i - start);
    switch (c) {  // case folding already ran
      case 0xE4:
        word.folded += "ae";
        break;
      case 0xF6:
        word.folded += "oe";
        break;
      case 0xFC:
        word.folded += "ue";
        break;
      case 0xDF:
        word.folded += "ss";
        break;
      default:
        word.folded.append(normalized, start, i - start);
    }
  }
  flush();
  // NFKC rarely changes where words begin (ligatures, full-width forms); when it did, the
  // case is left unknown rather than misassigned.
  const std::vector<LetterCase> cases = LetterCases(text);
  if (cases.size() == words.size()) {
    for (size_t k = 0; k < words.size(); ++k) words[k].letter_case = cases[k];
  }
  return words;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  for (Word& word : WordsOf(text)) words.push_back(std::move(word.folded));
  return words;
}

// Fills in the index's stems of `words`, asking `vocabulary` once per distinct word.
void AddIndexStems(const Vocabulary* vocabulary, StemCache* cache, std::vector<TermWord>* words) {
  if (vocabulary == nullptr) return;
  for (TermWord& word : *words) {
    auto it = cache->find(word.surface);
    if (it == cache->end()) {
      it = cache
               ->emplace(word.surface, std::make_pair(vocabulary->Stem(word.surface, "de"),
                                                      vocabulary->Stem(word.surface, "en")))
               .first;
    }
    word.index_de = it->second.first;
    word.index_en = it->second.second;
  }
}

// Content-word stems of `text`, distinct, in order of appearance. With `both_forms` a
// participle adds its folded stem beside its own (context sentences); otherwise only the
// folded one counts (question terms, each of which must count once). A stem written both
// ways has an unknown case.
std::vector<TermWord> TermWords(std::string_view text, bool both_forms) {
  std::vector<TermWord> terms;
  const auto add = [&](std::string stem, const Word& word) {
    auto known =
        std::find_if(terms.begin(), terms.end(), [&](const TermWord& t) { return t.stem == stem; });
    if (known == terms.end()) {
      terms.push_back({std::move(stem), word.surface, word.letter_case, "", ""});
    } else if (known->letter_case != word.letter_case) {
      known->letter_case = LetterCase::kUnknown;
    }
  };
  for (const Word& word : WordsOf(text)) {
    if (word.folded.size() < 2 || IsQuestionStopWord(word.folded)) continue;
    const std::string folded = FoldParticiple(word.folded);
    if (both_forms && folded != word.folded) add(Stem(word.folded), word);
    add(Stem(folded), word);
  }
  return terms;
}

// Whether a German question's writer uses case: some word after the first is capitalised
// and some is not. Only then does a noun/verb mismatch mean anything.
bool WritesGermanCase(std::string_view question) {
  bool upper = false;
  bool lower = false;
  for (LetterCase c : LetterCases(question)) {
    upper = upper || c == LetterCase::kUpper;
    lower = lower || c == LetterCase::kLower;
  }
  return upper && lower;
}

std::vector<std::string> Terms(std::string_view text, bool both_forms) {
  std::vector<std::string> stems;
  for (TermWord& term : TermWords(text, both_forms)) stems.push_back(std::move(term.stem));
  return stems;
}

namespace {

// Words that make "wie …"/"how …" ask for an amount or a time ("wie hoch", "how long").
const std::unordered_set<std::string_view> kAfterHow = {
    "viel", "viele", "hoch", "lange", "oft", "alt",   "gross", "schnell",
    "many", "much",  "long", "often", "old", "large", "big",   "far"};
const std::unordered_set<std::string_view> kTimeAfterHow = {"frueh", "spaet", "soon", "early",
                                                            "late"};

}  // namespace

// The stems of the words that only frame the question: "hoch" in "wie hoch", "long" in "how
// long". They say what kind of answer is wanted (KindOf), not what it is about.
std::unordered_set<std::string> FramingStems(std::string_view question) {
  const std::vector<std::string> words = Words(question);
  std::unordered_set<std::string> stems;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if ((words[i] == "wie" || words[i] == "how") &&
        (kAfterHow.contains(words[i + 1]) || kTimeAfterHow.contains(words[i + 1]))) {
      stems.insert(Stem(FoldParticiple(words[i + 1])));
    }
  }
  return stems;
}

QuestionKind KindOf(std::string_view question) {
  const std::vector<std::string> words = Words(question);
  static const std::unordered_set<std::string_view> kWhich = {
      "what", "which", "welchem", "welches", "welcher", "welche", "welchen"};
  static const std::unordered_set<std::string_view> kTimeNouns = {
      "year", "time", "date", "day", "jahr", "datum", "uhrzeit", "tag", "zeitpunkt", "monat"};
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string next = i + 1 < words.size() ? words[i + 1] : "";
    if (w == "warum" || w == "wieso" || w == "weshalb" || w == "why") return QuestionKind::kReason;
    if (w == "wann" || w == "when" || w == "frist" || w == "deadline" || w == "until") {
      return QuestionKind::kTime;
    }
    if (w == "wer" || w == "wem" || w == "wen" || w == "who" || w == "whom" || w == "whose") {
      return QuestionKind::kPerson;
    }
    if (w == "wieviel" || w == "wieviele") return QuestionKind::kQuantity;
    if (w == "wie" || w == "how") {
      if (kAfterHow.contains(next)) return QuestionKind::kQuantity;
      if (kTimeAfterHow.contains(next)) return QuestionKind::kTime;
    }
    if (kWhich.contains(w) && kTimeNouns.contains(next)) return QuestionKind::kTime;
  }
  // "How do I …", "how can we …", "how to …", "wie kann ich …", "wie stelle ich … ein": the
  // answer is a step to take.
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string& next = words[i + 1];
    if (w == "how" && (next == "do" || next == "can" || next == "to" || next == "should" ||
                       next == "would" || next == "could")) {
      return QuestionKind::kProcedure;
    }
    if (w == "wie" && (next == "kann" || next == "koennen" || next == "muss" || next == "bekomme" ||
                       next == "mache" || next == "stelle" || next == "richte" || next == "lege" ||
                       next == "schalte" || next == "gehe")) {
      return QuestionKind::kProcedure;
    }
  }
  return QuestionKind::kOther;
}

namespace {

bool HasDigit(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

// Score factor for a sentence whose form fits what the question asks for.
double KindBonus(QuestionKind kind, const std::string& text) {
  static const std::unordered_set<std::string_view> kNumberWords = {
      "zwei",    "drei",   "vier",      "fuenf",     "sechs",        "sieben",   "acht",
      "neun",    "zehn",   "zwoelf",    "zwanzig",   "dreissig",     "hundert",  "two",
      "three",   "four",   "five",      "six",       "seven",        "eight",    "nine",
      "ten",     "twelve", "twenty",    "thirty",    "hundred",      "halb",     "half",
      "once",    "twice",  "einmal",    "zweimal",   "taeglich",     "daily",    "weekly",
      "monthly", "yearly", "jaehrlich", "monatlich", "woechentlich", "zwoelftel"};
  static const std::unordered_set<std::string_view> kTimeWords = {
      "spaetestens", "innerhalb",   "within",    "before",   "after",      "vorher",     "nachher",
      "sofort",      "immediately", "montag",    "dienstag", "mittwoch",   "donnerstag", "freitag",
      "monday",      "tuesday",     "wednesday", "thursday", "friday",     "januar",     "january",
      "februar",     "february",    "maerz",     "march",    "april",      "mai",        "may",
      "juni",        "june",        "juli",      "july",     "august",     "september",  "oktober",
      "october",     "november",    "dezember",  "december", "jahresende", "monatsende", "quartal"};
  // Words naming a person, a role or an office; German compounds end in them too
  // ("Personalabteilung", "Datenschutzbeauftragte").
  static const std::string_view kRoleEndings[] = {"kraft",
                                                  "leiter",
                                                  "leiterin",
                                                  "leitung",
                                                  "abteilung",
                                                  "beauftragte",
                                                  "beauftragter",
                                                  "vorgesetzte",
                                                  "vorgesetzter",
                                                  "betriebsrat",
                                                  "manager",
                                                  "managerin",
                                                  "officer",
                                                  "department",
                                                  "team",
                                                  "desk",
                                                  "administrator",
                                                  "supervisor",
                                                  "owner",
                                                  "lead",
                                                  "head",
                                                  "director",
                                                  "board",
                                                  "committee",
                                                  "zustaendig",
                                                  "verantwortlich",
                                                  "responsible",
                                                  "service",
                                                  "helpdesk",
                                                  "support",
                                                  "personalbereich",
                                                  "geschaeftsfuehrung"};
  const std::vector<std::string> words = Words(text);
  switch (kind) {
    case QuestionKind::kQuantity:
      if (HasDigit(text)) return 1.3;
      for (const std::string& w : words) {
        if (kNumberWords.contains(w)) return 1.3;
      }
      return 1.0;
    case QuestionKind::kTime:
      if (HasDigit(text)) return 1.3;
      for (const std::string& w : words) {
        if (kTimeWords.contains(w) || kNumberWords.contains(w)) return 1.3;
      }
      return 1.0;
    case QuestionKind::kPerson:
      for (const std::string& w : words) {
        for (std::string_view ending : kRoleEndings) {
          if (w.ends_with(ending)) return 1.25;
        }
      }
      return 1.0;
    case QuestionKind::kReason: {
      static const std::unordered_set<std::string_view> kReasonWords = {
          "weil",      "denn",    "deshalb",   "daher",     "damit",  "sonst",
          "grund",     "because", "therefore", "otherwise", "reason", "avoid",
          "advantage", "ensures", "vorteil",   "vermeiden"};
      for (const std::string& w : words) {
        if (kReasonWords.contains(w)) return 1.2;
      }
      return 1.0;
    }
    case QuestionKind::kProcedure: {
      // An instruction: an English sentence opening with an imperative, or a German one
      // opening with "<verb> Sie" ("Wählen Sie", "Klicken Sie").
      static const std::unordered_set<std::string_view> kImperatives = {
          "choose",  "select", "click",  "enter",   "open", "press", "type", "go",
          "use",     "run",    "set",    "mark",    "drag", "right", "add",  "insert",
          "call",    "create", "edit",   "install", "log",  "sign",  "send", "fill",
          "contact", "start",  "switch", "turn",    "tap",  "save",  "check"};
      if (words.size() >= 2 && words[1] == "sie") return 1.2;
      if (!words.empty() && kImperatives.contains(words[0])) return 1.2;
      return 1.0;
    }
    case QuestionKind::kOther:
      break;
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
  // Two compounds sharing a part: one begins with what the other ends with ("urlaubstag"
  // and "jahresurlaub" share "urlaub"), or both begin with the same long part.
  constexpr size_t kMinPart = 5;
  if (shorter < kMinPart + 1) return 0.0;
  for (size_t length = shorter - 1; length >= kMinPart; --length) {
    const std::string_view q_head = q.substr(0, length);
    const std::string_view t_head = t.substr(0, length);
    if (q_head == t.substr(t.size() - length) || t_head == q.substr(q.size() - length)) {
      return 0.5;
    }
    if (length >= kMinPart + 2 && q_head == t_head) return 0.5;
  }
  return 0.0;
}

// Whether `t` is only the first part of the question's compound `q` ("gehalt" of
// "gehaltsbaender"): the modifier, which says less than the head ("baender").
bool IsModifierOnly(std::string_view q, std::string_view t) {
  return q.size() > t.size() + 3 && q.starts_with(t);
}

// The best match of `q` among `terms` (a heading's words).
double BestMatch(std::string_view q, const std::vector<std::string>& terms) {
  double best = 0;
  for (const std::string& t : terms) {
    best = std::max(best, Match(q, t));
    if (best == 1.0) break;
  }
  return best;
}

}  // namespace wissen::engine::word_match

#include "synthetic_text.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_set>

namespace wissen::bench {
namespace {

// Word lists: office and company vocabulary, as an intranet holds it.
constexpr const char* kGermanFunction =
    "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es "
    "an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so "
    "zum war haben nur oder aber vor zur bis mehr durch man sein wurde sei kann wir ihre unter "
    "wenn diese dann muss soll alle jeder bitte";
constexpr const char* kGermanNouns =
    "Urlaub Antrag Reise Kosten Abrechnung Mitarbeiter Vorgesetzte Abteilung Gehalt Vertrag "
    "Arbeitszeit Überstunden Krankmeldung Arzt Bescheinigung Formular Frist Genehmigung Leitung "
    "Projekt Kunde Angebot Rechnung Auftrag Lieferung Lager Bestellung Budget Quartal Bericht "
    "Besprechung Termin Kalender Raum Gebäude Standort Büro Kantine Speiseplan Parkplatz "
    "Fahrrad Dienstwagen Bahn Flug Hotel Übernachtung Verpflegung Pauschale Beleg Quittung "
    "Konto Zahlung Steuer Versicherung Rente Zuschuss Prämie Bonus Ziel Beurteilung Gespräch "
    "Schulung Weiterbildung Kurs Zertifikat Sicherheit Passwort Zugang Konto Netzwerk Drucker "
    "Rechner Laptop Bildschirm Software Lizenz Server Datenbank Sicherung Wartung Störung Ticket "
    "Support Hilfe Anleitung Handbuch Richtlinie Regel Vorschrift Gesetz Datenschutz Einwilligung "
    "Auskunft Löschung Archiv Dokument Akte Ordner Vorlage Entwurf Version Freigabe Prüfung "
    "Messung Versuch Labor Prototyp Entwicklung Forschung Patent Erfindung Material Bauteil "
    "Maschine Anlage Produktion Qualität Fehler Mangel Reklamation Garantie Kundendienst Vertrieb "
    "Marketing Kampagne Messe Stand Präsentation Umsatz Gewinn Verlust Bilanz Planung Strategie "
    "Vorstand Geschäftsführung Betriebsrat Personalabteilung Einstellung Bewerbung Probezeit "
    "Kündigung Elternzeit Mutterschutz Teilzeit Homeoffice Gleitzeit Zeiterfassung Feiertag "
    "Sonderurlaub Jubiläum Feier Weihnachten Sommer Winter Woche Monat Jahr Stunde Tag Anfang "
    "Ende Ergebnis Änderung Anfrage Antwort Frage Problem Lösung Beispiel Hinweis Übersicht "
    "Liste Tabelle Zahl Betrag Grenze Höhe Dauer Zeitraum Nachweis Unterschrift Stempel Post "
    "Paket Brief Nachricht Telefon Adresse Empfang Besuch Gast Ausweis Schlüssel Tür Aufzug";
constexpr const char* kGermanVerbs =
    "beantragen genehmigen prüfen einreichen abrechnen erstatten melden informieren bestätigen "
    "ablehnen unterschreiben ausfüllen senden schicken erhalten bekommen buchen stornieren "
    "planen organisieren vorbereiten durchführen abschließen beginnen beenden verlängern "
    "verschieben ändern aktualisieren speichern löschen archivieren drucken scannen kopieren "
    "öffnen schließen anmelden abmelden zurücksetzen einrichten installieren verbinden "
    "freigeben teilen bewerten besprechen vereinbaren klären entscheiden berechnen zahlen "
    "überweisen liefern bestellen verwenden nutzen gelten enthalten beschreiben erklären "
    "zeigen finden suchen fragen antworten helfen unterstützen schulen lernen arbeiten "
    "entwickeln testen messen liegen stehen gehen kommen geben nehmen machen sagen sehen";
constexpr const char* kGermanAdjectives =
    "neu alt gut schnell langsam wichtig dringend einfach schwierig möglich nötig erforderlich "
    "zuständig verantwortlich schriftlich mündlich digital elektronisch persönlich vertraulich "
    "intern extern öffentlich jährlich monatlich wöchentlich täglich gesamt einzeln zusätzlich "
    "maximal minimal aktuell gültig ungültig offen geschlossen bezahlt unbezahlt befristet "
    "unbefristet regelmäßig sicher technisch rechtlich finanziell betrieblich gesetzlich "
    "kostenlos günstig teuer hoch niedrig lang kurz groß klein voll leer frei spät früh";

constexpr const char* kEnglishFunction =
    "the of and to a in is that for it as with was on be by this are from at or have an not "
    "which they you but all their has will can there been one more if would when we so no "
    "what about into than them only other its also may must should each any these please";
constexpr const char* kEnglishNouns =
    "leave request travel expense report employee manager department salary contract hours "
    "overtime sick note doctor certificate form deadline approval project customer offer "
    "invoice order delivery warehouse purchase budget quarter meeting appointment calendar "
    "room building office site canteen menu parking bicycle car train flight hotel night meal "
    "allowance receipt account payment tax insurance pension grant bonus goal review "
    "conversation training course security password access network printer computer laptop "
    "screen software license server database backup maintenance outage ticket support help "
    "guide handbook policy rule regulation law privacy consent request deletion archive "
    "document file folder template draft version release audit measurement experiment lab "
    "prototype development research patent invention material component machine plant "
    "production quality defect complaint warranty service sales marketing campaign fair booth "
    "presentation revenue profit loss balance planning strategy board council recruiting "
    "application probation notice parental leave holiday schedule timesheet anniversary party "
    "week month year hour day start end result change question answer problem solution example "
    "hint overview list table number amount limit height duration period proof signature stamp "
    "mail parcel letter message phone address reception visit guest badge key door elevator "
    "vendor supplier team colleague process workflow system portal intranet handover onboarding";
constexpr const char* kEnglishVerbs =
    "apply approve check submit settle refund report inform confirm reject sign fill send "
    "receive book cancel plan organize prepare perform complete start finish extend move "
    "update save delete print scan copy open close register reset install connect share rate "
    "discuss agree clarify decide calculate pay transfer deliver use cover describe explain "
    "show find search ask answer help support train learn work develop test measure";
constexpr const char* kEnglishAdjectives =
    "new old good fast slow important urgent simple difficult possible necessary required "
    "responsible written digital electronic personal confidential internal external public "
    "annual monthly weekly daily total single additional maximum minimum current valid "
    "invalid open closed paid unpaid temporary permanent regular secure technical legal "
    "financial statutory free cheap expensive high low long short large small full early late";

constexpr const char* kGermanSections =
    "Allgemeines|Geltungsbereich|Ablauf|Zuständigkeiten|Fristen|Kosten|Ausnahmen|Kontakt|"
    "Häufige Fragen|Formulare|Beispiele|Hinweise";
constexpr const char* kEnglishSections =
    "General|Scope|Process|Responsibilities|Deadlines|Costs|Exceptions|Contact|"
    "Frequently asked questions|Forms|Examples|Notes";

constexpr int kTopics = 600;
constexpr int kTopicWords = 6;
constexpr double kTopicShare = 0.25;
constexpr double kZipfExponent = 1.0;

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::vector<std::string> Words(const char* text) { return Split(text, ' '); }

// Lower-cases the first letter when it is ASCII or an umlaut (UTF-8 C3 84/96/9C).
std::string LowerFirst(std::string word) {
  if (word.empty()) return word;
  if (word[0] >= 'A' && word[0] <= 'Z') {
    word[0] = static_cast<char>(word[0] - 'A' + 'a');
  } else if (word.size() >= 2 && static_cast<unsigned char>(word[0]) == 0xC3) {
    const auto second = static_cast<unsigned char>(word[1]);
    if (second == 0x84 || second == 0x96 || second == 0x9C)
      word[1] = static_cast<char>(second + 0x20);
  }
  return word;
}

std::string UpperFirst(std::string word) {
  if (!word.empty() && word[0] >= 'a' && word[0] <= 'z') {
    word[0] = static_cast<char>(word[0] - 'a' + 'A');
  }
  return word;
}

// Appends words not seen before, keeping their order.
void AddUnique(std::vector<std::string>& words, std::unordered_set<std::string>& seen,
               const std::vector<std::string>& more) {
  for (const auto& word : more) {
    if (seen.insert(word).second) words.push_back(word);
  }
}

// Content words in a deterministic shuffled order, so frequency does not follow the list.
void Shuffle(std::vector<std::string>& words, uint64_t seed) {
  Random random(seed);
  for (size_t i = words.size(); i > 1; --i) std::swap(words[i - 1], words[random.Next() % i]);
}

}  // namespace

uint64_t Random::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

TextGenerator::TextGenerator() {
  auto finish = [](Language& language, std::vector<std::string> function_words,
                   std::vector<std::string> content, uint64_t seed) {
    std::unordered_set<std::string> seen;
    AddUnique(language.words, seen, function_words);
    language.first_content = static_cast<int>(language.words.size());
    Shuffle(content, seed);
    AddUnique(language.words, seen, content);
    double sum = 0;
    for (size_t rank = 0; rank < language.words.size(); ++rank) {
      sum += 1.0 / std::pow(static_cast<double>(rank + 1), kZipfExponent);
      language.cdf.push_back(sum);
    }
    for (double& value : language.cdf) value /= sum;
    // Topic words come from the middle of the distribution: frequent enough to recur,
    // rare enough to discriminate.
    Random random(seed ^ 0x7091C5);
    const int lo = language.first_content + 20;
    const int hi = static_cast<int>(language.words.size()) - 1;
    for (int t = 0; t < kTopics; ++t) {
      std::vector<int> topic;
      while (static_cast<int>(topic.size()) < kTopicWords) {
        const int rank = random.Between(lo, hi);
        if (std::find(topic.begin(), topic.end(), rank) == topic.end()) topic.push_back(rank);
      }
      language.topics.push_back(std::move(topic));
    }
  };

  // German: nouns, verbs, adjectives and noun compounds ("Reisekostenabrechnung").
  {
    german_.code = "de";
    const auto nouns = Words(kGermanNouns);
    std::vector<std::string> content = nouns;
    for (const char* list : {kGermanVerbs, kGermanAdjectives}) {
      for (auto& word : Words(list)) content.push_back(std::move(word));
    }
    Random random(0xDE);
    for (int i = 0; i < 3000; ++i) {
      const std::string& first = nouns[random.Next() % nouns.size()];
      const std::string& second = nouns[random.Next() % nouns.size()];
      if (first == second) continue;
      const bool joint = first.back() == 't' || first.back() == 'g' || first.back() == 'k';
      content.push_back(first + (joint ? "s" : "") + LowerFirst(second));
    }
    finish(german_, Words(kGermanFunction), std::move(content), 0x6765726D616EULL);
    german_.sections = Split(kGermanSections, '|');
    german_.question_words = {"Wie", "Was", "Wo", "Wann", "Wer", "Welche", "Darf ich", "Gibt es"};
  }
  // English: nouns, verbs with their inflections, adjectives.
  {
    english_.code = "en";
    std::vector<std::string> content = Words(kEnglishNouns);
    for (const auto& noun : Words(kEnglishNouns)) content.push_back(noun + "s");
    for (const auto& verb : Words(kEnglishVerbs)) {
      content.push_back(verb);
      const bool e = verb.back() == 'e';
      content.push_back(verb + "s");
      content.push_back(e ? verb + "d" : verb + "ed");
      content.push_back((e ? verb.substr(0, verb.size() - 1) : verb) + "ing");
    }
    for (auto& word : Words(kEnglishAdjectives)) content.push_back(std::move(word));
    finish(english_, Words(kEnglishFunction), std::move(content), 0x656E676C697368ULL);
    english_.sections = Split(kEnglishSections, '|');
    english_.question_words = {"How do I", "What is", "Where is", "When",
                               "Who",      "Which",   "Can I",    "Is there"};
  }
}

int TextGenerator::vocabulary_size(const std::string& language) const {
  return static_cast<int>((language == "de" ? german_ : english_).words.size());
}

const TextGenerator::Language& TextGenerator::LanguageOf(int64_t index, uint64_t salt) const {
  Random random(static_cast<uint64_t>(index) * 0x2545F4914F6CDD1DULL + salt);
  return random.Uniform() < 0.55 ? german_ : english_;
}

int TextGenerator::ZipfRank(const Language& language, Random& random) const {
  const double u = random.Uniform();
  const auto it = std::lower_bound(language.cdf.begin(), language.cdf.end(), u);
  return std::min(static_cast<int>(it - language.cdf.begin()),
                  static_cast<int>(language.words.size()) - 1);
}

std::string TextGenerator::Sentence(const Language& language, const std::vector<int>& topic,
                                    Random& random, int words) const {
  std::string sentence;
  for (int i = 0; i < words; ++i) {
    const int rank = random.Uniform() < kTopicShare ? topic[random.Next() % topic.size()]
                                                    : ZipfRank(language, random);
    if (!sentence.empty()) sentence += ' ';
    sentence += i == 0 ? UpperFirst(language.words[rank]) : language.words[rank];
  }
  sentence += random.Uniform() < 0.1 ? "?" : ".";
  return sentence;
}

SyntheticDocument TextGenerator::Document(int64_t index, int chunks) const {
  const Language& language = LanguageOf(index, 0xD0C);
  Random random(static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ULL + 17);
  const std::vector<int>& topic = language.topics[random.Next() % language.topics.size()];
  SyntheticDocument document;
  document.language = language.code;
  for (int i = 0; i < 3; ++i) {
    if (i > 0) document.title += ' ';
    document.title += UpperFirst(language.words[topic[i]]);
  }
  for (int c = 0; c < chunks; ++c) {
    SyntheticChunk chunk;
    const std::string& section = language.sections[random.Next() % language.sections.size()];
    chunk.heading_path = document.title + " \u203A " + section;
    const int target = random.Between(60, 150);
    int words = 0;
    while (words < target) {
      const int length = std::min(random.Between(10, 25), std::max(10, target - words));
      if (!chunk.text.empty()) chunk.text += ' ';
      chunk.text += Sentence(language, topic, random, length);
      words += length;
    }
    document.chunks.push_back(std::move(chunk));
  }
  return document;
}

std::string TextGenerator::Query(int64_t index) const {
  const Language& language = LanguageOf(index, 0x9E7);
  Random random(static_cast<uint64_t>(index) * 0xD1B54A32D192ED03ULL + 99);
  const std::vector<int>& topic = language.topics[random.Next() % language.topics.size()];
  std::string query = language.question_words[random.Next() % language.question_words.size()];
  const int topic_words = random.Between(2, 4);
  std::vector<int> picked;
  while (static_cast<int>(picked.size()) < topic_words) {
    const int rank = topic[random.Next() % topic.size()];
    if (std::find(picked.begin(), picked.end(), rank) == picked.end()) picked.push_back(rank);
  }
  for (int rank : picked) query += " " + language.words[rank];
  const int extra = random.Between(0, 2);
  for (int i = 0; i < extra; ++i) {
    query += " " + language.words[language.first_content + random.Between(0, 200)];
  }
  return query + "?";
}

}  // namespace wissen::bench

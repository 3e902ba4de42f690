#include "wissen/engine/extractive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "wissen/engine/guards.h"

namespace wissen::engine {
namespace {

ContextPassage Passage(int id, std::string text, std::string title = "", std::string path = "") {
  ContextPassage passage;
  passage.id = id;
  passage.title = std::move(title);
  passage.path = std::move(path);
  passage.text = std::move(text);
  return passage;
}

GenerationResult Answer(const GenerationRequest& request, const ExtractiveOptions& options = {}) {
  auto generator = MakeExtractiveGenerator(options);
  Result<GenerationResult> result = generator->Generate(request, {});
  EXPECT_TRUE(result.has_value());
  return result.value_or(GenerationResult{});
}

// Every sentence of the answer must be quoted from the passage it cites.
void ExpectQuotesAreCited(const GenerationRequest& request, const GenerationResult& result) {
  size_t pos = 0;
  int quotes = 0;
  while ((pos = result.text.find(" [", pos)) != std::string::npos) {
    const size_t line_start = result.text.rfind('\n', pos);
    size_t quote_start = line_start == std::string::npos ? 0 : line_start + 1;
    if (result.text.compare(quote_start, 2, "- ") == 0) quote_start += 2;
    const std::string quote = result.text.substr(quote_start, pos - quote_start);
    const int id = std::stoi(result.text.substr(pos + 2));
    bool found = false;
    for (const ContextPassage& passage : request.context) {
      if (passage.id == id) found = passage.text.find(quote) != std::string::npos;
    }
    EXPECT_TRUE(found) << "[" << id << "] does not contain: " << quote;
    ++quotes;
    pos += 2;
  }
  EXPECT_GT(quotes, 0) << result.text;
}

GenerationRequest VacationRequest(std::string question, std::string language) {
  GenerationRequest request;
  request.question = std::move(question);
  request.language = std::move(language);
  request.context = {
      Passage(1,
              "Diese Richtlinie gilt für alle Beschäftigten der Musterwerk AG. Sie wurde vom "
              "Vorstand am 1. März 2024 beschlossen. Fragen beantwortet die Personalabteilung.",
              "Urlaubsrichtlinie 2024"),
      Passage(2,
              "Anträge werden im Personalportal gestellt. Die Führungskraft genehmigt den "
              "Antrag innerhalb einer Woche.",
              "Urlaubsrichtlinie 2024"),
      Passage(3,
              "Der Anspruch ergibt sich aus dem Arbeitsvertrag. Vollzeitbeschäftigte erhalten "
              "30 Urlaubstage pro Kalenderjahr. Resturlaub verfällt am 31. März des Folgejahres.",
              "Urlaubsrichtlinie 2024"),
  };
  return request;
}

// A spreadsheet or Word table: the row that answers, under the header that names its cells,
// each on its own line; not the whole table run together.
TEST(ExtractiveTest, TableRowsAreQuotedWithTheirHeader) {
  GenerationRequest request;
  request.question = "Was kostet eine Rundzelle 21700?";
  request.language = "de";
  request.context = {Passage(1,
                             "Bauteil | Lieferant | Stückpreis EUR\n"
                             "Rundzelle 21700 | Voltara Cells | 3.85\n"
                             "Batteriemanagement-Platine | Elektronik Nordhessen | 18.4\n"
                             "Aluminiumgehäuse | Druckguss Kassel | 11.2",
                             "Kalkulation BX-750", "rnd/kalkulation.xlsx")};
  const GenerationResult result = Answer(request);
  ASSERT_FALSE(result.no_answer) << result.text;
  EXPECT_NE(result.text.find("Bauteil | Lieferant | Stückpreis EUR\nRundzelle 21700 | Voltara "
                             "Cells | 3.85 [1]"),
            std::string::npos)
      << result.text;
  EXPECT_EQ(result.text.find("Platine"), std::string::npos) << result.text;
  EXPECT_EQ(result.text.find("Aluminium"), std::string::npos) << result.text;
}

TEST(ExtractiveTest, NameIsExtractive) {
  EXPECT_EQ(MakeExtractiveGenerator()->Name(), "extractive");
}

TEST(ExtractiveTest, GermanQuestionGetsGermanFramingAndTheBestSentence) {
  const GenerationRequest request =
      VacationRequest("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "de");
  const GenerationResult result = Answer(request);
  EXPECT_FALSE(result.no_answer);
  EXPECT_EQ(result.generator, "extractive");
  // The window of the best passage, under its title, not bullets from several passages.
  EXPECT_TRUE(result.text.starts_with("Aus „Urlaubsrichtlinie 2024“:\n")) << result.text;
  EXPECT_NE(result.text.find("Vollzeitbeschäftigte erhalten 30 Urlaubstage pro Kalenderjahr."),
            std::string::npos)
      << result.text;
  EXPECT_TRUE(result.text.ends_with("[3]")) << result.text;
  EXPECT_EQ(result.text.find("[1]"), std::string::npos) << result.text;
  // The first lines of the top passage do not answer and are not quoted.
  EXPECT_EQ(result.text.find("Diese Richtlinie gilt"), std::string::npos) << result.text;
  ExpectQuotesAreCited(request, result);
  EXPECT_TRUE(ValidateCitations(result.text, 3).has_valid_citation);
}

TEST(ExtractiveTest, EnglishQuestionGetsEnglishFraming) {
  GenerationRequest request;
  request.question = "How do I get a fresh log file on each run?";
  request.language = "en";
  request.context = {
      Passage(1, "Logging provides a set of convenience functions. See the tutorial."),
      Passage(2,
              "If you want each run to start afresh, not remembering the messages from earlier "
              "runs, you can specify the filemode argument, by changing the call to "
              "basicConfig(filename='example.log', filemode='w'). The output will be the same."),
  };
  const GenerationResult result = Answer(request);
  EXPECT_FALSE(result.no_answer);
  EXPECT_TRUE(result.text.starts_with("you can specify") || result.text.starts_with("If you"))
      << result.text;  // no title: no heading line
  EXPECT_NE(result.text.find("you can specify the filemode argument"), std::string::npos)
      << result.text;
  ExpectQuotesAreCited(request, result);
}

TEST(ExtractiveTest, LanguageFallsBackToTheQuestion) {
  GenerationRequest request =
      VacationRequest("How many Urlaubstage do Vollzeitbeschäftigte get?", "");
  EXPECT_TRUE(Answer(request).text.starts_with("From “")) << Answer(request).text;
  request.question = "Wie viele Urlaubstage gibt es für Vollzeitbeschäftigte?";
  EXPECT_TRUE(Answer(request).text.starts_with("Aus „")) << Answer(request).text;
  request.question = "Was ist das Wetter morgen?";
  EXPECT_EQ(Answer(request).text,
            "In den Dokumenten, die Sie lesen dürfen, habe ich dazu nichts gefunden.");
}

TEST(ExtractiveTest, NoAnswerForUnrelatedContext) {
  GenerationRequest request =
      VacationRequest("Wie konfiguriere ich den VPN-Client unter Linux?", "de");
  const GenerationResult result = Answer(request);
  EXPECT_TRUE(result.no_answer);
  EXPECT_EQ(result.text, "In den Dokumenten, die Sie lesen dürfen, habe ich dazu nichts gefunden.");

  request.language = "en";
  request.question = "How do I configure the VPN client on Linux?";
  const GenerationResult english = Answer(request);
  EXPECT_TRUE(english.no_answer);
  EXPECT_EQ(english.text, "I found nothing about this in the documents you may read.");
}

TEST(ExtractiveTest, NoAnswerForEmptyContextOrQuestion) {
  GenerationRequest request;
  request.question = "Wie viele Urlaubstage gibt es?";
  request.language = "de";
  EXPECT_TRUE(Answer(request).no_answer);
  request.context = {Passage(1, ""), Passage(2, "   \n\n ")};
  EXPECT_TRUE(Answer(request).no_answer);
  request = VacationRequest("Was ist das?", "de");
  EXPECT_TRUE(Answer(request).no_answer);
}

TEST(ExtractiveTest, CompoundsAndInflectionsMatch) {
  GenerationRequest request;
  request.question = "Wie stelle ich einen Urlaubsantrag?";
  request.language = "de";
  request.context = {
      Passage(1, "Das Kantinenangebot wechselt wöchentlich. Getränke sind kostenlos."),
      Passage(2, "Den Antrag auf Urlaub stellen Sie im Personalportal unter „Abwesenheiten“."),
  };
  const GenerationResult result = Answer(request);
  EXPECT_FALSE(result.no_answer) << result.text;
  EXPECT_NE(result.text.find("Personalportal"), std::string::npos) << result.text;
  EXPECT_EQ(result.text.find("Kantinen"), std::string::npos) << result.text;
  ExpectQuotesAreCited(request, result);
}

TEST(ExtractiveTest, AnswersWithOneContiguousWindowWithinTheLimits) {
  GenerationRequest request;
  request.question = "Welche Regeln gelten für die Reisekosten bei Dienstreisen?";
  request.language = "de";
  const std::vector<std::string> topics = {"Hotelkosten", "Bahnfahrten", "Flugreisen",
                                           "Mietwagen",   "Verpflegung", "Taxifahrten"};
  std::string many;
  for (const std::string& topic : topics) {
    many += "Für " + topic + " auf Dienstreisen gilt eine eigene Regel der Reisekosten. ";
  }
  request.context = {Passage(1, many, "Reisen"), Passage(2, many + " Zusatz.", "Reisen")};
  for (int max_sentences : {1, 2, 3, 7}) {
    ExtractiveOptions options;
    options.max_sentences = max_sentences;
    options.min_chars = 10000;  // take as many as allowed
    const GenerationResult result = Answer(request, options);
    EXPECT_FALSE(result.no_answer);
    // One passage, one citation at the end, at most three sentences.
    EXPECT_EQ(result.text.find("[2]"), std::string::npos) << result.text;
    const auto sentences = std::count(result.text.begin(), result.text.end(), '.');
    EXPECT_EQ(sentences, std::min(max_sentences, 3)) << result.text;
    ExpectQuotesAreCited(request, result);
  }
  ExtractiveOptions narrow;
  narrow.max_chars = 100;
  narrow.min_chars = 10000;
  const GenerationResult short_answer = Answer(request, narrow);
  EXPECT_EQ(std::count(short_answer.text.begin(), short_answer.text.end(), '.'), 1)
      << short_answer.text;
}

// A second source is quoted only when it covers a question word the first does not; the
// same words again from another passage are not a second answer.
TEST(ExtractiveTest, SecondSourceOnlyWhenItAddsAnAnswer) {
  GenerationRequest request;
  request.question = "Wann verfällt der Resturlaub und wer genehmigt eine Übertragung?";
  request.language = "de";
  request.context = {
      Passage(1, "Resturlaub verfällt am 31. März des Folgejahres.", "Urlaub", "urlaub.html"),
      Passage(2, "Resturlaub verfällt am 31. März des Folgejahres!", "Urlaub", "kopie.html"),
      Passage(3, "Eine Übertragung genehmigt die Führungskraft, z. B. bei Krankheit.",
              "Übertragung", "uebertragung.html"),
  };
  const GenerationResult result = Answer(request);
  EXPECT_FALSE(result.no_answer);
  EXPECT_EQ(result.text.find("[2]"), std::string::npos) << result.text;
  const size_t first = result.text.find("[1]");
  const size_t third = result.text.find("[3]");
  ASSERT_NE(first, std::string::npos) << result.text;
  ASSERT_NE(third, std::string::npos) << result.text;
  // Neither the date "31. März" nor "z. B." ends a sentence.
  EXPECT_NE(result.text.find("Resturlaub verfällt am 31. März des Folgejahres. [1]"),
            std::string::npos)
      << result.text;
  EXPECT_NE(result.text.find("z. B. bei Krankheit. [3]"), std::string::npos) << result.text;
  ExpectQuotesAreCited(request, result);

  // Asked only about the deadline, the second source adds nothing.
  request.question = "Wann verfällt der Resturlaub?";
  const GenerationResult one = Answer(request);
  EXPECT_EQ(one.text.find("[3]"), std::string::npos) << one.text;
}

// Word rarity comes from the index: a sentence matching only a word that most chunks hold
// ("2025") never answers, however rare that word is in the context.
class FixedStatistics final : public Vocabulary {
 public:
  explicit FixedStatistics(std::map<std::string, int64_t> frequencies)
      : frequencies_(std::move(frequencies)) {}
  int64_t Frequency(std::string_view word) const override {
    auto it = frequencies_.find(std::string(word));
    return it == frequencies_.end() ? 0 : it->second;
  }
  int64_t Total() const override { return 1000; }

 private:
  std::map<std::string, int64_t> frequencies_;
};

TEST(ExtractiveTest, CommonWordsAloneNeverAnswer) {
  GenerationRequest request;
  request.question = "Was sind die Gehaltsbänder 2025?";
  request.language = "de";
  request.context = {
      Passage(1, "Der Speiseplan gilt ab Januar 2025. Das Gehalt wird monatlich gezahlt.",
              "Kantine"),
      Passage(2, "Im Jahr 2025 gibt es einen neuen Katalog. Bestellen Sie bis Ende 2025.",
              "Einkauf")};
  const FixedStatistics statistics({{"2025", 300}, {"gehaltsbänder", 2}, {"gehalt", 40}});
  request.vocabulary = &statistics;
  const GenerationResult result = Answer(request);
  EXPECT_TRUE(result.no_answer) << result.text;  // "Gehalt" is only the modifier

  // The same context answers a question whose rare word it holds.
  request.question = "Wie wird das Gehalt 2025 gezahlt?";
  const GenerationResult answered = Answer(request);
  EXPECT_FALSE(answered.no_answer);
  EXPECT_NE(answered.text.find("Das Gehalt wird monatlich gezahlt."), std::string::npos)
      << answered.text;
  EXPECT_GT(answered.confidence, 0.25);
}

// With the index's stemmers a plural with an umlaut meets its singular ("Anträge" and
// "Antrag"), which the answerer's own suffix stripping misses.
class GermanStems final : public Vocabulary {
 public:
  int64_t Frequency(std::string_view) const override { return 1; }
  int64_t Total() const override { return 1000; }
  std::string Stem(std::string_view word, std::string_view language) const override {
    if (language != "de") return std::string(word);
    return word == "anträge" ? "antrag" : std::string(word);
  }
};

TEST(ExtractiveTest, TheIndexsStemmersMatchWhatSuffixStrippingMisses) {
  GenerationRequest request;
  request.question = "Und die Anträge?";
  request.language = "de";
  request.context = {
      Passage(1, "Den Antrag prüft die Personalabteilung binnen einer Woche.", "Urlaub")};
  EXPECT_TRUE(Answer(request).no_answer);  // "antraeg" is not "antrag" to suffix stripping
  const GermanStems stems;
  request.vocabulary = &stems;
  const GenerationResult result = Answer(request);
  EXPECT_FALSE(result.no_answer);
  EXPECT_NE(result.text.find("Personalabteilung"), std::string::npos) << result.text;
}

// The rule of a section comes before the special cases that follow it.
TEST(ExtractiveTest, TheSectionsOpeningSentenceLeadsItsSpecialCases) {
  GenerationRequest request;
  request.question = "Wie viele Urlaubstage habe ich?";
  request.language = "de";
  request.context = {Passage(1,
                             "Der Jahresurlaub beträgt 30 Arbeitstage. Bei Teilzeit gibt es "
                             "anteilig weniger Urlaubstage, bei vier Tagen 24. Sonderurlaub "
                             "regelt eine Betriebsvereinbarung.",
                             "Urlaub › Urlaubsanspruch")};
  const GenerationResult result = Answer(request);
  EXPECT_NE(result.text.find("Der Jahresurlaub beträgt 30 Arbeitstage."), std::string::npos)
      << result.text;
}

// "Wer" wants the sentence that names a person or a role.
TEST(ExtractiveTest, WhoQuestionPrefersTheSentenceNamingARole) {
  GenerationRequest request;
  request.question = "Wer genehmigt den Urlaubsantrag?";
  request.language = "de";
  request.context = {
      Passage(1, "Den Urlaubsantrag stellen Sie im Portal. Ein Urlaubsantrag wird geprüft.",
              "Urlaub"),
      Passage(2, "Über den Urlaubsantrag entscheidet die Führungskraft.", "Urlaub")};
  ExtractiveOptions one;
  one.max_sentences = 1;
  const GenerationResult result = Answer(request, one);
  EXPECT_NE(result.text.find("Führungskraft"), std::string::npos) << result.text;
}

TEST(ExtractiveTest, StreamsAndStopsWhenTheCallbackSaysSo) {
  const GenerationRequest request =
      VacationRequest("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "de");
  auto generator = MakeExtractiveGenerator();
  std::string streamed;
  Result<GenerationResult> full = generator->Generate(request, [&](std::string_view delta) {
    streamed += delta;
    return true;
  });
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(streamed, full->text);

  int calls = 0;
  Result<GenerationResult> stopped = generator->Generate(request, [&](std::string_view) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(stopped->text.starts_with("Aus „Urlaubsrichtlinie 2024“:"));
  EXPECT_LT(stopped->text.size(), full->text.size());
}

// The sentence that answers a deadline question uses the participle ("abgerechnet") of the
// question's verb ("abrechnen") and carries the number; a neighbour that only shares a
// compound part ("Abrechnungen") must not win over it.
TEST(ExtractiveTest, DeadlineQuestionFindsTheSentenceWithTheDeadline) {
  GenerationRequest request;
  request.question = "Bis wann muss ich Reisekosten abrechnen?";
  request.language = "de";
  request.context = {
      Passage(1,
              "Der Vorschuss wird mit der Reisekostenabrechnung verrechnet. Reisekosten müssen "
              "innerhalb von 30 Tagen nach Reiseende abgerechnet werden. Später eingereichte "
              "Abrechnungen werden nur mit schriftlicher Begründung bearbeitet.",
              "Reisekostenrichtlinie"),
      Passage(2,
              "Diese Richtlinie regelt, wie Dienstreisen beantragt, gebucht und abgerechnet "
              "werden. Die Abrechnung erfolgt im Spesenportal.",
              "Reisekostenrichtlinie"),
  };
  ExtractiveOptions one;
  one.max_sentences = 1;
  const GenerationResult result = Answer(request, one);
  EXPECT_FALSE(result.no_answer);
  EXPECT_NE(result.text.find("innerhalb von 30 Tagen"), std::string::npos) << result.text;
  ExpectQuotesAreCited(request, result);
}

// Two sentences cover the question alike; "when" wants the one with a number.
TEST(ExtractiveTest, WhenQuestionPrefersTheSentenceWithANumber) {
  for (const auto& [question, language] : std::vector<std::pair<std::string, std::string>>{
           {"Wann muss der Urlaubsantrag gestellt werden?", "de"},
           {"How long before the leave starts must the leave request be filed?", "en"}}) {
    GenerationRequest request;
    request.question = question;
    request.language = language;
    request.context = {Passage(1,
                               "Der Urlaubsantrag wird im Personalportal gestellt. The leave "
                               "request is filed in the HR portal before the leave starts.",
                               "Urlaub"),
                       Passage(2,
                               "Der Urlaubsantrag muss spätestens 14 Tage vorher gestellt "
                               "werden. The leave request must be filed 14 days before the "
                               "leave starts.",
                               "Urlaub")};
    ExtractiveOptions one;
    one.max_sentences = 1;
    const GenerationResult result = Answer(request, one);
    EXPECT_NE(result.text.find("14"), std::string::npos) << question << "\n" << result.text;
  }
}

// "Why" is answered by the sentence after the one that restates the question.
TEST(ExtractiveTest, WhyQuestionBringsTheExplanationAlong) {
  GenerationRequest request;
  request.question = "Why is it good practice to use a virtual environment for each project?";
  request.language = "en";
  request.context = {Passage(1,
                             "It is good practice to use a virtual environment for each "
                             "project. The packages one project installs then cannot break "
                             "another one. Virtual environments live in a folder.",
                             "Virtual environments")};
  const GenerationResult result = Answer(request);
  EXPECT_NE(result.text.find("cannot break another one"), std::string::npos) << result.text;
  ExpectQuotesAreCited(request, result);
}

// A best sentence that ends in ':' announces what follows; it is quoted with it.
TEST(ExtractiveTest, SentenceEndingInAColonKeepsItsContinuation) {
  GenerationRequest request;
  request.question = "How do I list the installed packages?";
  request.language = "en";
  request.context = {
      Passage(1,
              "To list the installed packages, run this command:\n\npip freeze prints one "
              "package per line with its version.\n\nPackages come from the index.",
              "Packages")};
  const GenerationResult result = Answer(request);
  EXPECT_NE(result.text.find("pip freeze prints"), std::string::npos) << result.text;
}

TEST(ExtractiveTest, ThreadSafe) {
  auto generator = MakeExtractiveGenerator();
  const GenerationRequest request =
      VacationRequest("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "de");
  const std::string expected = generator->Generate(request, {})->text;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        mismatches[t] += generator->Generate(request, {})->text != expected;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace wissen::engine

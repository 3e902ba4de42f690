#include "wissen/core/language.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(LanguageTest, GermanDocument) {
  EXPECT_EQ(DetectLanguage("Der Antrag auf Urlaub ist spätestens zwei Wochen vorher bei der "
                           "Personalabteilung einzureichen. Für Teilzeitkräfte gilt eine "
                           "anteilige Regelung, die sich nach den Arbeitstagen richtet."),
            "de");
}

TEST(LanguageTest, EnglishDocument) {
  EXPECT_EQ(DetectLanguage("The vacation request must be submitted to the human resources "
                           "department at least two weeks in advance. For part-time staff a "
                           "pro-rata rule applies that is based on the working days."),
            "en");
}

TEST(LanguageTest, ShortGermanQuestions) {
  EXPECT_EQ(DetectLanguage("Wie beantrage ich Urlaub?"), "de");
  EXPECT_EQ(DetectLanguage("Was ist die Reisekostenpauschale?"), "de");
  EXPECT_EQ(DetectLanguage("Wer genehmigt Überstunden?"), "de");
  EXPECT_EQ(DetectLanguage("Welche Fristen gelten für Kündigungen"), "de");
}

TEST(LanguageTest, ShortEnglishQuestions) {
  EXPECT_EQ(DetectLanguage("How do I request vacation?"), "en");
  EXPECT_EQ(DetectLanguage("What is the travel allowance?"), "en");
  EXPECT_EQ(DetectLanguage("Who approves overtime"), "en");
  EXPECT_EQ(DetectLanguage("Where can I find the VPN setup guide?"), "en");
}

TEST(LanguageTest, UmlautsAloneHintGerman) {
  EXPECT_EQ(DetectLanguage("Gehaltsüberprüfung Größe"), "de");
}

TEST(LanguageTest, CapitalisedFunctionWordsCount) {
  EXPECT_EQ(DetectLanguage("FÜR DIE MITARBEITER UND GÄSTE"), "de");
  EXPECT_EQ(DetectLanguage("THE RULES FOR ALL VISITORS"), "en");
}

TEST(LanguageTest, NoSignalGivesEmpty) {
  EXPECT_EQ(DetectLanguage(""), "");
  EXPECT_EQ(DetectLanguage("   \n\t "), "");
  EXPECT_EQ(DetectLanguage("12345 67.89"), "");
  EXPECT_EQ(DetectLanguage("Urlaubsantrag"), "");
  EXPECT_EQ(DetectLanguage("Kubernetes Helm Terraform"), "");
}

TEST(LanguageTest, EvenlyMixedTextIsNotGuessed) { EXPECT_EQ(DetectLanguage("the und"), ""); }

TEST(LanguageTest, EnglishTextWithAGermanNameStaysEnglish) {
  EXPECT_EQ(DetectLanguage("Please send the form to Mr. Müller in the payroll office."), "en");
}

TEST(LanguageTest, PunctuationAndQuotesDoNotHideWords) {
  EXPECT_EQ(DetectLanguage("„Das“ – ist (nicht) gut…"), "de");
}

TEST(LanguageTest, InvalidUtf8DoesNotCrash) {
  EXPECT_EQ(DetectLanguage(std::string_view("\xff\xfe die \xc3 und das", 16)), "de");
}

TEST(LanguageTest, LongDocumentIsDecidedFromItsBeginning) {
  std::string text;
  while (text.size() < 200'000) text += "Die Regeln gelten für alle Mitarbeiter. ";
  EXPECT_EQ(DetectLanguage(text), "de");
}

}  // namespace
}  // namespace wissen

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "feature_hash.h"
#include "wissen/engine/embedder.h"

namespace wissen::engine {
namespace {

std::vector<float> EmbedText(const Embedder& embedder, const std::string& text) {
  auto result = embedder.Embed({text}, EmbedPurpose::kPassage);
  EXPECT_TRUE(result.has_value());
  return result.value_or(std::vector<float>{});
}

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

double Cosine(const Embedder& embedder, const std::string& a, const std::string& b) {
  return Dot(EmbedText(embedder, a), EmbedText(embedder, b));
}

TEST(BuiltinEmbedderTest, InfoNamesTheModel) {
  const auto embedder = MakeBuiltinEmbedder();
  EXPECT_EQ(embedder->Info(), (EmbedderInfo{"wissen-hash", "1", 384}));
  EXPECT_EQ(MakeBuiltinEmbedder({.dimension = 64})->Info().dimension, 64);
}

TEST(BuiltinEmbedderTest, DimensionIsRespected) {
  const auto embedder = MakeBuiltinEmbedder({.dimension = 100});
  auto result = embedder->Embed({"one text", "another text", ""}, EmbedPurpose::kQuery);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->size(), 300u);
}

TEST(BuiltinEmbedderTest, RowsHaveUnitNorm) {
  const auto embedder = MakeBuiltinEmbedder();
  for (const std::string text :
       {"a", "Urlaubsantrag", "The quick brown fox.",
        "Die Reisekosten werden erstattet, wenn der Antrag vorliegt.", "der die das", "42"}) {
    EXPECT_NEAR(Dot(EmbedText(*embedder, text), EmbedText(*embedder, text)), 1.0, 1e-5) << text;
  }
}

TEST(BuiltinEmbedderTest, TextWithoutTokensGivesZeroVector) {
  const auto embedder = MakeBuiltinEmbedder();
  for (const std::string text : {"", "   \n\t", "... -- !!! ???", "\xff\xfe"}) {
    const std::vector<float> vector = EmbedText(*embedder, text);
    ASSERT_EQ(vector.size(), 384u);
    for (float value : vector) EXPECT_EQ(value, 0.0f) << text;
  }
}

TEST(BuiltinEmbedderTest, IsDeterministic) {
  const auto first = MakeBuiltinEmbedder();
  const auto second = MakeBuiltinEmbedder();
  const std::string text = "Wie beantrage ich Urlaub? Der Urlaubsantrag geht an HR.";
  const std::vector<float> a = EmbedText(*first, text);
  // The same text in a batch with others gives the identical row.
  auto batch = second->Embed({"something else entirely", text}, EmbedPurpose::kQuery);
  ASSERT_TRUE(batch.has_value());
  const std::vector<float> b(batch->begin() + 384, batch->end());
  EXPECT_EQ(a, b);
}

TEST(BuiltinEmbedderTest, StableHashGoldenValues) {
  // These pin the index format: if they change, every stored index is invalid and the
  // embedder version must be bumped.
  EXPECT_EQ(internal::FnvUpdate(internal::kFnvOffsetBasis, "a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(internal::StableHash('w', "urlaub"), 0x23d6e6c4b701f70cull);
}

TEST(BuiltinEmbedderTest, GoldenComponents) {
  const auto embedder = MakeBuiltinEmbedder({.dimension = 16});
  const std::vector<float> vector = EmbedText(*embedder, "Urlaubsantrag für Mitarbeiter");
  const std::vector<float> golden = {0.2937039f,  0.1958026f,  0.3263377f, -0.2610701f,
                                     0.3916052f,  -0.1958026f, 0.3263377f, 0.1958026f,
                                     0.1958026f,  0.0000000f,  0.3916052f, 0.0000000f,
                                     -0.0979013f, 0.0000000f,  0.3916052f, -0.0979013f};
  ASSERT_EQ(vector.size(), golden.size());
  for (size_t i = 0; i < golden.size(); ++i) EXPECT_NEAR(vector[i], golden[i], 1e-5) << i;
}

TEST(BuiltinEmbedderTest, SharedWordsAreCloserThanUnrelatedText) {
  const auto embedder = MakeBuiltinEmbedder();
  const std::string query = "How do I submit my travel expenses?";
  const double related =
      Cosine(*embedder, query, "Travel expenses are submitted through the finance portal.");
  const double unrelated =
      Cosine(*embedder, query, "The cafeteria serves vegetarian lunch on Fridays.");
  EXPECT_GT(related, unrelated + 0.1);
}

TEST(BuiltinEmbedderTest, GermanCompoundIsCloseToItsParts) {
  const auto embedder = MakeBuiltinEmbedder();
  const double compound = Cosine(*embedder, "Urlaubsantrag", "Urlaub");
  const double unrelated = Cosine(*embedder, "Urlaubsantrag", "Gehaltsabrechnung");
  EXPECT_GT(compound, 0.2);
  EXPECT_GT(compound, unrelated + 0.15);
  EXPECT_GT(Cosine(*embedder, "Wo stelle ich einen Urlaubsantrag?",
                   "Urlaub muss zwei Wochen vorher beantragt werden."),
            Cosine(*embedder, "Wo stelle ich einen Urlaubsantrag?",
                   "Die Gehaltsabrechnung kommt am Monatsende."));
}

TEST(BuiltinEmbedderTest, SpellingVariantsMeet) {
  const auto embedder = MakeBuiltinEmbedder();
  EXPECT_NEAR(Cosine(*embedder, "Ärger mit der Größe", "Aerger mit der Groesse"), 1.0, 1e-5);
  EXPECT_NEAR(Cosine(*embedder, "Straße", "STRASSE"), 1.0, 1e-5);
  EXPECT_NEAR(Cosine(*embedder, "Ｕｒｌａｕｂ", "urlaub"), 1.0, 1e-5);  // NFKC
}

TEST(BuiltinEmbedderTest, FunctionWordsDoNotMakeTextsSimilar) {
  const auto embedder = MakeBuiltinEmbedder();
  EXPECT_LT(Cosine(*embedder, "Der Drucker ist in dem Raum", "Die Kantine ist in dem Haus"), 0.3);
}

TEST(BuiltinEmbedderTest, ConcurrentCallsAgree) {
  const auto embedder = MakeBuiltinEmbedder();
  const std::string text = "Concurrent embedding of the same Text gibt dasselbe Ergebnis.";
  const std::vector<float> expected = EmbedText(*embedder, text);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) result = EmbedText(*embedder, text);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace wissen::engine

#include "wissen/app/answer_cache.h"

#include <gtest/gtest.h>

namespace wissen::app {
namespace {

TEST(AnswerCacheTest, AnswerOfAnHrUserIsNeverServedToSomeoneWithoutHr) {
  AnswerCache cache;
  const RoleSet hr({"everyone", "hr"});
  cache.Put("Wie hoch ist das Gehaltsband G3?", hr, 7, "hr answer with salary figures");
  EXPECT_FALSE(cache.Get("Wie hoch ist das Gehaltsband G3?", RoleSet({"everyone"}), 7));
  EXPECT_FALSE(cache.Get("Wie hoch ist das Gehaltsband G3?", RoleSet({"everyone", "rnd"}), 7));
  // A superset of roles is a different principal too: its answer could use more documents.
  EXPECT_FALSE(
      cache.Get("Wie hoch ist das Gehaltsband G3?", RoleSet({"everyone", "hr", "rnd"}), 7));
  EXPECT_EQ(cache.Get("Wie hoch ist das Gehaltsband G3?", hr, 7), "hr answer with salary figures");
}

TEST(AnswerCacheTest, NormalizedQuestionHits) {
  AnswerCache cache;
  const RoleSet roles({"everyone"});
  cache.Put("Wie beantrage ich  Urlaub?", roles, 1, "a");
  EXPECT_EQ(cache.Get("wie beantrage ich urlaub?", roles, 1), "a");
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(AnswerCacheTest, NewGenerationInvalidates) {
  AnswerCache cache;
  const RoleSet roles({"everyone"});
  cache.Put("q", roles, 1, "old");
  EXPECT_FALSE(cache.Get("q", roles, 2));
}

TEST(AnswerCacheTest, ExpiresAfterTtl) {
  auto now = std::chrono::steady_clock::time_point{};
  AnswerCacheOptions options;
  options.ttl = std::chrono::seconds(60);
  options.now = [&now] { return now; };
  AnswerCache cache(options);
  const RoleSet roles({"everyone"});
  cache.Put("q", roles, 1, "v");
  now += std::chrono::seconds(59);
  EXPECT_TRUE(cache.Get("q", roles, 1));
  now += std::chrono::seconds(2);
  EXPECT_FALSE(cache.Get("q", roles, 1));
}

TEST(AnswerCacheTest, EvictsLeastRecentlyUsed) {
  AnswerCacheOptions options;
  options.capacity = 2;
  AnswerCache cache(options);
  const RoleSet roles({"everyone"});
  cache.Put("a", roles, 1, "A");
  cache.Put("b", roles, 1, "B");
  EXPECT_TRUE(cache.Get("a", roles, 1));  // a is now the most recent
  cache.Put("c", roles, 1, "C");
  EXPECT_TRUE(cache.Get("a", roles, 1));
  EXPECT_FALSE(cache.Get("b", roles, 1));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(AnswerCacheTest, ZeroCapacityDisables) {
  AnswerCacheOptions options;
  options.capacity = 0;
  AnswerCache cache(options);
  cache.Put("a", RoleSet({"everyone"}), 1, "A");
  EXPECT_FALSE(cache.Get("a", RoleSet({"everyone"}), 1));
}

}  // namespace
}  // namespace wissen::app

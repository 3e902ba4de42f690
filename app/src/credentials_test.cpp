#include "wissen/app/credentials.h"

#include <gtest/gtest.h>

#include <string>

namespace wissen::app {
namespace {

TEST(UserNameTest, OrdinaryNamesPassUnchanged) {
  for (const char* name : {"ben", "anna.schmidt", "a.mueller@beispiel.de", "Jürgen", "rita_2"}) {
    auto normalized = NormalizeUserName(name);
    ASSERT_TRUE(normalized) << name << ": " << normalized.error().message;
    EXPECT_EQ(*normalized, name);
  }
}

TEST(UserNameTest, DecomposedUmlautsBecomeOneName) {
  // "Jürgen" typed with a combining diaeresis (u + U+0308) is the same user.
  auto decomposed = NormalizeUserName("Ju\xCC\x88rgen");
  ASSERT_TRUE(decomposed);
  EXPECT_EQ(*decomposed, "Jürgen");
}

TEST(UserNameTest, ControlCharactersAndNulAreRefused) {
  // The lockout bypass: "ben\0" was counted apart from "ben" but PostgreSQL cut it to "ben".
  EXPECT_FALSE(NormalizeUserName(std::string("ben\0", 4)));
  EXPECT_FALSE(NormalizeUserName("ben\n"));
  EXPECT_FALSE(NormalizeUserName("ben\x7F"));
  EXPECT_FALSE(NormalizeUserName("ben\xC2\x85"));  // U+0085, a C1 control
  EXPECT_FALSE(NormalizeUserName("\xFF\xFE"));
}

TEST(UserNameTest, PathsMarkupAndPaddingAreRefused) {
  // An SSO header once created this user.
  auto traversal = NormalizeUserName("../../etc/passwd <x>");
  ASSERT_FALSE(traversal);
  EXPECT_EQ(traversal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(traversal.error().message.find("passwd"), std::string::npos);
  EXPECT_FALSE(NormalizeUserName("a\\b"));
  EXPECT_FALSE(NormalizeUserName("\"ben\""));
  EXPECT_FALSE(NormalizeUserName(" ben"));
  EXPECT_FALSE(NormalizeUserName("ben "));
  // Found by fuzzing: Unicode spaces made lookalikes of existing names.
  EXPECT_FALSE(NormalizeUserName("ben\xC2\xA0"));
  EXPECT_FALSE(
      NormalizeUserName("\xE3\x80\x80"
                        "ben"));
  EXPECT_FALSE(NormalizeUserName("ben\xE2\x80\x83"));
  EXPECT_FALSE(NormalizeUserName(""));
  EXPECT_FALSE(NormalizeUserName(std::string(129, 'a')));
  EXPECT_TRUE(NormalizeUserName(std::string(128, 'a')));
}

}  // namespace
}  // namespace wissen::app

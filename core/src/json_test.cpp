#include "wissen/core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace wissen {
namespace {

std::string Nested(int levels, std::string_view inner = "1") {
  return std::string(levels, '[') + std::string(inner) + std::string(levels, ']');
}

TEST(UntrustedJsonTest, ParsesOrdinaryJson) {
  auto parsed = ParseUntrustedJson(R"({"messages":[{"role":"user","content":"Hallo"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)["messages"][0]["content"], "Hallo");
}

TEST(UntrustedJsonTest, RejectsNestingBeyondTheLimitBeforeParsing) {
  EXPECT_TRUE(ParseUntrustedJson(Nested(kMaxJsonDepth)));
  auto deep = ParseUntrustedJson(Nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(deep.error().message.find("nested deeper than 64"), std::string::npos);
  // The attack that crashed the server: 60,000 levels inside a chat message.
  const std::string attack =
      R"({"messages":[{"role":"user","content":)" + Nested(60000, "") + "}]}";
  EXPECT_FALSE(ParseUntrustedJson(attack));
  // Unbalanced brackets are counted too and never reach the parser's recursion.
  EXPECT_FALSE(ParseUntrustedJson(std::string(100000, '{')));
}

TEST(UntrustedJsonTest, BracketsInsideStringsDoNotCount) {
  const std::string text = R"({"q":")" + std::string(1000, '[') + R"(\"]"})";
  auto parsed = ParseUntrustedJson(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)["q"].get<std::string>().size(), 1002u);
}

TEST(UntrustedJsonTest, InvalidJsonIsAnErrorNotAnException) {
  for (const char* text : {"", "{", "{\"a\":}", "nul", "\xff\xfe"}) {
    auto parsed = ParseUntrustedJson(text);
    EXPECT_FALSE(parsed) << text;
  }
}

}  // namespace
}  // namespace wissen

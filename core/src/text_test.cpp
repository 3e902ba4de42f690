#include "wissen/core/text.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(TextTest, Sha256OfEmptyInput) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TextTest, CollapsesUnicodeWhitespace) {
  EXPECT_EQ(CollapseWhitespace("  a\u00a0\u00a0b\n\tc  "), "a b c");
}

TEST(TextTest, NormalizeFoldsCaseAndCompatibilityForms) {
  EXPECT_EQ(NormalizeForMatch("Straße  ＡＢＣ"), "strasse abc");
}

TEST(TextTest, SanitizeReplacesBrokenSequences) {
  const std::string broken = "ok\xC3(";
  EXPECT_FALSE(IsValidUtf8(broken));
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8(broken)));
}

}  // namespace
}  // namespace wissen

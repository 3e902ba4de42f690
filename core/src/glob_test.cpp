#include "wissen/core/glob.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(GlobTest, DoubleStarCrossesDirectories) {
  EXPECT_TRUE(GlobMatch("hr/**", "hr/de/bonus.html"));
  EXPECT_TRUE(GlobMatch("hr/**", "hr"));
  EXPECT_FALSE(GlobMatch("hr/**", "hrx/a.html"));
  EXPECT_TRUE(GlobMatch("**", "anything/at/all.pdf"));
}

TEST(GlobTest, LeadingDoubleStarMatchesTopLevel) {
  EXPECT_TRUE(GlobMatch("**/*.pdf", "a.pdf"));
  EXPECT_TRUE(GlobMatch("**/*.pdf", "x/y/a.pdf"));
  EXPECT_FALSE(GlobMatch("**/*.pdf", "x/y/a.pdf.txt"));
}

TEST(GlobTest, SingleStarStaysInOneSegment) {
  EXPECT_TRUE(GlobMatch("*.html", "a.html"));
  EXPECT_FALSE(GlobMatch("*.html", "dir/a.html"));
  EXPECT_TRUE(GlobMatch("**/~$*", "docs/~$report.docx"));
  EXPECT_FALSE(GlobMatch("**/~$*", "docs/report.docx"));
}

TEST(GlobTest, QuestionMarkIsOneCharacter) {
  EXPECT_TRUE(GlobMatch("v?.txt", "v1.txt"));
  EXPECT_FALSE(GlobMatch("v?.txt", "v12.txt"));
}

TEST(GlobTest, UrlPatterns) {
  EXPECT_TRUE(GlobMatch("https://wiki.intern/hr/**", "https://wiki.intern/hr/page"));
  EXPECT_FALSE(GlobMatch("https://wiki.intern/hr/**", "https://wiki.intern/public/page"));
}

}  // namespace
}  // namespace wissen

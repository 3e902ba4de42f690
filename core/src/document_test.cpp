#include "wissen/core/document.h"

#include <gtest/gtest.h>

namespace wissen {
namespace {

TEST(PublicUriTest, FilesShowTheirSourceAndRelativePathOnly) {
  EXPECT_EQ(
      PublicUri("samples", "public/de/urlaub.html", "file:///srv/share/public/de/urlaub.html"),
      "samples:public/de/urlaub.html");
}

TEST(PublicUriTest, WebPagesKeepTheirUrl) {
  EXPECT_EQ(PublicUri("intranet", "https://intranet.example/a", "https://intranet.example/a"),
            "https://intranet.example/a");
}

}  // namespace
}  // namespace wissen

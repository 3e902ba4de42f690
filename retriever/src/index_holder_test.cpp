#include "wissen/retriever/index_holder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "wissen/store/lexical_index.h"

namespace wissen::retriever {
namespace {
namespace fs = std::filesystem;

class IndexHolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("wissen-holder-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
};

// A crawl that changed no document publishes no vector generation, but may still compact
// (move) the lexical index; the old directory is removed later, so the server must follow.
TEST_F(IndexHolderTest, ALexicalIndexMovedByCompactionIsPickedUpWithoutANewGeneration) {
  auto writer = store::LexicalWriter::Open(root_ / "lexical");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Add({1, 1, "Guide", "", "travel expenses", "en", Acl({"everyone"})}));
  ASSERT_TRUE((*writer)->Commit(1));

  IndexHolder holder(root_);
  ASSERT_TRUE(holder.Refresh());
  ASSERT_TRUE(holder.Current()->lexical);
  EXPECT_EQ(holder.Current()->lexical->directory(), root_ / "lexical");
  holder.StartWatching(1);

  ASSERT_TRUE((*writer)->Compact());
  const fs::path copy = (*writer)->directory();
  ASSERT_NE(copy, root_ / "lexical");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (holder.Current()->lexical->directory() != copy &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(holder.Current()->lexical->directory(), copy);
  holder.Stop();
}

}  // namespace
}  // namespace wissen::retriever

// What the parser tests share: reading a committed fixture and looking into parsed blocks.
// Test-only; needs WISSEN_SOURCE_DIR.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "wissen/core/document.h"

namespace wissen::crawler::test_util {

// The bytes of tests/fixtures/<folder>/<name>; a missing file fails the test.
inline std::string ReadFixture(std::string_view folder, std::string_view name) {
  const std::string path = std::string(WISSEN_SOURCE_DIR) + "/tests/fixtures/" +
                           std::string(folder) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Every block's text, each followed by a blank line.
inline std::string AllText(const ParsedDocument& doc) {
  std::string text;
  for (const Block& block : doc.blocks) text += block.text + "\n\n";
  return text;
}

// The first block whose text contains `needle`, or null.
inline const Block* FindBlock(const ParsedDocument& doc, std::string_view needle) {
  for (const Block& block : doc.blocks) {
    if (Contains(block.text, needle)) return &block;
  }
  return nullptr;
}

}  // namespace wissen::crawler::test_util

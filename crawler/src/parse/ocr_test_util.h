// What the OCR and PDF parser tests share: the scanned fixtures, a tolerant sentence check
// and a cache that counts what PageOcr asks it. Test-only.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parser_test_util.h"
#include "wissen/core/text.h"
#include "wissen/crawler/ocr.h"

namespace wissen::crawler::test_util {

inline std::string ReadOcrFixture(const std::string& name) { return ReadFixture("ocr", name); }

// The share of `sentence`'s words found in `text`, ignoring case and punctuation at the ends
// of words: OCR may misread a letter here and there.
inline double ShareOfWordsFound(std::string_view text, std::string_view sentence) {
  const std::string haystack = NormalizeForMatch(text);
  const std::vector<std::string> words = SplitNonEmpty(NormalizeForMatch(sentence), ' ');
  size_t found = 0;
  for (std::string word : words) {
    while (!word.empty() && std::string_view(".,:;").find(word.back()) != std::string::npos) {
      word.pop_back();
    }
    if (Contains(haystack, word)) ++found;
  }
  return words.empty() ? 0 : static_cast<double>(found) / words.size();
}

// Counts what PageOcr asks; thread-safe like a real cache.
class CountingCache : public OcrCache {
 public:
  std::optional<std::string> Find(std::string_view page_hash,
                                  std::string_view document_hash) override {
    std::lock_guard lock(mutex_);
    ++finds;
    documents.insert(std::string(document_hash));
    const auto it = entries.find(std::string(page_hash));
    if (it == entries.end()) return std::nullopt;
    ++hits;
    return it->second;
  }
  void Store(std::string_view page_hash, std::string_view document_hash,
             std::string_view text) override {
    std::lock_guard lock(mutex_);
    ++stores;
    documents.insert(std::string(document_hash));
    entries[std::string(page_hash)] = std::string(text);
  }

  std::map<std::string, std::string> entries;
  std::set<std::string> documents;  // the document hashes asked with
  int finds = 0, hits = 0, stores = 0;

 private:
  std::mutex mutex_;
};

}  // namespace wissen::crawler::test_util

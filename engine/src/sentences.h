// Sentence splitting for the extractive answerer and prompt truncation.
//
// The indexer has its own splitter for chunking; engine cannot include indexer (layering),
// so this is a smaller copy of the same approach: ICU sentence rules plus German and English
// abbreviations, lone line breaks treated as spaces (PDF and plain-text lines wrap
// mid-sentence). Thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace wissen::engine::internal {

// A sentence as byte offsets [begin, end) into the text, without surrounding white space.
struct SentenceSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Splits UTF-8 `text` into sentences in reading order; `language` ("de", "en" or "")
// picks the locale's rules (German when it starts with "de"). Never fails: without ICU data
// each paragraph is one sentence.
std::vector<SentenceSpan> SplitSentences(std::string_view text, std::string_view language);

}  // namespace wissen::engine::internal

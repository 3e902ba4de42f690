// Sentence splitting: the one splitter for the chunker (chunk boundaries), the extractive
// answerer (candidate sentences) and prompt truncation.
//
// ICU's sentence rules for the language, plus what they get wrong in company documents:
// German and English abbreviations ("z. B.", "Dr.", "e.g.") and German ordinal dates
// ("zum 31. März") do not end a sentence, and a lone line break is a space (PDF and plain
// text lines wrap mid-sentence) while a blank line always ends one. Thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace wissen {

// A sentence as byte offsets [begin, end) into the text, without surrounding white space.
struct SentenceSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Splits UTF-8 `text` into sentences in reading order. `language` ("de", "de-AT", "en" or
// "") picks the locale's rules: German for "de" and its regional forms, English otherwise.
// The white space between two sentences holds a paragraph break exactly when it holds two
// or more '\n'. Never fails: without ICU data each paragraph is one sentence.
std::vector<SentenceSpan> SplitSentences(std::string_view text, std::string_view language);

}  // namespace wissen

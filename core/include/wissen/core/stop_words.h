// Stop words: the one list of German and English words that carry no topic, in three nested
// tiers, each for one use.
// Words are given lower-case; umlauts may be written as such or folded ("können" and
// "koennen" both match, "weiß" and "weiss" too). Thread-safe.
#pragma once

#include <string_view>

namespace wissen {

// Articles, pronouns, prepositions, conjunctions and auxiliaries ("der", "und", "the", "of").
// The built-in embedder drops them; the list is part of its index format, so a change here
// changes every vector and needs a new embedder version.
bool IsFunctionWord(std::string_view lower_word);

// Function words, plus what makes a sentence a question rather than naming its topic:
// question words, modal verbs, quantifiers and filler ("wie viele", "darf", "bitte",
// "genau", "which", "tell", "need"). Matching them says nothing about whether a passage
// answers a question: the extractive answerer ignores them.
bool IsQuestionStopWord(std::string_view lower_word);

// Question stop words, plus words too general for their synonyms to help a search ("both",
// "before", "immer", "machen"). The thesaurus does not expand them. They still count when
// matching an answer: "both" in "if both set terminal and set output are used" matters.
bool IsTooGeneralToExpand(std::string_view lower_word);

}  // namespace wissen

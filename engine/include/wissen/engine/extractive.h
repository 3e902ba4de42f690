// The built-in extractive answerer: the default generator, and the fallback when a model
// server fails. It writes nothing of its own beyond a framing line; every sentence of an
// answer is quoted from a passage and cited as [n].
#pragma once

#include <memory>

#include "wissen/engine/generator.h"

namespace wissen::engine {

struct ExtractiveOptions {
  // The best sentence must reach this relevance, the IDF-weighted share of the question's
  // content words it contains (0..1, partial credit for compound parts and inflections),
  // or the answer says that nothing was found. Default: 0.2.
  double min_score = 0.2;
  // At most this many sentences in an answer. Default: 4.
  int max_sentences = 4;
  // Sentences beyond the first are added only while the quoted text stays within this
  // many bytes. The first sentence is always quoted whole. Default: 600.
  int max_chars = 600;
};

// Splits the passages into sentences, scores each against the question (term overlap with
// weights from the context's own sentences, the passage's title and headings, some credit
// for following a relevant sentence, a small bonus for retrieval rank, a penalty for fragments and
// run-on sentences), keeps the best (at most 2 a passage, no near-duplicates, and only those within
// half the best score) in passage-rank then text order, and renders them in the request's language:
// one sentence as a paragraph, several as a bullet list, each followed by [n]. Sentences are quoted
// as they are, with white space collapsed. With no relevant sentence, or no context, the answer
// says so plainly and no_answer is set. Name() is "extractive". Never fails. Thread-safe.
std::unique_ptr<Generator> MakeExtractiveGenerator(const ExtractiveOptions& options = {});

}  // namespace wissen::engine

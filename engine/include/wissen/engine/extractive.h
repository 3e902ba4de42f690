// The built-in extractive answerer: the default generator, and the fallback when a model
// server fails. It writes nothing of its own beyond a framing line; every sentence of an
// answer is quoted from a passage and cited as [n].
#pragma once

#include <memory>

#include "wissen/engine/generator.h"

namespace wissen::engine {

struct ExtractiveOptions {
  // The best window must cover at least this share of the question (IDF-weighted, IDF from
  // the index; partial credit for inflections, compound parts, synonyms and the heading
  // path), or the answer says that nothing was found. Calibrated on the three dev sets
  // (bench/results/answers.md). Default: 0.25.
  double min_score = 0.25;
  // At most this many sentences in a window (1 to 3). Default: 3.
  int max_sentences = 3;
  // A window of more than one sentence stays within this many bytes. Default: 600.
  int max_chars = 600;
  // A window shorter than this many bytes takes the sentences that follow it in its
  // passage, within max_sentences and max_chars. Default: 250.
  int min_chars = 250;
};

// Quotes the short window of one passage that answers the question best: one to three
// contiguous sentences, scored by how much of the question's rarer words they cover (see
// extractive.cpp), under the passage's heading path, cited as [n]. A second window from
// another passage follows only when it is an answer by itself and covers a question word the
// first does not (the other half of a two-part question).
// A window must match one of the question's rarer words itself; with none, or below
// min_score, the answer says plainly that nothing was found and no_answer is set.
// Sentences are quoted as they are, with white space collapsed, in the request's language.
// `confidence` is the best window's coverage. Name() is "extractive". Never fails.
// Thread-safe.
std::unique_ptr<Generator> MakeExtractiveGenerator(const ExtractiveOptions& options = {});

}  // namespace wissen::engine

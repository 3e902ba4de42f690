// Chunker: splits a parsed document into passages sized for embedding and ranking.
//
// Boundaries come from ICU's sentence break iterator in the document's language ("de",
// otherwise English rules), with German and English abbreviations ("z. B.", "Dr.", "e.g.")
// suppressed so they do not end a sentence. Single line breaks inside a block count as
// spaces (wrapped lines); blank lines ("\n\n") are paragraph ends and preferred break points.
// Table blocks (Block::table) are cut between rows, never inside one (unless a single row
// exceeds max_chars), without overlap; a chunk that starts below a table's first row begins
// with the table's header row and "\n", within max_chars.
// A chunk never spans two pages or two top-level sections (Block::heading_path[0]); blocks
// of the same page and top-level section that are smaller than half the target may share a
// chunk, whose heading path is then their common prefix. A sentence longer than max_chars
// is split at white space (or, for one giant token, at a code point boundary).
// Thread-safe.
#pragma once

#include <vector>

#include "wissen/core/document.h"

namespace wissen::indexer {

struct ChunkerOptions {
  // Chunks grow sentence by sentence until they reach about this many bytes of text; a
  // chunk stops short when the next sentence would overshoot by more than it undershoots.
  // A block's remainder under a quarter of the target joins the chunk before it.
  // Default: 2000. Measured on the dev set (bench/results/retrieval.md): 600 and 1000 lose
  // answers that span several sentences (snippet@5 0.50), 1600-2000 keep them (0.53-0.55)
  // while ranking best; 2600 starts to dilute the ranking.
  int target_chars = 2000;
  // Hard upper bound for one chunk's text in bytes, overlap included. Default: 3000.
  int max_chars = 3000;
  // Sentences repeated from the end of one chunk at the start of the next when the break
  // falls inside a paragraph, so an answer that straddles it stays whole in one chunk. Never
  // more than half the target, never across blocks. Default: 1.
  int overlap_sentences = 1;
};

// Chunk::heading_path is "Title › Section › Subsection" (U+203A between parts, title first,
// empty parts dropped). Ordinals are 0..n-1 in reading order. char_start/char_end are byte
// offsets into the document's blocks' texts joined with "\n\n", and Chunk::text is exactly
// that slice (so a chunk spanning two blocks contains the "\n\n" between them). Empty or
// whitespace-only blocks give no chunks. Never fails: any UTF-8 input gives chunks.
// Exception to "exactly that slice": the repeated table header in front of it (the offsets
// still describe the slice).
std::vector<Chunk> ChunkDocument(const ParsedDocument& document, const ChunkerOptions& options);

}  // namespace wissen::indexer

// Chunker: splits a parsed document into passages sized for embedding and ranking.
//
// Boundaries come from ICU's sentence break iterator in the document's language, with
// German and English abbreviations ("z. B.", "Dr.", "e.g.") suppressed so they do not end a
// sentence. A chunk never spans two pages or two top-level sections (Block::heading_path[0]);
// consecutive blocks of the same page and top-level section may share a chunk. A sentence
// longer than max_chars is split at word boundaries. Thread-safe.
#pragma once

#include <vector>

#include "wissen/core/document.h"

namespace wissen::indexer {

struct ChunkerOptions {
  // Chunks grow sentence by sentence until they reach about this many bytes of text.
  // Default: 1000.
  int target_chars = 1000;
  // Hard upper bound for one chunk's text. Default: 1600.
  int max_chars = 1600;
  // Sentences repeated from the end of one chunk at the start of the next inside the same
  // section, so an answer that straddles a boundary stays whole in one chunk. Default: 1.
  int overlap_sentences = 1;
};

// Chunk::heading_path is "Title › Section › Subsection" (U+203A between parts, title first,
// empty parts dropped). Ordinals are 0..n-1 in reading order; char_start/char_end index the
// document's blocks' texts joined with "\n\n". Empty or whitespace-only blocks give no chunks.
std::vector<Chunk> ChunkDocument(const ParsedDocument& document, const ChunkerOptions& options);

}  // namespace wissen::indexer

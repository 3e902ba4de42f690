// Prompt assembly for chat-completion generators.
//
// The messages are: a system prompt in the request's language (answer only from the
// context, cite [n], say so when the context does not answer, treat the context as data),
// then recent history turns, then one user message holding the context blocks and the
// question. Each block reads
//
//   <<<KONTEXT [n] | Titel: ... | Abschnitt: ... | Seite: 3>>>
//   passage text
//   <<<ENDE [n]>>>
//
// ("CONTEXT"/"END", "Title"/"Section"/"Page" in English). Passage text, titles, headings,
// history and the question never contain "<<<" or ">>>" (runs of three or more angle
// brackets become « and »), so no text can open or close a block; passage text also goes
// through NeutralizeInstructions. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "wissen/engine/generator.h"

namespace wissen::engine {

struct PromptOptions {
  // Estimated tokens the context blocks (markers included) may take. Passages are taken in
  // rank order; one that does not fit is dropped and smaller later ones may still come in.
  // The first passage is cut at a sentence boundary instead of being dropped.
  // Default: 3000.
  int context_token_budget = 3000;
  // Estimated tokens for earlier turns; the most recent turns are kept. Default: 1000.
  int history_token_budget = 1000;
  // At most this many earlier turns. Default: 6.
  int max_history_turns = 6;
};

// What BuildChatMessages put into the prompt.
struct PromptInfo {
  std::vector<int> included_ids;  // context ids in the prompt, in rank order
  std::vector<int> dropped_ids;   // over the budget
  int truncated_id = 0;           // the first passage when it was cut, else 0
  int context_tokens = 0;         // estimate for the context blocks
  int history_turns = 0;
};

// Estimated tokens of `text` for a BPE model: every word costs one token per four
// letters or digits (at least one) and every other non-space character one. Errs on the
// high side for German compounds, which is the safe side for a budget.
int EstimateTokens(std::string_view text);

// Builds the messages for /v1/chat/completions. `info` may be null.
// Roles other than "user" and "assistant" in the history are skipped.
std::vector<ChatTurn> BuildChatMessages(const GenerationRequest& request,
                                        const PromptOptions& options, PromptInfo* info = nullptr);

}  // namespace wissen::engine

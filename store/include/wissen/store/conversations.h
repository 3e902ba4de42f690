// Conversations: each user's questions and Wissen's answers, and feedback on answers.
//
// Every method takes the owning user's id and only ever touches that user's rows, so a
// conversation id guessed or leaked from another user finds nothing (kNotFound-as-value:
// empty optional / false). Deleting a conversation deletes its messages and their feedback.
// One instance owns one connection and is not thread-safe. Errors as for the Catalog.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::store {

struct ConversationSummary {
  std::string id;  // public id
  std::string title;
  int64_t created_unix = 0;
  int64_t updated_unix = 0;
  int messages = 0;
};

struct StoredMessage {
  std::string role;  // "user" or "assistant"
  std::string text;
  std::string answer_id;     // assistant messages only
  std::string details_json;  // citations, generator, flags (JSON object text)
  int64_t created_unix = 0;
};

class Conversations {
 public:
  static Result<std::unique_ptr<Conversations>> Connect(const std::string& connection_string);
  ~Conversations();

  // Creates a conversation with a random public id and returns that id.
  Result<std::string> Create(int user_id, const std::string& title);
  // Whether the user owns a conversation with this public id.
  Result<bool> Exists(int user_id, const std::string& conversation_id);
  // Appends one exchange (question and answer) in one transaction. Returns false when the
  // conversation is not the user's.
  Result<bool> AppendExchange(int user_id, const std::string& conversation_id,
                              const std::string& question, const std::string& answer,
                              const std::string& answer_id, const std::string& details_json);
  // The user's conversations, most recently updated first.
  Result<std::vector<ConversationSummary>> List(int user_id, int limit);
  // The messages in order, or nullopt when the conversation is not the user's.
  Result<std::optional<std::vector<StoredMessage>>> Messages(int user_id,
                                                             const std::string& conversation_id);
  // The last `turns` messages (oldest first) for a follow-up question's context.
  Result<std::vector<StoredMessage>> RecentMessages(int user_id, const std::string& conversation_id,
                                                    int turns);
  // Deletes the conversation, its messages and their feedback. false when not the user's.
  Result<bool> Delete(int user_id, const std::string& conversation_id);

  // Records (or replaces) the user's rating of one of their own answers. false when the
  // answer id is unknown or belongs to another user.
  Result<bool> SetFeedback(int user_id, const std::string& answer_id, const std::string& rating,
                           const std::string& comment);

 private:
  struct Impl;
  explicit Conversations(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

#include "wissen/store/conversations.h"

#include <pqxx/pqxx>

#include "pg_util.h"

namespace wissen::store {

struct Conversations::Impl {
  explicit Impl(const std::string& conninfo) : connection(conninfo) {}
  pqxx::connection connection;
};

namespace {

StoredMessage ReadMessage(const pqxx::row& row) {
  StoredMessage message;
  message.role = row["role"].as<std::string>();
  message.text = row["text"].as<std::string>();
  message.answer_id = row["answer_id"].is_null() ? "" : row["answer_id"].as<std::string>();
  message.details_json = row["details"].as<std::string>();
  message.created_unix = row["created_unix"].as<int64_t>();
  return message;
}

constexpr const char* kMessageColumns =
    "m.role, m.text, m.answer_id, m.details::text AS details, extract(epoch from "
    "m.created_at)::bigint AS created_unix";

// Public ids are 122 random bits from PostgreSQL's strong random source (gen_random_uuid is
// built in since PostgreSQL 13), so they cannot be enumerated.
constexpr const char* kNewPublicId = "replace(gen_random_uuid()::text, '-', '')";

}  // namespace

Conversations::Conversations(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Conversations::~Conversations() = default;

Result<std::unique_ptr<Conversations>> Conversations::Connect(
    const std::string& connection_string) {
  return Guard("connect to the database", [&]() -> Result<std::unique_ptr<Conversations>> {
    return std::unique_ptr<Conversations>(
        new Conversations(std::make_unique<Impl>(connection_string)));
  });
}

Result<std::string> Conversations::Create(int user_id, const std::string& title) {
  return Guard("create the conversation", [&]() -> Result<std::string> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(std::string("INSERT INTO conversations (public_id, user_id, title) "
                                           "VALUES (") +
                                   kNewPublicId + ", $1, $2) RETURNING public_id",
                               user_id, title);
    tx.commit();
    return rows[0][0].as<std::string>();
  });
}

Result<bool> Conversations::Exists(int user_id, const std::string& conversation_id) {
  return Guard("read the conversation", [&]() -> Result<bool> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params("SELECT 1 FROM conversations WHERE public_id = $1 AND user_id = $2",
                               conversation_id, user_id);
    return !rows.empty();
  });
}

Result<bool> Conversations::AppendExchange(int user_id, const std::string& conversation_id,
                                           const std::string& question, const std::string& answer,
                                           const std::string& answer_id,
                                           const std::string& details_json) {
  return Guard("store the answer", [&]() -> Result<bool> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "UPDATE conversations SET updated_at = now() WHERE public_id = $1 AND user_id = $2 "
        "RETURNING id",
        conversation_id, user_id);
    if (rows.empty()) return false;
    const int64_t id = rows[0][0].as<int64_t>();
    tx.exec_params("INSERT INTO messages (conversation_id, role, text) VALUES ($1, 'user', $2)", id,
                   question);
    tx.exec_params(
        "INSERT INTO messages (conversation_id, role, text, answer_id, details) VALUES ($1, "
        "'assistant', $2, $3, $4::jsonb)",
        id, answer, answer_id, details_json.empty() ? std::string("{}") : details_json);
    tx.commit();
    return true;
  });
}

Result<std::vector<ConversationSummary>> Conversations::List(int user_id, int limit) {
  return Guard("list the conversations", [&]() -> Result<std::vector<ConversationSummary>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<ConversationSummary> list;
    auto rows = tx.exec_params(
        "SELECT c.public_id, c.title, extract(epoch from c.created_at)::bigint, extract(epoch "
        "from c.updated_at)::bigint, (SELECT count(*) FROM messages m WHERE m.conversation_id "
        "= c.id) FROM conversations c WHERE c.user_id = $1 ORDER BY c.updated_at DESC, c.id "
        "DESC LIMIT $2",
        user_id, limit);
    for (const auto& row : rows) {
      ConversationSummary summary;
      summary.id = row[0].as<std::string>();
      summary.title = row[1].as<std::string>();
      summary.created_unix = row[2].as<int64_t>();
      summary.updated_unix = row[3].as<int64_t>();
      summary.messages = row[4].as<int>();
      list.push_back(std::move(summary));
    }
    return list;
  });
}

Result<std::optional<std::vector<StoredMessage>>> Conversations::Messages(
    int user_id, const std::string& conversation_id) {
  using Out = std::optional<std::vector<StoredMessage>>;
  return Guard("read the conversation", [&]() -> Result<Out> {
    pqxx::read_transaction tx(impl_->connection);
    auto owner =
        tx.exec_params("SELECT id FROM conversations WHERE public_id = $1 AND user_id = $2",
                       conversation_id, user_id);
    if (owner.empty()) return Out();
    std::vector<StoredMessage> messages;
    for (const auto& row :
         tx.exec_params(std::string("SELECT ") + kMessageColumns +
                            " FROM messages m WHERE m.conversation_id = $1 ORDER BY m.id",
                        owner[0][0].as<int64_t>())) {
      messages.push_back(ReadMessage(row));
    }
    return Out(std::move(messages));
  });
}

Result<std::vector<StoredMessage>> Conversations::RecentMessages(int user_id,
                                                                 const std::string& conversation_id,
                                                                 int turns) {
  return Guard("read the conversation", [&]() -> Result<std::vector<StoredMessage>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<StoredMessage> messages;
    auto rows = tx.exec_params(
        std::string("SELECT * FROM (SELECT ") + kMessageColumns +
            ", m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE "
            "c.public_id = $1 AND c.user_id = $2 ORDER BY m.id DESC LIMIT $3) recent ORDER BY id",
        conversation_id, user_id, turns);
    for (const auto& row : rows) messages.push_back(ReadMessage(row));
    return messages;
  });
}

Result<bool> Conversations::Delete(int user_id, const std::string& conversation_id) {
  return Guard("delete the conversation", [&]() -> Result<bool> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params("DELETE FROM conversations WHERE public_id = $1 AND user_id = $2",
                                 conversation_id, user_id);
    tx.commit();
    return result.affected_rows() > 0;
  });
}

Result<bool> Conversations::SetFeedback(int user_id, const std::string& answer_id,
                                        const std::string& rating, const std::string& comment) {
  return Guard("store the feedback", [&]() -> Result<bool> {
    pqxx::work tx(impl_->connection);
    auto owner = tx.exec_params(
        "SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE "
        "m.answer_id = $1 AND c.user_id = $2",
        answer_id, user_id);
    if (owner.empty()) return false;
    tx.exec_params(
        "INSERT INTO feedback (answer_id, user_id, rating, comment) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (answer_id, user_id) DO UPDATE SET rating = EXCLUDED.rating, comment = "
        "EXCLUDED.comment, created_at = now()",
        answer_id, user_id, rating, comment);
    tx.commit();
    return true;
  });
}

}  // namespace wissen::store

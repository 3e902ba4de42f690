#include "wissen/store/accounts.h"

#include <pqxx/pqxx>

#include "pg_util.h"

namespace wissen::store {

namespace {

constexpr const char* kUserColumns =
    "id, name, array_to_string(roles, ',') AS roles, coalesce(password_hash, '') AS "
    "password_hash, disabled_at IS NOT NULL AS disabled, extract(epoch from "
    "created_at)::bigint AS created_unix";

UserRecord ReadUser(const pqxx::row& row) {
  UserRecord user;
  user.id = row["id"].as<int>();
  user.name = row["name"].as<std::string>();
  user.roles = ParseRoleList(row["roles"].as<std::string>());
  user.password_hash = row["password_hash"].as<std::string>();
  user.disabled = row["disabled"].as<bool>();
  user.created_unix = row["created_unix"].as<int64_t>();
  return user;
}

constexpr const char* kKeyColumns =
    "k.id, k.user_id, u.name AS user_name, k.name, k.prefix, extract(epoch from "
    "k.created_at)::bigint AS created_unix, coalesce(extract(epoch from "
    "k.last_used_at)::bigint, 0) AS last_used_unix, k.revoked_at IS NOT NULL AS revoked, "
    "array_to_string(u.roles, ',') AS user_roles, u.disabled_at IS NOT NULL AS user_disabled";

ApiKeyRecord ReadKey(const pqxx::row& row) {
  ApiKeyRecord key;
  key.id = row["id"].as<int>();
  key.user_id = row["user_id"].as<int>();
  key.user_name = row["user_name"].as<std::string>();
  key.name = row["name"].as<std::string>();
  key.prefix = row["prefix"].as<std::string>();
  key.created_unix = row["created_unix"].as<int64_t>();
  key.last_used_unix = row["last_used_unix"].as<int64_t>();
  key.revoked = row["revoked"].as<bool>();
  key.user_roles = ParseRoleList(row["user_roles"].as<std::string>());
  key.user_disabled = row["user_disabled"].as<bool>();
  return key;
}

constexpr const char* kUseKey = "api_key_use";
constexpr const char* kTouchKey = "api_key_touch";

}  // namespace

struct Accounts::Impl {
  explicit Impl(const std::string& conninfo) : connection(conninfo) {
    // Every API request checks its key: prepared once per connection, so PostgreSQL does not
    // parse and plan the join on each request.
    connection.prepare(kUseKey, std::string("SELECT ") + kKeyColumns +
                                    ", coalesce(k.last_used_at < now() - interval '1 minute', "
                                    "true) AS stale FROM api_keys k JOIN users u ON u.id = "
                                    "k.user_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL");
    connection.prepare(kTouchKey, "UPDATE api_keys SET last_used_at = now() WHERE id = $1");
  }
  pqxx::connection connection;
};

namespace {

// Role names are validated before they reach the store, so the comma-joined form is safe to
// hand to string_to_array.
std::string RoleText(const RoleSet& roles) { return roles.Key(); }

}  // namespace

Accounts::Accounts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Accounts::~Accounts() = default;

Result<std::unique_ptr<Accounts>> Accounts::Connect(const std::string& connection_string) {
  return Guard("connect to the database", [&]() -> Result<std::unique_ptr<Accounts>> {
    return std::unique_ptr<Accounts>(new Accounts(std::make_unique<Impl>(connection_string)));
  });
}

Result<int> Accounts::AddUser(const std::string& name, const RoleSet& roles,
                              const std::string& password_hash) {
  return Guard("add the user", [&]() -> Result<int> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "INSERT INTO users (name, roles, password_hash) VALUES ($1, "
        "coalesce(string_to_array(NULLIF($2, ''), ','), '{}'), NULLIF($3, '')) "
        "ON CONFLICT (name) DO NOTHING "
        "RETURNING id",
        name, RoleText(roles), password_hash);
    if (rows.empty()) return Fail(ErrorCode::kConflict, "a user named " + name + " exists");
    tx.commit();
    return rows[0][0].as<int>();
  });
}

Result<std::optional<UserRecord>> Accounts::FindUser(const std::string& name) {
  return Guard("read the user", [&]() -> Result<std::optional<UserRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows =
        tx.exec_params(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = $1", name);
    if (rows.empty()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(ReadUser(rows[0]));
  });
}

Result<std::optional<UserRecord>> Accounts::GetUser(int user_id) {
  return Guard("read the user", [&]() -> Result<std::optional<UserRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1",
                               user_id);
    if (rows.empty()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(ReadUser(rows[0]));
  });
}

Result<std::vector<UserRecord>> Accounts::ListUsers() {
  return Guard("list the users", [&]() -> Result<std::vector<UserRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<UserRecord> users;
    for (const auto& row :
         tx.exec(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name")) {
      users.push_back(ReadUser(row));
    }
    return users;
  });
}

Result<void> Accounts::SetRoles(const std::string& name, const RoleSet& roles) {
  return Guard("set the user's roles", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params(
        "UPDATE users SET roles = coalesce(string_to_array(NULLIF($2, ''), ','), '{}'), "
        "updated_at = now() WHERE name = $1",
        name, RoleText(roles));
    if (result.affected_rows() == 0) return Fail(ErrorCode::kNotFound, "no user named " + name);
    tx.commit();
    return {};
  });
}

Result<void> Accounts::SetPassword(const std::string& name, const std::string& password_hash) {
  return Guard("set the user's password", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params(
        "UPDATE users SET password_hash = NULLIF($2, ''), updated_at = now() WHERE name = $1", name,
        password_hash);
    if (result.affected_rows() == 0) return Fail(ErrorCode::kNotFound, "no user named " + name);
    // A new password ends the sessions opened with the old one.
    tx.exec_params("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
                   name);
    tx.commit();
    return {};
  });
}

Result<void> Accounts::SetDisabled(const std::string& name, bool disabled) {
  return Guard("disable the user", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END, "
        "updated_at = now() WHERE name = $1",
        name, disabled);
    if (result.affected_rows() == 0) return Fail(ErrorCode::kNotFound, "no user named " + name);
    if (disabled) {
      tx.exec_params("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
                     name);
    }
    tx.commit();
    return {};
  });
}

Result<void> Accounts::CreateSession(const std::string& token_hash, int user_id,
                                     const std::string& csrf_token, int64_t expires_unix) {
  return Guard("create the session", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, "
        "to_timestamp($4))",
        token_hash, user_id, csrf_token, expires_unix);
    tx.commit();
    return {};
  });
}

Result<std::optional<SessionRecord>> Accounts::FindSession(const std::string& token_hash) {
  return Guard("read the session", [&]() -> Result<std::optional<SessionRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        "SELECT user_id, csrf_token, extract(epoch from expires_at)::bigint FROM sessions "
        "WHERE token_hash = $1 AND expires_at > now()",
        token_hash);
    if (rows.empty()) return std::optional<SessionRecord>();
    SessionRecord session;
    session.user_id = rows[0][0].as<int>();
    session.csrf_token = rows[0][1].as<std::string>();
    session.expires_unix = rows[0][2].as<int64_t>();
    return std::optional<SessionRecord>(session);
  });
}

Result<void> Accounts::DeleteSession(const std::string& token_hash) {
  return Guard("end the session", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params("DELETE FROM sessions WHERE token_hash = $1", token_hash);
    tx.commit();
    return {};
  });
}

Result<int64_t> Accounts::PruneSessions() {
  return Guard("prune sessions", [&]() -> Result<int64_t> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec("DELETE FROM sessions WHERE expires_at <= now()");
    tx.commit();
    return static_cast<int64_t>(result.affected_rows());
  });
}

Result<int> Accounts::CreateApiKey(int user_id, const std::string& name,
                                   const std::string& key_hash, const std::string& prefix) {
  return Guard("create the API key", [&]() -> Result<int> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "INSERT INTO api_keys (user_id, name, key_hash, prefix) VALUES ($1, $2, $3, $4) "
        "RETURNING id",
        user_id, name, key_hash, prefix);
    tx.commit();
    return rows[0][0].as<int>();
  });
}

Result<std::optional<ApiKeyRecord>> Accounts::UseApiKey(const std::string& key_hash) {
  return Guard("check the API key", [&]() -> Result<std::optional<ApiKeyRecord>> {
    // Every API request starts here: single autocommit statements, no BEGIN/COMMIT trips.
    pqxx::nontransaction tx(impl_->connection);
    auto rows = tx.exec_prepared(kUseKey, key_hash);
    if (rows.empty()) return std::optional<ApiKeyRecord>();
    ApiKeyRecord key = ReadKey(rows[0]);
    // A busy service would otherwise write on every request: record the use once a minute.
    if (rows[0]["stale"].as<bool>()) tx.exec_prepared(kTouchKey, key.id);
    return std::optional<ApiKeyRecord>(key);
  });
}

Result<std::vector<ApiKeyRecord>> Accounts::ListApiKeys(
    const std::optional<std::string>& user_name) {
  return Guard("list the API keys", [&]() -> Result<std::vector<ApiKeyRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<ApiKeyRecord> keys;
    const std::string sql = std::string("SELECT ") + kKeyColumns +
                            " FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ($1 = '' "
                            "OR u.name = $1) ORDER BY k.id";
    for (const auto& row : tx.exec_params(sql, user_name.value_or(""))) {
      keys.push_back(ReadKey(row));
    }
    return keys;
  });
}

Result<void> Accounts::RevokeApiKey(int key_id) {
  return Guard("revoke the API key", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", key_id);
    if (result.affected_rows() == 0) {
      return Fail(ErrorCode::kNotFound, "no API key with id " + std::to_string(key_id));
    }
    tx.commit();
    return {};
  });
}

Result<LoginFailureCounts> Accounts::CountLoginFailures(const std::string& user_name,
                                                        const std::string& client,
                                                        int window_seconds) {
  return Guard("count failed logins", [&]() -> Result<LoginFailureCounts> {
    pqxx::work tx(impl_->connection);
    const pqxx::result result = tx.exec_params(
        "WITH recent AS (SELECT user_name, client, failures, last_failed FROM login_failures "
        "  WHERE last_failed > now() - make_interval(secs => $3) "
        "    AND (user_name = $1 OR client = $2)) "
        "SELECT "
        "  coalesce(sum(failures) FILTER (WHERE user_name = $1 AND client = $2), 0), "
        "  coalesce(floor(extract(epoch FROM now() - max(last_failed) "
        "    FILTER (WHERE user_name = $1 AND client = $2)))::bigint, $3), "
        "  coalesce(sum(failures) FILTER (WHERE user_name = $1), 0), "
        "  coalesce(sum(failures) FILTER (WHERE client = $2), 0), "
        "  coalesce(floor(extract(epoch FROM now() - max(last_failed) "
        "    FILTER (WHERE client = $2)))::bigint, $3) "
        "FROM recent",
        user_name, client, window_seconds);
    tx.commit();
    const pqxx::row row = result[0];
    LoginFailureCounts counts;
    counts.pair = row[0].as<int>();
    counts.pair_seconds_ago = row[1].as<int64_t>();
    counts.user = row[2].as<int>();
    counts.client = row[3].as<int>();
    counts.client_seconds_ago = row[4].as<int64_t>();
    return counts;
  });
}

Result<void> Accounts::RecordLoginFailure(const std::string& user_name, const std::string& client,
                                          int window_seconds) {
  return Guard("record a failed login", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "INSERT INTO login_failures (user_name, client, failures, last_failed) "
        "VALUES ($1, $2, 1, now()) "
        "ON CONFLICT (user_name, client) DO UPDATE SET "
        "  failures = CASE WHEN login_failures.last_failed > now() - make_interval(secs => $3) "
        "                  THEN login_failures.failures + 1 ELSE 1 END, "
        "  last_failed = now()",
        user_name, client, window_seconds);
    // Keep the table small: pairs that failed long ago count for nothing.
    tx.exec_params(
        "DELETE FROM login_failures WHERE last_failed < now() - make_interval(secs => $1 * 4)",
        window_seconds);
    tx.commit();
    return {};
  });
}

Result<void> Accounts::ClearLoginFailures(const std::string& user_name, const std::string& client) {
  return Guard("clear failed logins", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params("DELETE FROM login_failures WHERE user_name = $1 AND client = $2", user_name,
                   client);
    tx.commit();
    return {};
  });
}

}  // namespace wissen::store

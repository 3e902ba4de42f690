// Accounts: users with their roles, browser sessions and API keys, in PostgreSQL.
//
// The store only keeps what the server hands it: argon2id password strings and hex SHA-256
// hashes of session tokens and API keys; it never sees a password or a key. One Accounts
// owns one database connection and is not thread-safe; give each thread its own. Errors are
// mapped like the Catalog's (kUnavailable when the database is unreachable, kInternal
// otherwise; messages hold no SQL).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wissen/core/acl.h"
#include "wissen/core/result.h"

namespace wissen::store {

struct UserRecord {
  int id = 0;
  std::string name;
  RoleSet roles;              // as stored; `everyone` is implied, not stored
  std::string password_hash;  // argon2id string; empty: no password login
  bool disabled = false;
  int64_t created_unix = 0;
};

struct SessionRecord {
  int user_id = 0;
  std::string csrf_token;
  int64_t expires_unix = 0;
};

struct ApiKeyRecord {
  int id = 0;
  int user_id = 0;
  std::string user_name;
  std::string name;
  std::string prefix;
  int64_t created_unix = 0;
  int64_t last_used_unix = 0;  // 0: never used
  bool revoked = false;
  // The owner as of this lookup, so a request needs one query to know who it is.
  RoleSet user_roles;
  bool user_disabled = false;
};

// Failed logins within a window, as the lockout policy needs them (see server/src/auth).
// Ages are measured by the database's clock, so replicas with skewed clocks agree.
struct LoginFailureCounts {
  int pair = 0;                    // this user name from this client
  int64_t pair_seconds_ago = 0;    // since the newest of those (whole seconds, rounded down)
  int user = 0;                    // this user name from any client
  int client = 0;                  // any user name from this client
  int64_t client_seconds_ago = 0;  // since the newest of those
};

class Accounts {
 public:
  // Errors: kUnavailable with libpq's reason.
  static Result<std::unique_ptr<Accounts>> Connect(const std::string& connection_string);
  ~Accounts();

  // --- users ---
  // Errors: kConflict when the name is taken.
  Result<int> AddUser(const std::string& name, const RoleSet& roles,
                      const std::string& password_hash);
  Result<std::optional<UserRecord>> FindUser(const std::string& name);
  Result<std::optional<UserRecord>> GetUser(int user_id);
  Result<std::vector<UserRecord>> ListUsers();
  // Errors: kNotFound for an unknown name.
  Result<void> SetRoles(const std::string& name, const RoleSet& roles);
  Result<void> SetPassword(const std::string& name, const std::string& password_hash);
  // Disabling also ends the user's sessions at once; their API keys stop working while
  // disabled. Errors: kNotFound.
  Result<void> SetDisabled(const std::string& name, bool disabled);

  // --- browser sessions ---
  Result<void> CreateSession(const std::string& token_hash, int user_id,
                             const std::string& csrf_token, int64_t expires_unix);
  // The session when it exists and has not expired.
  Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash);
  Result<void> DeleteSession(const std::string& token_hash);
  // Deletes expired sessions; returns how many.
  Result<int64_t> PruneSessions();

  // --- API keys ---
  Result<int> CreateApiKey(int user_id, const std::string& name, const std::string& key_hash,
                           const std::string& prefix);
  // The key's record when it exists and is not revoked; records the use (at most once a
  // minute, so a busy service does not write on every request).
  Result<std::optional<ApiKeyRecord>> UseApiKey(const std::string& key_hash);
  // All keys, or those of one user when `user_name` is set.
  Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::optional<std::string>& user_name);
  // Errors: kNotFound for an unknown id.
  Result<void> RevokeApiKey(int key_id);

  // Failed logins of the last `window_seconds` for the pair and for each side of it.
  Result<LoginFailureCounts> CountLoginFailures(const std::string& user_name,
                                                const std::string& client, int window_seconds);
  // One more failure for the pair; a count older than the window starts again at one.
  Result<void> RecordLoginFailure(const std::string& user_name, const std::string& client,
                                  int window_seconds);
  // A successful login forgets the pair's failures (not those of other clients).
  Result<void> ClearLoginFailures(const std::string& user_name, const std::string& client);

 private:
  struct Impl;
  explicit Accounts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

// Authentication: who sent a request, and with which roles.
//
// Three ways in, checked in this order:
// - trusted-header SSO (when enabled) from a configured proxy address only: the user and
//   groups come from headers, groups map to roles by config; a first request creates the
//   user (without password) so conversations have an owner;
// - `Authorization: Bearer <key>` API keys (services, the OpenAI facade);
// - the browser session cookie (after POST /api/v1/login), with a CSRF token required on
//   state-changing requests.
// Passwords, session tokens and API keys: see wissen/app/credentials.h. A disabled user is refused
// however they authenticate. Thread-safe; the store handle passed in belongs to the calling thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "auth/login_policy.h"
#include "auth/rate_limiter.h"
#include "http/http_types.h"
#include "wissen/app/config.h"
#include "wissen/app/credentials.h"
#include "wissen/core/acl.h"
#include "wissen/core/cidr.h"
#include "wissen/core/result.h"
#include "wissen/store/accounts.h"

namespace wissen::server {

inline constexpr std::string_view kSessionCookie = "wissen_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

// The client's address: the TCP peer, or, when the peer is one of `trusted_proxies`, the
// rightmost address in X-Forwarded-For that is not itself a trusted proxy. A header from
// any other peer is ignored: anyone can send one.
std::string ClientAddress(const Request& request, const std::vector<CidrRange>& trusted_proxies);

// Compares secrets (tokens, keys) in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

struct Identity {
  enum class Via { kSession, kApiKey, kSso };
  int user_id = 0;
  std::string name;
  Principal principal;  // the user's roles plus everyone
  bool admin = false;
  Via via = Via::kSession;
  std::string csrf_token;    // sessions and SSO
  std::string session_hash;  // sessions only
};

struct LoginResult {
  Identity identity;
  std::string session_token;  // the cookie value
};

class Authenticator {
 public:
  Authenticator(const app::AuthConfig& config, Clock clock);

  // The request's identity; nullopt when it carries no credentials at all. Errors:
  // kUnauthenticated for a wrong, expired or revoked credential or a disabled user (the
  // message says which, without revealing whether a user name exists); kUnavailable when
  // the database is down.
  Result<std::optional<Identity>> Identify(const Request& request, store::Accounts& accounts);

  // Checks name (normalized: app::NormalizeUserName) and password and opens a session.
  // `remote_address` is the client's (ClientAddress). Errors: kUnauthenticated ("wrong user
  // name or password" whichever was wrong), kResourceExhausted with the seconds to wait in
  // *retry_after while LoginPolicy holds this client back; kUnavailable without database.
  Result<LoginResult> Login(const std::string& name, const std::string& password,
                            const std::string& remote_address, store::Accounts& accounts,
                            int* retry_after);
  Result<void> Logout(const Identity& identity, store::Accounts& accounts);

  // Whether a state-changing request may proceed: always for API keys; for sessions and
  // SSO the X-CSRF-Token header must equal the identity's token (GET /api/v1/me tells it).
  bool CsrfOk(const Request& request, const Identity& identity) const;

  // Set-Cookie values that open and clear the session cookie.
  std::string SessionCookie(const std::string& token) const;
  std::string ClearedSessionCookie() const;

 private:
  Result<std::optional<Identity>> IdentifySso(const Request& request, store::Accounts& accounts);
  Identity FromUser(const store::UserRecord& user, Identity::Via via) const;
  // An SSO user's CSRF token: HMAC of the name under a key made at startup (a restart
  // makes the chat fetch a new one from /api/v1/me).
  std::string SsoCsrfToken(const std::string& user_name) const;

  const app::AuthConfig& config_;
  Clock clock_;
  std::vector<CidrRange> trusted_proxies_;
  std::array<unsigned char, 32> sso_csrf_key_{};
  LoginPolicy policy_;
};

}  // namespace wissen::server

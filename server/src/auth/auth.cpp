#include "auth/auth.h"

#include <sodium.h>

#include <mutex>

#include "wissen/app/credentials.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::server {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string ClientAddress(const Request& request, const std::vector<CidrRange>& trusted_proxies) {
  const std::string& forwarded = request.Header("x-forwarded-for");
  if (forwarded.empty() || !AnyContains(trusted_proxies, request.remote_address)) {
    return request.remote_address;
  }
  std::string_view rest = forwarded;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view hop =
        TrimAscii(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (hop.empty() || hop.size() > 45) break;  // not an address: stop at what we trust
    if (!AnyContains(trusted_proxies, hop)) return std::string(hop);
  }
  return request.remote_address;
}

namespace {

// A hash to verify against when the user does not exist, so a login for an unknown name
// takes as long as one with a wrong password and does not reveal which names exist.
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto hashed = app::HashPassword(app::RandomHex(16));
    return hashed ? *hashed : std::string();
  }();
  return hash;
}

std::vector<std::string> SplitGroups(std::string_view text) {
  std::vector<std::string> groups;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view group = text.substr(start, end - start);
    while (!group.empty() && group.front() == ' ') group.remove_prefix(1);
    while (!group.empty() && group.back() == ' ') group.remove_suffix(1);
    if (!group.empty()) groups.emplace_back(group);
    start = end + 1;
  }
  return groups;
}

}  // namespace

Authenticator::Authenticator(const app::AuthConfig& config, Clock clock)
    : config_(config),
      clock_(clock),
      policy_{.account_failures = config.login_attempts_per_user,
              .client_failures = config.login_attempts_per_ip} {
  ParseCidrs(config.sso.trusted_proxies, &trusted_proxies_);  // validated with the config
  app::EnsureSodium();
  randombytes_buf(sso_csrf_key_.data(), sso_csrf_key_.size());
}

std::string Authenticator::SsoCsrfToken(const std::string& user_name) const {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(user_name.data()),
                         user_name.size(), sso_csrf_key_.data());
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  hex.pop_back();
  return hex;
}

Identity Authenticator::FromUser(const store::UserRecord& user, Identity::Via via) const {
  Identity identity;
  identity.user_id = user.id;
  identity.name = user.name;
  identity.principal = Principal(user.name, user.roles.roles());
  identity.admin = user.roles.Contains(config_.admin_role);
  identity.via = via;
  return identity;
}

Result<std::optional<Identity>> Authenticator::IdentifySso(const Request& request,
                                                           store::Accounts& accounts) {
  const std::string& header_name = request.Header(LowerAscii(config_.sso.user_header));
  if (header_name.empty()) return std::optional<Identity>();
  if (!AnyContains(trusted_proxies_, request.remote_address)) {
    // Anyone can send the header; only the proxy's word counts.
    log::Warn("auth.sso_header_untrusted", {{"remote", request.remote_address}});
    return Fail(ErrorCode::kUnauthenticated, "single sign-on headers from an untrusted address");
  }
  auto valid_name = app::NormalizeUserName(header_name);
  if (!valid_name) {
    log::Warn("auth.sso_user_invalid", {{"remote", request.remote_address}});
    return Fail(ErrorCode::kUnauthenticated,
                "the single sign-on user name is not valid: " + valid_name.error().message);
  }
  const std::string& user_name = *valid_name;
  auto user = accounts.FindUser(user_name);
  if (!user) return Fail(user.error());
  if (!*user) {
    auto added = accounts.AddUser(user_name, RoleSet(), "");
    if (!added && added.error().code != ErrorCode::kConflict) return Fail(added.error());
    user = accounts.FindUser(user_name);
    if (!user) return Fail(user.error());
    if (!*user) return Fail(ErrorCode::kInternal, "the single sign-on user could not be stored");
  }
  if ((*user)->disabled) return Fail(ErrorCode::kUnauthenticated, "this account is disabled");
  std::vector<std::string> roles = (*user)->roles.roles();
  for (const auto& group : SplitGroups(request.Header(LowerAscii(config_.sso.groups_header)))) {
    for (const auto& [name, mapped] : config_.sso.group_roles) {
      if (name == group) roles.insert(roles.end(), mapped.begin(), mapped.end());
    }
  }
  store::UserRecord with_groups = **user;
  with_groups.roles = RoleSet(std::move(roles));
  Identity identity = FromUser(with_groups, Identity::Via::kSso);
  identity.csrf_token = SsoCsrfToken(identity.name);
  return std::optional<Identity>(std::move(identity));
}

Result<std::optional<Identity>> Authenticator::Identify(const Request& request,
                                                        store::Accounts& accounts) {
  if (config_.sso.enabled) {
    auto sso = IdentifySso(request, accounts);
    if (!sso || *sso) return sso;
  }
  const std::string& authorization = request.Header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return Fail(ErrorCode::kUnauthenticated, "expected Authorization: Bearer <API key>");
    }
    auto key = accounts.UseApiKey(Sha256Hex(authorization.substr(kBearer.size())));
    if (!key) return Fail(key.error());
    if (!*key) return Fail(ErrorCode::kUnauthenticated, "the API key is unknown or revoked");
    if ((*key)->user_disabled) {
      return Fail(ErrorCode::kUnauthenticated, "this account is disabled");
    }
    store::UserRecord user;
    user.id = (*key)->user_id;
    user.name = (*key)->user_name;
    user.roles = (*key)->user_roles;
    return std::optional<Identity>(FromUser(user, Identity::Via::kApiKey));
  }
  const std::string token = request.Cookie(kSessionCookie);
  if (token.empty()) return std::optional<Identity>();
  const std::string token_hash = Sha256Hex(token);
  auto session = accounts.FindSession(token_hash);
  if (!session) return Fail(session.error());
  if (!*session) {
    return Fail(ErrorCode::kUnauthenticated, "the session has expired; please log in again");
  }
  auto user = accounts.GetUser((*session)->user_id);
  if (!user) return Fail(user.error());
  if (!*user || (*user)->disabled) {
    return Fail(ErrorCode::kUnauthenticated, "this account is disabled");
  }
  Identity identity = FromUser(**user, Identity::Via::kSession);
  identity.csrf_token = (*session)->csrf_token;
  identity.session_hash = token_hash;
  return std::optional<Identity>(std::move(identity));
}

Result<LoginResult> Authenticator::Login(const std::string& name, const std::string& password,
                                         const std::string& remote_address,
                                         store::Accounts& accounts, int* retry_after) {
  auto failures = accounts.CountLoginFailures(name, remote_address, policy_.window_seconds);
  if (!failures) return Fail(failures.error());
  *retry_after = LoginWaitSeconds(*failures, policy_);
  if (*retry_after > 0) {
    return Fail(ErrorCode::kResourceExhausted, "too many failed logins; try again later");
  }
  auto user = accounts.FindUser(name);
  if (!user) return Fail(user.error());
  const bool known = user->has_value() && !(*user)->password_hash.empty();
  const bool verified = app::VerifyPassword(known ? (*user)->password_hash : DummyHash(), password);
  if (!known || !verified || (*user)->disabled) {
    if (auto recorded = accounts.RecordLoginFailure(name, remote_address, policy_.window_seconds);
        !recorded) {
      return Fail(recorded.error());
    }
    log::Info("auth.login_failed", {{"remote", remote_address}});
    return Fail(ErrorCode::kUnauthenticated, "wrong user name or password");
  }
  if (auto cleared = accounts.ClearLoginFailures(name, remote_address); !cleared) {
    return Fail(cleared.error());
  }
  LoginResult result;
  result.session_token = app::RandomHex(32);
  result.identity = FromUser(**user, Identity::Via::kSession);
  result.identity.csrf_token = app::RandomHex(24);
  result.identity.session_hash = Sha256Hex(result.session_token);
  const int64_t expires =
      std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count() +
      int64_t{config_.session_ttl_minutes} * 60;
  auto created = accounts.CreateSession(result.identity.session_hash, (*user)->id,
                                        result.identity.csrf_token, expires);
  if (!created) return Fail(created.error());
  return result;
}

Result<void> Authenticator::Logout(const Identity& identity, store::Accounts& accounts) {
  if (identity.via != Identity::Via::kSession) return {};
  return accounts.DeleteSession(identity.session_hash);
}

bool Authenticator::CsrfOk(const Request& request, const Identity& identity) const {
  // A browser sends the proxy's SSO cookie with a cross-site form just as it sends Wissen's
  // session cookie: both need the token. API keys are never sent by a browser on its own.
  if (identity.via == Identity::Via::kApiKey) return true;
  return !identity.csrf_token.empty() &&
         ConstantTimeEquals(request.Header(std::string(kCsrfHeader)), identity.csrf_token);
}

std::string Authenticator::SessionCookie(const std::string& token) const {
  std::string cookie = std::string(kSessionCookie) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(int64_t{config_.session_ttl_minutes} * 60);
  if (config_.secure_cookies) cookie += "; Secure";
  return cookie;
}

std::string Authenticator::ClearedSessionCookie() const {
  std::string cookie =
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (config_.secure_cookies) cookie += "; Secure";
  return cookie;
}

}  // namespace wissen::server

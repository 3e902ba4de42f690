// Parses [server] and [auth] (with [auth.sso]).
#include <string>

#include "config_reader.h"
#include "wissen/core/acl.h"
#include "wissen/core/cidr.h"

namespace wissen::app::internal {
namespace fs = std::filesystem;

namespace {

void CheckCidrs(Reader& r, const std::string& key, const std::vector<std::string>& texts) {
  std::vector<CidrRange> ranges;
  if (auto bad = ParseCidrs(texts, &ranges)) {
    r.Problem(key, "\"" + *bad + "\" is not an address range (expected e.g. 10.0.0.0/8)");
  }
}

void CheckRoles(Reader& r, const std::string& key, const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    if (!IsValidRoleName(role)) {
      r.Problem(key, "\"" + role + "\" is not a role name (expected 1-64 of a-z 0-9 _ . -)");
    }
  }
}

void ReadSso(Reader& r, const toml::table& table, SsoConfig* sso) {
  const std::string where = "auth.sso";
  r.OnlyKeys(table, where,
             {"enabled", "user_header", "groups_header", "trusted_proxies", "group_roles"});
  r.Bool(table, where, "enabled", &sso->enabled);
  r.String(table, where, "user_header", &sso->user_header);
  r.String(table, where, "groups_header", &sso->groups_header);
  r.StringList(table, where, "trusted_proxies", &sso->trusted_proxies);
  CheckCidrs(r, where + ".trusted_proxies", sso->trusted_proxies);
  if (sso->enabled && sso->trusted_proxies.empty()) {
    r.Problem(where + ".trusted_proxies",
              "list the address of the proxy that authenticates users (e.g. [\"127.0.0.1/32\"]); "
              "no address is trusted by default");
  }
  if (sso->enabled && sso->user_header.empty()) {
    r.Problem(where + ".user_header", "expected the header carrying the user name");
  }
  if (const toml::node* node = table.get("group_roles")) {
    const toml::table* groups = node->as_table();
    if (groups == nullptr) {
      r.Problem(where + ".group_roles", "expected a table of group = [roles]");
      return;
    }
    for (const auto& [group, roles_node] : *groups) {
      std::vector<std::string> roles;
      r.StringList(*groups, where + ".group_roles", std::string(group.str()).c_str(), &roles);
      CheckRoles(r, where + ".group_roles." + std::string(group.str()), roles);
      sso->group_roles.emplace_back(std::string(group.str()), std::move(roles));
    }
  }
}

}  // namespace

void ReadServer(Reader& r, const toml::table& root, const fs::path& base, Config* config) {
  if (const toml::table* server = r.Table(root, "server")) {
    const std::string where = "server";
    r.OnlyKeys(
        *server, where,
        {"listen", "workers", "queue_size", "max_body_bytes", "index_poll_seconds", "web_dir",
         "allow_cidrs", "metrics_allow_cidrs", "metrics_token", "trusted_proxies"});
    auto& s = config->server;
    r.String(*server, where, "listen", &s.listen);
    const size_t colon = s.listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.listen.size()) {
      r.Problem("server.listen", "expected host:port, e.g. \"127.0.0.1:8080\"");
    }
    r.Integer(*server, where, "workers", &s.workers, 1, 256);
    r.Integer(*server, where, "queue_size", &s.queue_size, 1, 100000);
    r.Integer(*server, where, "max_body_bytes", &s.max_body_bytes, 1024, int64_t{1} << 30);
    r.Integer(*server, where, "index_poll_seconds", &s.index_poll_seconds, 1, 3600);
    std::string web_dir;
    r.String(*server, where, "web_dir", &web_dir);
    if (!web_dir.empty()) s.web_dir = Resolve(base, web_dir);
    r.StringList(*server, where, "allow_cidrs", &s.allow_cidrs);
    CheckCidrs(r, "server.allow_cidrs", s.allow_cidrs);
    r.StringList(*server, where, "metrics_allow_cidrs", &s.metrics_allow_cidrs);
    CheckCidrs(r, "server.metrics_allow_cidrs", s.metrics_allow_cidrs);
    r.String(*server, where, "metrics_token", &s.metrics_token);
    r.StringList(*server, where, "trusted_proxies", &s.trusted_proxies);
    CheckCidrs(r, "server.trusted_proxies", s.trusted_proxies);
  }

  if (const toml::table* auth = r.Table(root, "auth")) {
    const std::string where = "auth";
    r.OnlyKeys(*auth, where,
               {"session_ttl_minutes", "secure_cookies", "admin_role", "login_attempts_per_user",
                "login_attempts_per_ip", "requests_per_minute", "daily_token_quota", "sso"});
    auto& a = config->auth;
    r.Integer(*auth, where, "session_ttl_minutes", &a.session_ttl_minutes, 1, 60 * 24 * 90);
    r.Bool(*auth, where, "secure_cookies", &a.secure_cookies);
    r.String(*auth, where, "admin_role", &a.admin_role);
    CheckRoles(r, "auth.admin_role", {a.admin_role});
    r.Integer(*auth, where, "login_attempts_per_user", &a.login_attempts_per_user, 1, 10000);
    r.Integer(*auth, where, "login_attempts_per_ip", &a.login_attempts_per_ip, 1, 100000);
    r.Integer(*auth, where, "requests_per_minute", &a.requests_per_minute, 1, 1000000);
    r.Integer(*auth, where, "daily_token_quota", &a.daily_token_quota, 0, int64_t{1} << 40);
    if (const toml::node* sso = auth->get("sso")) {
      if (const toml::table* sso_table = sso->as_table()) {
        ReadSso(r, *sso_table, &a.sso);
      } else {
        r.Problem("auth.sso", "expected a table [auth.sso]");
      }
    }
  }
}

}  // namespace wissen::app::internal

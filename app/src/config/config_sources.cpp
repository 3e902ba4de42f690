// Parses [[sources]] (kind "fs" and "web") and their [[sources.acl]] rules.
#include <set>
#include <string>

#include "config_reader.h"
#include "wissen/core/acl.h"

namespace wissen::app::internal {
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kFsKeys = {"name",
                                       "kind",
                                       "root",
                                       "include",
                                       "exclude",
                                       "acl",
                                       "max_file_mb",
                                       "trust_mtime",
                                       "max_delete_percent",
                                       "group_roles",
                                       "group_roles_mode",
                                       "office_comments"};
const std::set<std::string> kWebKeys = {"name",
                                        "kind",
                                        "acl",
                                        "seeds",
                                        "allow",
                                        "allow_hosts",
                                        "include",
                                        "exclude",
                                        "sitemaps",
                                        "max_depth",
                                        "max_pages",
                                        "max_body_kb",
                                        "user_agent",
                                        "delay_ms",
                                        "connect_timeout_ms",
                                        "read_timeout_ms",
                                        "request_timeout_ms",
                                        "retries",
                                        "retry_backoff_ms",
                                        "max_redirects",
                                        "forget_after_missed_crawls",
                                        "ca_file",
                                        "auth"};

bool IsEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

void ReadRoles(Reader& r, const std::string& where, const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    if (!IsValidRoleName(role)) {
      r.Problem(where, "\"" + role + "\" is not a role name (expected 1-64 of a-z 0-9 _ . -)");
    }
  }
}

crawler::AclRules ReadAclRules(Reader& r, const toml::table& table, const std::string& where) {
  std::vector<crawler::AclRule> rules;
  if (const toml::node* acl = table.get("acl")) {
    const toml::array* array = acl->as_array();
    if (array == nullptr) {
      r.Problem(where + ".acl", "expected [[sources.acl]] tables");
      return {};
    }
    for (size_t i = 0; i < array->size(); ++i) {
      const std::string rule_where = where + ".acl[" + std::to_string(i) + "]";
      const toml::table* rule_table = (*array)[i].as_table();
      if (rule_table == nullptr) {
        r.Problem(rule_where, "expected a table with match and roles");
        continue;
      }
      r.OnlyKeys(*rule_table, rule_where, {"match", "roles"});
      crawler::AclRule rule;
      r.String(*rule_table, rule_where, "match", &rule.match);
      r.StringList(*rule_table, rule_where, "roles", &rule.roles);
      if (rule.match.empty()) r.Problem(rule_where + ".match", "expected a glob pattern");
      ReadRoles(r, rule_where + ".roles", rule.roles);
      rules.push_back(std::move(rule));
    }
  }
  return crawler::AclRules(std::move(rules));
}

void ReadGroupRoles(Reader& r, const toml::table& table, const std::string& where,
                    crawler::FsSourceOptions* options) {
  if (const toml::node* node = table.get("group_roles")) {
    const toml::table* groups = node->as_table();
    if (groups == nullptr) {
      r.Problem(where + ".group_roles", "expected a table of group = [roles]");
    } else {
      for (const auto& [group, value] : *groups) {
        const std::string name(group.str());
        const std::string key = where + ".group_roles." + name;
        std::vector<std::string> roles;
        const toml::array* list = value.as_array();
        for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
          if (auto role = (*list)[i].value<std::string>(); (*list)[i].is_string() && role) {
            roles.push_back(*role);
          } else {
            list = nullptr;
          }
        }
        if (list == nullptr) r.Problem(key, "expected an array of role names");
        if (roles.empty()) r.Problem(key, "expected a non-empty array of roles");
        ReadRoles(r, key, roles);
        options->group_roles[name] = std::move(roles);
      }
    }
  }
  std::string mode = "union";
  r.String(table, where, "group_roles_mode", &mode);
  if (mode == "union") {
    options->group_roles_mode = crawler::FsSourceOptions::GroupRolesMode::kUnion;
  } else if (mode == "replace") {
    options->group_roles_mode = crawler::FsSourceOptions::GroupRolesMode::kReplace;
  } else {
    r.Problem(where + ".group_roles_mode",
              "expected \"union\" or \"replace\", got \"" + mode + "\"");
  }
}

void ReadFsSource(Reader& r, const toml::table& table, const std::string& where,
                  const fs::path& base, SourceConfig* source) {
  r.OnlyKeys(table, where, kFsKeys);
  std::string root;
  r.String(table, where, "root", &root);
  if (root.empty()) r.Problem(where + ".root", "expected the directory to crawl");
  auto& fs_options = source->fs;
  fs_options.name = source->name;
  fs_options.root = Resolve(base, root);
  r.StringList(table, where, "include", &fs_options.include);
  r.StringList(table, where, "exclude", &fs_options.exclude);
  int64_t max_file_mb = fs_options.max_file_bytes >> 20;
  r.Integer(table, where, "max_file_mb", &max_file_mb, 1, 4096);
  fs_options.max_file_bytes = max_file_mb << 20;
  r.Bool(table, where, "trust_mtime", &fs_options.trust_mtime);
  r.Integer(table, where, "max_delete_percent", &fs_options.max_delete_percent, 0, 100);
  r.Bool(table, where, "office_comments", &fs_options.parse.office_comments);
  ReadGroupRoles(r, table, where, &fs_options);
  fs_options.acl = ReadAclRules(r, table, where);
}

void ReadUrlList(Reader& r, const toml::table& table, const std::string& where, const char* key,
                 std::vector<std::string>* out) {
  r.StringList(table, where, key, out);
  for (auto& url : *out) {
    auto canonical = crawler::CanonicalUrl(url);
    if (!canonical) {
      r.Problem(Reader::Join(where, key), "\"" + url + "\" is not an absolute http(s) URL");
    } else {
      url = *canonical;
    }
  }
}

void ReadAuth(Reader& r, const toml::table& table, const std::string& where,
              crawler::HttpAuth* auth) {
  const toml::node* node = table.get("auth");
  if (node == nullptr) return;
  const std::string auth_where = where + ".auth";
  const toml::table* auth_table = node->as_table();
  if (auth_table == nullptr) {
    r.Problem(auth_where, "expected a table { type = \"basic\" | \"bearer\" | \"header\", ... }");
    return;
  }
  std::string type;
  r.String(*auth_table, auth_where, "type", &type);
  if (type == "basic") {
    r.OnlyKeys(*auth_table, auth_where, {"type", "user", "password_env"});
    auth->type = crawler::HttpAuth::Type::kBasic;
    r.String(*auth_table, auth_where, "user", &auth->user);
    r.String(*auth_table, auth_where, "password_env", &auth->secret_env);
    if (auth->user.empty()) r.Problem(auth_where + ".user", "expected the user name");
    if (!IsEnvName(auth->secret_env)) {
      r.Problem(auth_where + ".password_env", "expected an environment variable name");
    }
  } else if (type == "bearer") {
    r.OnlyKeys(*auth_table, auth_where, {"type", "token_env"});
    auth->type = crawler::HttpAuth::Type::kBearer;
    r.String(*auth_table, auth_where, "token_env", &auth->secret_env);
    if (!IsEnvName(auth->secret_env)) {
      r.Problem(auth_where + ".token_env", "expected an environment variable name");
    }
  } else if (type == "header") {
    r.OnlyKeys(*auth_table, auth_where, {"type", "header", "value_env"});
    auth->type = crawler::HttpAuth::Type::kHeader;
    r.String(*auth_table, auth_where, "header", &auth->header);
    r.String(*auth_table, auth_where, "value_env", &auth->secret_env);
    if (auth->header.empty() || auth->header.find_first_of(": \r\n") != std::string::npos) {
      r.Problem(auth_where + ".header", "expected a header name such as \"X-Api-Key\"");
    }
    if (!IsEnvName(auth->secret_env)) {
      r.Problem(auth_where + ".value_env", "expected an environment variable name");
    }
  } else {
    r.Problem(auth_where + ".type",
              "expected \"basic\", \"bearer\" or \"header\", got \"" + type + "\"");
  }
}

void ReadWebSource(Reader& r, const toml::table& table, const std::string& where,
                   const fs::path& base, SourceConfig* source) {
  r.OnlyKeys(table, where, kWebKeys);
  auto& web = source->web;
  web.name = source->name;
  ReadUrlList(r, table, where, "seeds", &web.seeds);
  if (web.seeds.empty()) r.Problem(where + ".seeds", "expected at least one URL to start from");
  ReadUrlList(r, table, where, "allow", &web.allow);
  ReadUrlList(r, table, where, "sitemaps", &web.sitemaps);
  r.StringList(table, where, "allow_hosts", &web.allow_hosts);
  r.StringList(table, where, "include", &web.include);
  r.StringList(table, where, "exclude", &web.exclude);
  r.Integer(table, where, "max_depth", &web.max_depth, 0, 1000);
  r.Integer(table, where, "max_pages", &web.max_pages, 1, 100'000'000);
  int64_t max_body_kb = web.max_body_bytes >> 10;
  r.Integer(table, where, "max_body_kb", &max_body_kb, 1, 1 << 20);
  web.max_body_bytes = max_body_kb << 10;
  r.String(table, where, "user_agent", &web.fetch.user_agent);
  if (web.fetch.user_agent.empty() ||
      web.fetch.user_agent.find_first_of("\r\n") != std::string::npos) {
    r.Problem(where + ".user_agent", "expected a one-line user agent");
  }
  r.Integer(table, where, "delay_ms", &web.delay_ms, 0, 600'000);
  r.Integer(table, where, "connect_timeout_ms", &web.fetch.connect_timeout_ms, 100, 600'000);
  r.Integer(table, where, "read_timeout_ms", &web.fetch.read_timeout_ms, 100, 3'600'000);
  r.Integer(table, where, "request_timeout_ms", &web.fetch.total_timeout_ms, 1000, 3'600'000);
  r.Integer(table, where, "retries", &web.retries, 0, 10);
  r.Integer(table, where, "retry_backoff_ms", &web.retry_backoff_ms, 0, 600'000);
  r.Integer(table, where, "max_redirects", &web.max_redirects, 0, 20);
  r.Integer(table, where, "forget_after_missed_crawls", &web.forget_after_missed_crawls, 1, 1000);
  std::string ca_file;
  r.String(table, where, "ca_file", &ca_file);
  if (!ca_file.empty()) {
    web.fetch.ca_file = Resolve(base, ca_file).string();
    std::error_code ec;
    if (!fs::is_regular_file(web.fetch.ca_file, ec)) {
      r.Problem(where + ".ca_file", "no such file: " + web.fetch.ca_file);
    }
  }
  ReadAuth(r, table, where, &web.auth);
  web.acl = ReadAclRules(r, table, where);
}

void ReadSource(Reader& r, const toml::table& table, const std::string& where, const fs::path& base,
                std::set<std::string>& names, SourceConfig* source) {
  r.String(table, where, "name", &source->name);
  r.String(table, where, "kind", &source->kind);
  if (source->name.empty()) r.Problem(where + ".name", "expected a non-empty source name");
  if (!names.insert(source->name).second) {
    r.Problem(where + ".name", "source name \"" + source->name + "\" is used twice");
  }
  if (source->kind == "fs") {
    ReadFsSource(r, table, where, base, source);
  } else if (source->kind == "web") {
    ReadWebSource(r, table, where, base, source);
  } else {
    r.Problem(where + ".kind", "expected \"fs\" or \"web\", got \"" + source->kind + "\"");
  }
}

}  // namespace

void ReadSources(Reader& r, const toml::table& root, const fs::path& base, Config* config) {
  if (const toml::node* sources = root.get("sources")) {
    const toml::array* array = sources->as_array();
    if (array == nullptr) {
      r.Problem("sources", "expected [[sources]] tables");
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < array->size(); ++i) {
        const std::string where = "sources[" + std::to_string(i) + "]";
        const toml::table* table = (*array)[i].as_table();
        if (table == nullptr) {
          r.Problem(where, "expected a table");
          continue;
        }
        SourceConfig source;
        ReadSource(r, *table, where, base, names, &source);
        config->sources.push_back(std::move(source));
      }
    }
  }
}

}  // namespace wissen::app::internal

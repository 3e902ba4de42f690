// Parses [[sources]] and their [[sources.acl]] rules.
#include <set>
#include <string>

#include "config_reader.h"
#include "wissen/core/acl.h"

namespace wissen::server::internal {
namespace fs = std::filesystem;

namespace {

void ReadSource(Reader& r, const toml::table& table, const std::string& where, const fs::path& base,
                std::set<std::string>& names, SourceConfig* source) {
  r.OnlyKeys(table, where,
             {"name", "kind", "root", "include", "exclude", "acl", "max_file_mb", "trust_mtime",
              "max_delete_percent"});
  r.String(table, where, "name", &source->name);
  r.String(table, where, "kind", &source->kind);
  if (source->name.empty()) r.Problem(where + ".name", "expected a non-empty source name");
  if (!names.insert(source->name).second) {
    r.Problem(where + ".name", "source name \"" + source->name + "\" is used twice");
  }
  if (source->kind != "fs") {
    r.Problem(where + ".kind", "expected \"fs\", got \"" + source->kind + "\"");
  }
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

  std::vector<crawler::AclRule> rules;
  if (const toml::node* acl = table.get("acl")) {
    const toml::array* array = acl->as_array();
    if (array == nullptr) {
      r.Problem(where + ".acl", "expected [[sources.acl]] tables");
    } else {
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
        for (const auto& role : rule.roles) {
          if (!IsValidRoleName(role)) {
            r.Problem(rule_where + ".roles",
                      "\"" + role + "\" is not a role name (expected 1-64 of a-z 0-9 _ . -)");
          }
        }
        rules.push_back(std::move(rule));
      }
    }
  }
  fs_options.acl = crawler::AclRules(std::move(rules));
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

}  // namespace wissen::server::internal

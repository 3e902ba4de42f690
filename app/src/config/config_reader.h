// The TOML reading helpers shared by the files that parse one part of wissen.toml each
// (config.cpp, config_sources.cpp, ...). Private to app/.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "wissen/app/config.h"

namespace wissen::app::internal {

// Collects the first problem with the key path it concerns.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void Problem(const std::string& key, const std::string& what) {
    if (error_.empty()) error_ = file_ + ": " + key + ": " + what;
  }

  // Fails on any key of `table` not in `allowed`.
  void OnlyKeys(const toml::table& table, const std::string& where,
                const std::set<std::string>& allowed) {
    for (const auto& [key, value] : table) {
      if (!allowed.contains(std::string(key.str()))) {
        std::string list;
        for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
        Problem(where.empty() ? std::string(key.str()) : where + "." + std::string(key.str()),
                "unknown key (expected one of: " + list + ")");
      }
    }
  }

  void String(const toml::table& table, const std::string& where, const char* key,
              std::string* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    if (auto value = node->value<std::string>(); node->is_string() && value) {
      *out = *value;
    } else {
      Problem(Join(where, key), "expected a string");
    }
  }

  template <typename Int>
  void Integer(const toml::table& table, const std::string& where, const char* key, Int* out,
               int64_t min, int64_t max) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    auto value = node->value<int64_t>();
    if (!node->is_integer() || !value) {
      Problem(Join(where, key), "expected an integer");
    } else if (*value < min || *value > max) {
      Problem(Join(where, key), "expected an integer from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", got " + std::to_string(*value));
    } else {
      *out = static_cast<Int>(*value);
    }
  }

  void Number(const toml::table& table, const std::string& where, const char* key, double* out,
              double min, double max) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    auto value = node->value<double>();
    if (!(node->is_floating_point() || node->is_integer()) || !value) {
      Problem(Join(where, key), "expected a number");
    } else if (*value < min || *value > max) {
      std::ostringstream range;
      range << "expected a number from " << min << " to " << max;
      Problem(Join(where, key), range.str());
    } else {
      *out = *value;
    }
  }

  void Bool(const toml::table& table, const std::string& where, const char* key, bool* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    if (!node->is_boolean()) {
      Problem(Join(where, key), "expected true or false");
    } else {
      *out = *node->value<bool>();
    }
  }

  void StringList(const toml::table& table, const std::string& where, const char* key,
                  std::vector<std::string>* out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      Problem(Join(where, key), "expected an array of strings");
      return;
    }
    out->clear();
    for (const auto& item : *array) {
      if (!item.is_string()) {
        Problem(Join(where, key), "expected an array of strings");
        return;
      }
      out->push_back(*item.value<std::string>());
    }
  }

  const toml::table* Table(const toml::table& root, const char* key) {
    const toml::node* node = root.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      Problem(key, "expected a table [" + std::string(key) + "]");
      return nullptr;
    }
    return node->as_table();
  }

  static std::string Join(const std::string& where, const char* key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }

 private:
  std::string file_;
  std::string error_;
};

inline std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

// [[sources]]: every source, names unique. Relative roots resolve against `base`.
void ReadSources(Reader& r, const toml::table& root, const std::filesystem::path& base,
                 Config* config);

// [embedding]; call after [index] (a builtin embedder's dimension may come from either).
void ReadEmbedding(Reader& r, const toml::table& root, Config* config);

// [server] and [auth] (with [auth.sso]).
void ReadServer(Reader& r, const toml::table& root, const std::filesystem::path& base,
                Config* config);

// [audit]; call after config->data_dir is set (the key file defaults to it).
void ReadAudit(Reader& r, const toml::table& root, const std::filesystem::path& base,
               Config* config);

// [ocr]: Tesseract's languages, threads, time limit and resolution.
void ReadOcr(Reader& r, const toml::table& root, const std::filesystem::path& base, Config* config);

}  // namespace wissen::app::internal

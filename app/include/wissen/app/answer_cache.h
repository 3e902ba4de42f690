// AnswerCache: recent answers, so a question asked again by someone with the same roles
// against the same index generation is answered without retrieval or generation.
//
// The key is the normalized question, the principal's sorted role set and the index
// generation: an answer built from hr passages is only ever served to principals holding
// exactly the same roles, and a new generation (deletions, permission changes) makes every
// older entry unreachable. LRU with a time-to-live. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "wissen/core/acl.h"

namespace wissen::app {

struct AnswerCacheOptions {
  // Entries kept; 0 disables the cache. Default: 1000.
  size_t capacity = 1000;
  // How long an entry is served. Default: 10 minutes.
  std::chrono::seconds ttl{600};
  // Clock, replaceable in tests.
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

class AnswerCache {
 public:
  explicit AnswerCache(AnswerCacheOptions options = {});

  // The cache key; exposed for tests and metrics only.
  static std::string Key(const std::string& question, const RoleSet& roles, int64_t generation);

  // The serialized answer stored under these inputs, if present and fresh.
  std::optional<std::string> Get(const std::string& question, const RoleSet& roles,
                                 int64_t generation);
  void Put(const std::string& question, const RoleSet& roles, int64_t generation,
           std::string value);

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point stored;
  };
  AnswerCacheOptions options_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace wissen::app

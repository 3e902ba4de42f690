#include "wissen/app/answer_cache.h"

#include "wissen/core/text.h"

namespace wissen::app {

AnswerCache::AnswerCache(AnswerCacheOptions options) : options_(std::move(options)) {}

std::string AnswerCache::Key(const std::string& question, const RoleSet& roles,
                             int64_t generation) {
  // Unit separators cannot occur in role names or in a normalized question's text in a way
  // that lets one field run into the next.
  return std::to_string(generation) + "\x1f" + roles.Key() + "\x1f" + NormalizeForMatch(question);
}

std::optional<std::string> AnswerCache::Get(const std::string& question, const RoleSet& roles,
                                            int64_t generation) {
  if (options_.capacity == 0) return std::nullopt;
  const std::string key = Key(question, roles, generation);
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  if (options_.now() - it->second->stored > options_.ttl) {
    lru_.erase(it->second);
    index_.erase(it);
    ++misses_;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->value;
}

void AnswerCache::Put(const std::string& question, const RoleSet& roles, int64_t generation,
                      std::string value) {
  if (options_.capacity == 0) return;
  std::string key = Key(question, roles, generation);
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front({key, std::move(value), options_.now()});
  index_.emplace(std::move(key), lru_.begin());
  while (lru_.size() > options_.capacity) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

uint64_t AnswerCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

uint64_t AnswerCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace wissen::app

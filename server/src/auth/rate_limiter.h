// Per-user limits of the server, kept in memory (a restart resets them;
// they protect the machine and the model, they are not billing).
//
// - RequestLimiter: a token bucket per key (user): `per_minute` requests a minute on
//   average, bursts up to a minute's worth.
// - TokenQuota: model tokens per user per UTC day.
// Each answers "allowed" or the seconds to wait, for Retry-After. The clock is passed in so
// tests need no sleeps. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wissen::server {

using Clock = std::function<std::chrono::system_clock::time_point()>;

class RequestLimiter {
 public:
  RequestLimiter(int per_minute, Clock clock);
  // 0 when the request may go ahead (and is counted), else whole seconds to wait.
  int Acquire(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::system_clock::time_point refilled;
  };
  const double per_minute_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

class TokenQuota {
 public:
  // `per_day` 0 means unlimited.
  TokenQuota(int64_t per_day, Clock clock);
  // 0 while the key has tokens left today, else seconds until the next UTC midnight.
  int RetryAfter(const std::string& key);
  void Add(const std::string& key, int64_t tokens);
  int64_t Used(const std::string& key);

 private:
  struct Day {
    int64_t day = 0;
    int64_t used = 0;
  };
  int64_t Today() const;
  const int64_t per_day_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Day> days_;
};

}  // namespace wissen::server

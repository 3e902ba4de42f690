#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace wissen::server {
namespace {

constexpr auto kLoginWindow = std::chrono::minutes(15);
constexpr int64_t kSecondsPerDay = 86400;

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

RequestLimiter::RequestLimiter(int per_minute, Clock clock)
    : per_minute_(std::max(1, per_minute)), clock_(std::move(clock)) {}

int RequestLimiter::Acquire(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = per_minute_;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens =
        std::min(per_minute_, bucket.tokens + std::max(0.0, elapsed) * per_minute_ / 60);
  }
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) * 60 / per_minute_)));
}

TokenQuota::TokenQuota(int64_t per_day, Clock clock)
    : per_day_(per_day), clock_(std::move(clock)) {}

int64_t TokenQuota::Today() const { return UnixSeconds(clock_()) / kSecondsPerDay; }

int TokenQuota::RetryAfter(const std::string& key) {
  if (per_day_ <= 0) return 0;
  const int64_t now = UnixSeconds(clock_());
  std::lock_guard lock(mutex_);
  auto it = days_.find(key);
  if (it == days_.end() || it->second.day != now / kSecondsPerDay) return 0;
  if (it->second.used < per_day_) return 0;
  return static_cast<int>(kSecondsPerDay - now % kSecondsPerDay);
}

void TokenQuota::Add(const std::string& key, int64_t tokens) {
  if (tokens <= 0) return;
  const int64_t today = Today();
  std::lock_guard lock(mutex_);
  Day& day = days_[key];
  if (day.day != today) day = Day{today, 0};
  day.used += tokens;
}

int64_t TokenQuota::Used(const std::string& key) {
  const int64_t today = Today();
  std::lock_guard lock(mutex_);
  auto it = days_.find(key);
  return it == days_.end() || it->second.day != today ? 0 : it->second.used;
}

}  // namespace wissen::server

#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace wissen::server {
namespace {

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1'800'000'000);
  Clock AsClock() {
    return [this] { return now; };
  }
};

TEST(RequestLimiterTest, AllowsAMinutesBurstThenRefillsOverTime) {
  FakeClock clock;
  RequestLimiter limiter(60, clock.AsClock());
  for (int i = 0; i < 60; ++i) EXPECT_EQ(limiter.Acquire("u1"), 0) << i;
  EXPECT_GE(limiter.Acquire("u1"), 1);   // the 61st waits
  EXPECT_EQ(limiter.Acquire("u2"), 0);   // other users are not affected
  clock.now += std::chrono::seconds(2);  // 60/min refills one token a second
  EXPECT_EQ(limiter.Acquire("u1"), 0);
}

TEST(TokenQuotaTest, RefusesWhenUsedUpAndRenewsAtUtcMidnight) {
  FakeClock clock;
  clock.now = std::chrono::system_clock::from_time_t(86400 * 20000 + 86400 - 100);
  TokenQuota quota(1000, clock.AsClock());
  quota.Add("u", 999);
  EXPECT_EQ(quota.RetryAfter("u"), 0);
  quota.Add("u", 1);
  EXPECT_EQ(quota.RetryAfter("u"), 100);  // seconds to midnight UTC
  clock.now += std::chrono::seconds(100);
  EXPECT_EQ(quota.RetryAfter("u"), 0);
  EXPECT_EQ(quota.Used("u"), 0);
}

TEST(TokenQuotaTest, ZeroMeansUnlimited) {
  FakeClock clock;
  TokenQuota quota(0, clock.AsClock());
  quota.Add("u", 1'000'000'000);
  EXPECT_EQ(quota.RetryAfter("u"), 0);
}

}  // namespace
}  // namespace wissen::server

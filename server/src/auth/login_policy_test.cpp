#include "auth/login_policy.h"

#include <gtest/gtest.h>

namespace wissen::server {
namespace {

constexpr int64_t kNow = 1'800'000'000;

store::LoginFailureCounts Counts(int pair, int user, int client, int64_t seconds_ago = 0) {
  store::LoginFailureCounts counts;
  counts.pair = pair;
  counts.pair_last_unix = pair > 0 ? kNow - seconds_ago : 0;
  counts.user = user;
  counts.client = client;
  counts.client_last_unix = client > 0 ? kNow - seconds_ago : 0;
  return counts;
}

TEST(LoginPolicyTest, AFewFailuresCostNothing) {
  const LoginPolicy policy;
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 0), kNow, policy), 0);
  EXPECT_EQ(LoginWaitSeconds(Counts(3, 3, 3), kNow, policy), 0);
}

TEST(LoginPolicyTest, DelaysDoubleForOnePairAfterTheFreeFailures) {
  LoginPolicy policy;
  policy.account_failures = 1000;  // only the pair rule here
  EXPECT_EQ(LoginWaitSeconds(Counts(4, 4, 4), kNow, policy), 1);
  EXPECT_EQ(LoginWaitSeconds(Counts(5, 5, 5), kNow, policy), 2);
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8), kNow, policy), 16);
  EXPECT_EQ(LoginWaitSeconds(Counts(40, 40, 40), kNow, policy), 15 * 60);
  // The wait runs from the last failure.
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8, 10), kNow, policy), 6);
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8, 16), kNow, policy), 0);
}

TEST(LoginPolicyTest, AnAccountUnderAttackLocksOutOnlyTheClientsThatFailedOnIt) {
  const LoginPolicy policy;
  // Five failures on ben from the attacker's address: that address waits the window.
  EXPECT_EQ(LoginWaitSeconds(Counts(5, 5, 5), kNow, policy), 15 * 60);
  // Ben from his own address, which never failed: no wait, the right password works.
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 5, 0), kNow, policy), 0);
  // A second attacker address that failed once on ben is locked out too.
  EXPECT_EQ(LoginWaitSeconds(Counts(1, 6, 1), kNow, policy), 15 * 60);
}

TEST(LoginPolicyTest, OneClientTryingManyUsersIsSlowedAlone) {
  const LoginPolicy policy;
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 19), kNow, policy), 0);
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 20), kNow, policy), 1);
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 23), kNow, policy), 8);
}

}  // namespace
}  // namespace wissen::server

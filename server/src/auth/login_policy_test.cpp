#include "auth/login_policy.h"

#include <gtest/gtest.h>

namespace wissen::server {
namespace {

constexpr int64_t kWindow = 15 * 60;

store::LoginFailureCounts Counts(int pair, int user, int client, int64_t seconds_ago = 0) {
  store::LoginFailureCounts counts;
  counts.pair = pair;
  counts.pair_seconds_ago = pair > 0 ? seconds_ago : kWindow;
  counts.user = user;
  counts.client = client;
  counts.client_seconds_ago = client > 0 ? seconds_ago : kWindow;
  return counts;
}

TEST(LoginPolicyTest, AFewFailuresCostNothing) {
  const LoginPolicy policy;
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 0), policy), 0);
  EXPECT_EQ(LoginWaitSeconds(Counts(3, 3, 3), policy), 0);
}

TEST(LoginPolicyTest, DelaysDoubleForOnePairAfterTheFreeFailures) {
  LoginPolicy policy;
  policy.account_failures = 1000;  // only the pair rule here
  EXPECT_EQ(LoginWaitSeconds(Counts(4, 4, 4), policy), 1);
  EXPECT_EQ(LoginWaitSeconds(Counts(5, 5, 5), policy), 2);
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8), policy), 16);
  EXPECT_EQ(LoginWaitSeconds(Counts(40, 40, 40), policy), 15 * 60);
  // The wait runs from the last failure.
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8, 10), policy), 6);
  EXPECT_EQ(LoginWaitSeconds(Counts(8, 8, 8, 16), policy), 0);
}

TEST(LoginPolicyTest, AnAccountUnderAttackLocksOutOnlyTheClientsThatFailedOnIt) {
  const LoginPolicy policy;
  // Five failures on ben from the attacker's address: that address waits the window.
  EXPECT_EQ(LoginWaitSeconds(Counts(5, 5, 5), policy), 15 * 60);
  // Ben from his own address, which never failed: no wait, the right password works.
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 5, 0), policy), 0);
  // A second attacker address that failed once on ben is locked out too.
  EXPECT_EQ(LoginWaitSeconds(Counts(1, 6, 1), policy), 15 * 60);
}

TEST(LoginPolicyTest, OneClientTryingManyUsersIsSlowedAlone) {
  const LoginPolicy policy;
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 19), policy), 0);
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 20), policy), 1);
  EXPECT_EQ(LoginWaitSeconds(Counts(0, 0, 23), policy), 8);
}

}  // namespace
}  // namespace wissen::server

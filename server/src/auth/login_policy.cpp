#include "auth/login_policy.h"

#include <algorithm>

namespace wissen::server {
namespace {

// 1, 2, 4, ... seconds for the 1st, 2nd, 3rd failure past `free`, at most `cap`.
int64_t Doubling(int failures, int free, int64_t cap) {
  if (failures <= free) return 0;
  const int exponent = std::min(failures - free - 1, 30);
  return std::min<int64_t>(int64_t{1} << exponent, cap);
}

}  // namespace

int LoginWaitSeconds(const store::LoginFailureCounts& counts, const LoginPolicy& policy) {
  const int64_t window = policy.window_seconds;
  int64_t pair_delay = Doubling(counts.pair, policy.free_pair_failures, window);
  if (counts.user >= policy.account_failures && counts.pair > 0) pair_delay = window;
  const int64_t client_delay = Doubling(counts.client, policy.client_failures - 1, window);
  const int64_t wait =
      std::max(pair_delay - counts.pair_seconds_ago, client_delay - counts.client_seconds_ago);
  return static_cast<int>(std::clamp<int64_t>(wait, 0, window));
}

}  // namespace wissen::server

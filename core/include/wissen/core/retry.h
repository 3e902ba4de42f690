// The one retry rule of Wissen's HTTP clients (model chat and embeddings, the web crawler):
// a bounded number of retries with exponential backoff, only for failures the caller deems
// worth another attempt (connection refused, timeouts, 429, 5xx), never past a deadline.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace wissen {

struct RetryPolicy {
  int retries = 0;     // attempts after the first
  int backoff_ms = 0;  // pause before the first retry; doubles before each further one
  // No retry starts when its pause would end at or after this point.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Calls `attempt()` and, while `worth_retrying(result)` holds and the policy allows, pauses
// and calls it again. Returns the last result; `*attempts` counts the calls made.
// Blocks the calling thread during pauses: call it from a worker, never from an I/O thread.
template <typename Attempt, typename WorthRetrying>
auto Retry(const RetryPolicy& policy, Attempt&& attempt, WorthRetrying&& worth_retrying,
           int* attempts) -> decltype(attempt()) {
  auto result = attempt();
  *attempts = 1;
  for (int retry = 1; retry <= policy.retries && worth_retrying(result); ++retry) {
    const auto pause = std::chrono::milliseconds(static_cast<int64_t>(policy.backoff_ms)
                                                 << std::min(retry - 1, 20));
    if (std::chrono::steady_clock::now() + pause >= policy.deadline) break;
    std::this_thread::sleep_for(pause);
    result = attempt();
    ++*attempts;
  }
  return result;
}

}  // namespace wissen

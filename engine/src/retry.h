// The retry rule of the HTTP model clients (chat and embeddings): retry only failures that
// another attempt can fix (connection refused, 429, 5xx, a stream broken before anything
// reached the caller), with exponential backoff, and never past the call's deadline.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <thread>
#include <utility>

#include "wissen/core/result.h"

namespace wissen::engine::internal {

// Why one attempt failed.
struct AttemptFailure {
  Error error;
  bool retryable = false;
  std::string kind;  // short category for logs and metrics; never server text
};

struct RetryPolicy {
  int retries = 0;     // attempts after the first
  int backoff_ms = 0;  // pause before the first retry; doubles before each further one
  // No retry starts when its pause would end at or after this point.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Runs `attempt()` (returning std::expected<T, AttemptFailure>) until it succeeds, fails
// with a failure that is not retryable, runs out of retries, or the next pause would pass
// the deadline. Returns the success or the last failure; `*attempts` counts the calls made.
template <typename Attempt>
auto WithRetries(const RetryPolicy& policy, Attempt&& attempt, int* attempts)
    -> decltype(attempt()) {
  *attempts = 0;
  auto result = attempt();
  ++*attempts;
  for (int retry = 1; retry <= policy.retries && !result && result.error().retryable; ++retry) {
    const auto pause = std::chrono::milliseconds(static_cast<int64_t>(policy.backoff_ms)
                                                 << std::min(retry - 1, 20));
    if (std::chrono::steady_clock::now() + pause >= policy.deadline) break;
    std::this_thread::sleep_for(pause);
    result = attempt();
    ++*attempts;
  }
  return result;
}

}  // namespace wissen::engine::internal

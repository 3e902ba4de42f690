// How long a client must wait before it may try a password again, from the failed logins in
// PostgreSQL (so a restart does not reset them and every replica agrees).
//
// What it protects against, and how:
// - guessing one user's password from one client: delays that double with each failure
//   of the (user, client) pair after a few free ones, up to the window;
// - guessing from many clients: once a user name has `account_failures` failures in the
//   window, every client that already failed on it waits out the whole window. A client
//   with no failures on it may still try, so an attacker cannot lock the real user out;
// - one client trying many user names: delays that double per failure past
//   `client_failures`, for that client only (behind a reverse proxy the client is the address
//   the trusted proxy reports in X-Forwarded-For, not the proxy).
// Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "wissen/store/accounts.h"

namespace wissen::server {

struct LoginPolicy {
  int free_pair_failures = 3;    // failures of one (user, client) pair before delays start
  int account_failures = 5;      // [auth] login_attempts_per_user
  int client_failures = 20;      // [auth] login_attempts_per_ip
  int window_seconds = 15 * 60;  // failures older than this count for nothing; longest wait
};

// Seconds to wait before a login for the counted pair may be tried; 0 = now.
int LoginWaitSeconds(const store::LoginFailureCounts& counts, const LoginPolicy& policy);

}  // namespace wissen::server

// Credentials: password hashes, random tokens and API keys. Used by `wissen user` and
// `wissen key` and by the server's authentication.
//
// Passwords are argon2id (libsodium crypto_pwhash_str); session tokens and API keys are
// 256-bit random values stored only as SHA-256 hashes. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "wissen/core/result.h"
#include "wissen/store/accounts.h"

namespace wissen::app {

// Initialises libsodium once; aborts when the system has no usable randomness.
void EnsureSodium();

// A user name as Wissen stores and compares it, from a login form, the CLI or a single
// sign-on header: NFC-normalized, 1 to 128 bytes, no control characters (NUL included), no
// white space at either end and none of / \ < > " ' ` ; (names reach logs, HTML and the
// audit tools). The one rule for every way in, so "ben" and "ben\0" are never two names.
// Errors: kInvalidArgument, with a message that does not repeat the name.
Result<std::string> NormalizeUserName(std::string_view raw);

// Hashes a password with argon2id. Errors: kInvalidArgument for an empty or overlong
// password, kResourceExhausted when memory for hashing is lacking.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);
// `bytes` random bytes as lower-case hex.
std::string RandomHex(size_t bytes);

struct NewApiKey {
  int id = 0;
  std::string key;  // shown once; only its hash is stored
};
// Creates a key for an existing user. Errors: kNotFound for an unknown user.
Result<NewApiKey> CreateApiKey(store::Accounts& accounts, const std::string& user_name,
                               const std::string& key_name);

}  // namespace wissen::app

// AuditKey: the key behind the audit trail's pseudonyms, query hashes and sealed questions.
// Used by the server's audit trail (wissen/server/audit.h) and by `wissen audit show`.
//
// Keys: the audit key is 32 random bytes in a file (<data.dir>/audit.key by default,
// created mode 0600 on first use, 64 hex characters). Three independent subkeys are derived
// from it with crypto_kdf (context "WissAudt"): 1 for pseudonyms, 2 for query hashes, 3 for
// question encryption. Losing the key makes pseudonyms unresolvable and stored questions
// unreadable; back it up apart from the database.
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "wissen/core/result.h"

namespace wissen::app {

// The audit key and the subkeys derived from it. Immutable; thread-safe.
class AuditKey {
 public:
  static constexpr size_t kBytes = 32;

  // Reads the key file; when it does not exist, creates it (and its folder) with a new
  // random key, mode 0600, atomically (two processes starting at once agree on one key).
  // Errors: kConfig for a file that holds no key, kIo when it cannot be read or written.
  static Result<AuditKey> LoadOrCreate(const std::filesystem::path& file);
  // Reads the key file; kNotFound when it does not exist. Never creates one.
  static Result<AuditKey> Load(const std::filesystem::path& file);
  // A key from its bytes (tests).
  static AuditKey FromBytes(std::span<const unsigned char, kBytes> bytes);

  // 64 hex characters: HMAC-SHA256 of the user name under subkey 1. Stable for one key.
  std::string Pseudonym(std::string_view user_name) const;
  // 64 hex characters: HMAC-SHA256 under subkey 2 of the query with white space collapsed,
  // so the same question asked twice has the same hash. Empty for an empty query.
  std::string QueryHash(std::string_view query) const;
  // Random nonce || secretbox ciphertext of `question` under subkey 3 (raw bytes).
  std::string SealQuestion(std::string_view question) const;
  // The question back. kInvalidArgument when the bytes were not sealed with this key or are
  // damaged.
  Result<std::string> OpenQuestion(std::string_view sealed) const;

 private:
  AuditKey() = default;
  std::array<unsigned char, kBytes> pseudonym_key_{};
  std::array<unsigned char, kBytes> query_key_{};
  std::array<unsigned char, kBytes> question_key_{};
};

}  // namespace wissen::app

#include "wissen/app/credentials.h"

#include <sodium.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "wissen/core/text.h"

namespace wissen::app {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;
constexpr std::string_view kKeyPrefix = "wsk_";
constexpr size_t kMaxUserNameBytes = 128;
constexpr const char* kForbiddenInUserNames = "/\\<>\"'`;";

// Unicode white space (UTF-8) besides ' ': U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000. "ben\u00A0" would otherwise be a second, lookalike "ben".
bool IsUnicodeSpaceAt(std::string_view text, size_t at, size_t* length) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const size_t left = text.size() - at;
  if (left >= 1 && byte(0) == ' ') return *length = 1, true;
  if (left >= 2 && byte(0) == 0xC2 && byte(1) == 0xA0) return *length = 2, true;
  if (left < 3) return false;
  *length = 3;
  if (byte(0) == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return true;
  if (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return true;
  if (byte(0) != 0xE2) return false;
  if (byte(1) == 0x80) {
    return byte(2) <= 0x8A || byte(2) == 0xA8 || byte(2) == 0xA9 || byte(2) == 0xAF;
  }
  return byte(1) == 0x81 && byte(2) == 0x9F;
}

bool StartsOrEndsWithSpace(std::string_view name) {
  size_t length = 0;
  if (IsUnicodeSpaceAt(name, 0, &length)) return true;
  for (size_t back = 1; back <= 3 && back <= name.size(); ++back) {
    if (IsUnicodeSpaceAt(name, name.size() - back, &length) && length == back) return true;
  }
  return false;
}

}  // namespace

Result<std::string> NormalizeUserName(std::string_view raw) {
  if (!IsValidUtf8(raw)) return Fail(ErrorCode::kInvalidArgument, "the user name is not UTF-8");
  for (const unsigned char c : raw) {
    if (c < 0x20 || c == 0x7F) {
      return Fail(ErrorCode::kInvalidArgument, "the user name contains a control character");
    }
  }
  std::string name = NormalizeNfc(raw);
  if (name.empty() || name.size() > kMaxUserNameBytes) {
    return Fail(ErrorCode::kInvalidArgument, "a user name has 1 to 128 bytes");
  }
  if (StartsOrEndsWithSpace(name)) {
    return Fail(ErrorCode::kInvalidArgument, "a user name does not start or end with a space");
  }
  // C1 controls (U+0080..U+009F) are C2 80..C2 9F in UTF-8.
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (static_cast<unsigned char>(name[i]) == 0xC2 &&
        static_cast<unsigned char>(name[i + 1]) <= 0x9F) {
      return Fail(ErrorCode::kInvalidArgument, "the user name contains a control character");
    }
  }
  if (name.find_first_of(kForbiddenInUserNames) != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "a user name may not contain / \\ < > \" ' ` or ;");
  }
  return name;
}

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing here is safe
  });
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  if (password.empty()) return Fail(ErrorCode::kInvalidArgument, "the password is empty");
  if (password.size() > kMaxPasswordBytes) {
    return Fail(ErrorCode::kInvalidArgument, "the password is longer than 1024 bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCode::kResourceExhausted, "not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  EnsureSodium();
  if (hash.empty() || password.size() > kMaxPasswordBytes) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomHex(size_t bytes) {
  EnsureSodium();
  std::vector<unsigned char> buffer(bytes);
  randombytes_buf(buffer.data(), buffer.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buffer.data(), buffer.size());
  hex.pop_back();
  return hex;
}

Result<NewApiKey> CreateApiKey(store::Accounts& accounts, const std::string& user_name,
                               const std::string& key_name) {
  auto user = accounts.FindUser(user_name);
  if (!user) return Fail(user.error());
  if (!*user) return Fail(ErrorCode::kNotFound, "no user named " + user_name);
  NewApiKey key;
  key.key = std::string(kKeyPrefix) + RandomHex(32);
  auto id = accounts.CreateApiKey((*user)->id, key_name, Sha256Hex(key.key),
                                  key.key.substr(0, kKeyPrefix.size() + 6));
  if (!id) return Fail(id.error());
  key.id = *id;
  return key;
}

}  // namespace wissen::app

#include "wissen/app/audit_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::app {
namespace fs = std::filesystem;

namespace {

// crypto_kdf wants exactly 8 bytes of context; changing it changes every subkey.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "WissAudt";
constexpr uint64_t kPseudonymSubkey = 1;
constexpr uint64_t kQuerySubkey = 2;
constexpr uint64_t kQuestionSubkey = 3;

static_assert(AuditKey::kBytes == crypto_kdf_KEYBYTES);
static_assert(AuditKey::kBytes == crypto_auth_hmacsha256_KEYBYTES);
static_assert(AuditKey::kBytes == crypto_secretbox_KEYBYTES);

void InitSodium() {
  // sodium_init is idempotent and thread-safe; it fails only without an entropy source.
  static const int status = sodium_init();
  if (status < 0) {
    log::Error("audit.sodium_init_failed");
    std::abort();
  }
}

std::string ToHex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

std::string Hmac(const std::array<unsigned char, AuditKey::kBytes>& key, std::string_view text) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         key.data());
  return ToHex(mac, sizeof mac);
}

std::string IoError(const std::string& what, const fs::path& file) {
  return what + " " + file.string() + ": " + std::strerror(errno);
}

// Writes a fresh key to `file` unless it exists. The key goes to a private temporary file
// first and is hard-linked into place, so a reader never sees a half-written key and the
// first of two racing processes wins.
Result<void> CreateKeyFile(const fs::path& file) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return Fail(ErrorCode::kIo, "cannot create " + file.parent_path().string());
  unsigned char key[AuditKey::kBytes];
  randombytes_buf(key, sizeof key);
  const std::string text = ToHex(key, sizeof key) + "\n";
  sodium_memzero(key, sizeof key);

  const fs::path temp = file.string() + ".tmp." + std::to_string(::getpid()) + "." +
                        std::to_string(randombytes_random());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(ErrorCode::kIo, IoError("cannot create", temp));
  // Exactly 0600 whatever the umask.
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const std::string write_error = ok ? "" : IoError("cannot write", temp);
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return Fail(ErrorCode::kIo, write_error);
  }
  const int linked = ::link(temp.c_str(), file.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    errno = link_errno;
    return Fail(ErrorCode::kIo, IoError("cannot create", file));
  }
  if (linked == 0) {
    if (int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    log::Info("audit.key_created", {{"file", file.string()}});
  }
  return {};
}

}  // namespace

AuditKey AuditKey::FromBytes(std::span<const unsigned char, kBytes> bytes) {
  InitSodium();
  AuditKey key;
  crypto_kdf_derive_from_key(key.pseudonym_key_.data(), kBytes, kPseudonymSubkey, kKdfContext,
                             bytes.data());
  crypto_kdf_derive_from_key(key.query_key_.data(), kBytes, kQuerySubkey, kKdfContext,
                             bytes.data());
  crypto_kdf_derive_from_key(key.question_key_.data(), kBytes, kQuestionSubkey, kKdfContext,
                             bytes.data());
  return key;
}

Result<AuditKey> AuditKey::Load(const fs::path& file) {
  InitSodium();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "no audit key at " + file.string());
    return Fail(ErrorCode::kIo, IoError("cannot read", file));
  }
  if ((st.st_mode & 077) != 0) {
    log::Warn("audit.key_permissions",
              {{"file", file.string()}, {"reason", "readable by group or others; use 0600"}});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, IoError("cannot read", file));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  std::array<unsigned char, kBytes> bytes{};
  const std::string_view hex = TrimAscii(content);
  size_t decoded = 0;
  if (content.size() == kBytes) {
    std::memcpy(bytes.data(), content.data(), kBytes);  // raw bytes, e.g. from `head -c 32`
  } else if (hex.size() != kBytes * 2 ||
             sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &decoded,
                            nullptr) != 0 ||
             decoded != kBytes) {
    return Fail(ErrorCode::kConfig,
                file.string() + ": expected an audit key of 64 hex characters (32 bytes)");
  }
  AuditKey key = FromBytes(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

Result<AuditKey> AuditKey::LoadOrCreate(const fs::path& file) {
  auto key = Load(file);
  if (key || key.error().code != ErrorCode::kNotFound) return key;
  if (auto created = CreateKeyFile(file); !created) return Fail(created.error());
  return Load(file);
}

std::string AuditKey::Pseudonym(std::string_view user_name) const {
  return Hmac(pseudonym_key_, user_name);
}

std::string AuditKey::QueryHash(std::string_view query) const {
  const std::string normalized = CollapseWhitespace(query);
  if (normalized.empty()) return "";
  return Hmac(query_key_, normalized);
}

std::string AuditKey::SealQuestion(std::string_view question) const {
  std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + question.size(),
                     '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(question.data()), question.size(),
                        out, question_key_.data());
  return sealed;
}

Result<std::string> AuditKey::OpenQuestion(std::string_view sealed) const {
  constexpr size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) {
    return Fail(ErrorCode::kInvalidArgument, "the stored question is damaged");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string question(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(question.data()), in + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, in, question_key_.data()) != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "the stored question cannot be decrypted with this audit key");
  }
  return question;
}

}  // namespace wissen::app

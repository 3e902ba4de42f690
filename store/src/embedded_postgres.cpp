#include "wissen/store/embedded_postgres.h"

#include <fcntl.h>
#include <locale.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "subprocess.h"
#include "wissen/core/log.h"

namespace wissen::store {

namespace fs = std::filesystem;

namespace {

// The superuser initdb creates; connections come only through the private socket.
constexpr const char* kSuperuser = "wissen";
// Fixed: the socket file name contains the port, and each cluster has its own socket
// directory, so clusters never collide on it. Written to wissen.conf so PGPORT cannot move it.
constexpr int kPort = 5432;
constexpr const char* kSocketName = ".s.PGSQL.5432";
// sizeof(sockaddr_un::sun_path) on Linux, including the terminating NUL.
constexpr std::size_t kSunPathSize = 108;
constexpr const char* kConfigFile = "wissen.conf";
constexpr const char* kIncludeLine = "include 'wissen.conf'";
constexpr const char* kStartTimeoutSeconds = "60";

std::string Errno(int error) { return std::strerror(error); }

// An flock(2) on a file that lives next to the cluster directory. Each FileLock has its own
// open file description, so two FileLocks in one process conflict like two processes do.
class FileLock {
 public:
  FileLock() = default;
  ~FileLock() { Close(); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  Result<void> Open(const fs::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      return Fail(ErrorCode::kUnavailable, "cannot open " + path.string() + ": " + Errno(errno));
    return {};
  }
  // Blocks until granted.
  Result<void> Lock(int operation) {
    while (::flock(fd_, operation) != 0) {
      if (errno != EINTR) return Fail(ErrorCode::kUnavailable, "flock: " + Errno(errno));
    }
    return {};
  }
  // False when another holder conflicts.
  bool TryLockExclusive() {
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Version of a /usr/lib/postgresql/<version> directory name ("15", "9.6"), or nullopt.
std::optional<std::pair<int, int>> ParseVersion(const std::string& name) {
  int major = 0;
  int minor = 0;
  std::size_t i = 0;
  if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) return std::nullopt;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) {
    major = major * 10 + (name[i++] - '0');
    if (major > 100000) return std::nullopt;
  }
  if (i < name.size()) {
    if (name[i++] != '.') return std::nullopt;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) {
      minor = minor * 10 + (name[i++] - '0');
      if (minor > 100000) return std::nullopt;
    }
    if (i != name.size()) return std::nullopt;
  }
  return std::make_pair(major, minor);
}

Result<fs::path> DefaultBinDir() {
  const fs::path root = "/usr/lib/postgresql";
  std::optional<std::pair<int, int>> best;
  fs::path best_dir;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    auto version = ParseVersion(it->path().filename().string());
    if (!version || ::access((it->path() / "bin" / "pg_ctl").c_str(), X_OK) != 0) continue;
    if (!best || *version > *best) {
      best = version;
      best_dir = it->path() / "bin";
    }
  }
  if (!best) {
    return Fail(ErrorCode::kUnavailable,
                "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; install the "
                "postgresql package or set database.url to an existing server");
  }
  return best_dir;
}

Result<void> CheckBinaries(const fs::path& bin_dir) {
  for (const char* name : {"initdb", "pg_ctl", "postgres"}) {
    const fs::path path = bin_dir / name;
    if (::access(path.c_str(), X_OK) != 0) {
      return Fail(ErrorCode::kUnavailable,
                  "PostgreSQL binary " + path.string() + " is missing or not executable (" +
                      Errno(errno) +
                      "); install PostgreSQL (scripts/setup installs Debian's postgresql package)");
    }
  }
  return {};
}

// The path goes into postgresql.conf (unix_socket_directories is a comma-separated list in a
// quoted string) and into a libpq connection string. Rather than escape for both, refuse the
// few characters that would need it.
Result<void> CheckPathCharacters(const fs::path& data_dir) {
  for (char c : data_dir.string()) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\'' || c == '"' || c == ',' ||
        c == '\\') {
      return Fail(ErrorCode::kUnavailable,
                  "the PostgreSQL data directory path " + data_dir.string() +
                      " contains a quote, comma, backslash or control character; choose a "
                      "plainer data.dir");
    }
  }
  return {};
}

// Quotes a libpq connection-string value when it needs it.
std::string ConnValue(const std::string& value) {
  const bool plain = !value.empty() && value.find_first_of(" \t\n'\\=") == std::string::npos;
  if (plain) return value;
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

std::string ConnectionString(const fs::path& socket_dir, const std::string& database) {
  return "host=" + ConnValue(socket_dir.string()) + " port=" + std::to_string(kPort) +
         " dbname=" + ConnValue(database) + " user=" + kSuperuser;
}

bool GroupMember(const RunAsUser& user, gid_t gid) {
  return user.gid == gid ||
         std::find(user.groups.begin(), user.groups.end(), gid) != user.groups.end();
}

// Unix permission semantics: the owner class decides alone, then the group class.
bool Searchable(const struct stat& st, const RunAsUser& user) {
  if (st.st_uid == user.uid) return (st.st_mode & S_IXUSR) != 0;
  if (GroupMember(user, st.st_gid)) return (st.st_mode & S_IXGRP) != 0;
  return (st.st_mode & S_IXOTH) != 0;
}

// Creates the missing parents of data_dir. When running as root, makes sure run_as can
// traverse every ancestor: directories created here get o+x if they lack it (umask 077);
// directories that existed before are never changed, a clear error names them instead.
Result<void> PrepareParents(const fs::path& data_dir, const std::optional<RunAsUser>& run_as) {
  std::vector<fs::path> missing;
  fs::path existing = data_dir.parent_path();
  std::error_code ec;
  while (!existing.empty() && !fs::exists(existing, ec)) {
    missing.push_back(existing);
    if (existing == existing.root_path()) break;
    existing = existing.parent_path();
  }
  std::vector<fs::path> created;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot create directory " + it->string() + ": " + Errno(errno));
    }
    created.push_back(*it);
  }
  if (!run_as) return {};

  for (fs::path dir = data_dir.parent_path();; dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      return Fail(ErrorCode::kUnavailable, "cannot stat " + dir.string() + ": " + Errno(errno));
    }
    if (!Searchable(st, *run_as)) {
      const bool ours = std::find(created.begin(), created.end(), dir) != created.end();
      if (!ours || ::chmod(dir.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0) {
        return Fail(ErrorCode::kUnavailable,
                    "PostgreSQL refuses to run as root, so the embedded cluster runs as user '" +
                        run_as->name + "', but that user cannot enter directory " + dir.string() +
                        " (no search permission). Grant it (chmod o+x " + dir.string() +
                        ") or set data.dir to a directory it can reach, e.g. /var/lib/wissen");
      }
      log::Info("postgres_dir_made_traversable", {{"dir", dir.string()}, {"user", run_as->name}});
    }
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  return {};
}

// Creates data_dir (0700, as PostgreSQL requires) and hands it to run_as when running as root.
Result<void> PrepareDataDir(const fs::path& data_dir, const std::optional<RunAsUser>& run_as) {
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create directory " + data_dir.string() + ": " + Errno(errno));
  }
  if (!run_as) return {};
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot stat " + data_dir.string() + ": " + Errno(errno));
  }
  if (st.st_uid == run_as->uid) return {};
  std::error_code ec;
  if (!fs::is_empty(data_dir, ec) || ec) {
    return Fail(ErrorCode::kUnavailable,
                "PostgreSQL data directory " + data_dir.string() + " belongs to uid " +
                    std::to_string(st.st_uid) + ", not to user '" + run_as->name +
                    "' that runs the embedded cluster; chown -R it or use another data.dir");
  }
  if (::chown(data_dir.c_str(), run_as->uid, run_as->gid) != 0 ||
      ::chmod(data_dir.c_str(), 0700) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot hand " + data_dir.string() + " to user '" +
                                             run_as->name + "': " + Errno(errno));
  }
  return {};
}

// The last lines of the server log (at most ~4 KB), for error messages.
std::string LogTail(const fs::path& log_file) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) return "(no server log at " + log_file.string() + ")";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - 4096);
  in.seekg(start);
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (start > 0) {
    const auto newline = tail.find('\n');
    if (newline != std::string::npos) tail.erase(0, newline + 1);
  }
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail.empty() ? "(server log is empty)" : tail;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// C.UTF-8 keeps sorting byte-wise like C but makes PostgreSQL's character classes
// Unicode-aware; older systems lack it.
const char* ClusterLocale() {
  locale_t probe = ::newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (probe == static_cast<locale_t>(0)) return "C";
  ::freelocale(probe);
  return "C.UTF-8";
}

}  // namespace

struct EmbeddedPostgres::State {
  fs::path data_dir;
  fs::path bin_dir;
  fs::path start_lock_path;
  std::optional<RunAsUser> run_as;
  // A forked child inherits the object (and the lock's open file description); only the
  // process that opened the cluster may decide to stop it.
  pid_t owner_pid = ::getpid();
  // Shared for the object's lifetime: tells later processes the cluster is in use.
  FileLock users;

  fs::path server_log() const { return data_dir / "server.log"; }

  Result<ProcessOutput> Run(const std::string& program, std::vector<std::string> args) const {
    args.insert(args.begin(), (bin_dir / program).string());
    return RunProcess(args, run_as);
  }

  // Writes a file in the cluster directory, owned by the cluster's user.
  Result<void> WriteOwnedFile(const fs::path& path, const std::string& content) const {
    const fs::path temp = path.string() + ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << content;
      out.close();
      if (!out) return Fail(ErrorCode::kUnavailable, "cannot write " + temp.string());
    }
    if (::chmod(temp.c_str(), 0600) != 0 ||
        (run_as && ::chown(temp.c_str(), run_as->uid, run_as->gid) != 0) ||
        ::rename(temp.c_str(), path.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      return Fail(ErrorCode::kUnavailable, "cannot write " + path.string() + ": " + Errno(error));
    }
    return {};
  }

  Result<void> InitDb() const {
    auto result = Run("initdb", {"-D", data_dir.string(), "-U", kSuperuser, "--auth=trust",
                                 "--encoding=UTF8", std::string("--locale=") + ClusterLocale()});
    if (!result) return Fail(result.error());
    if (result->exit_code != 0) {
      return Fail(ErrorCode::kUnavailable, "initdb failed in " + data_dir.string() + " (exit " +
                                               std::to_string(result->exit_code) +
                                               "): " + Trimmed(result->output));
    }
    log::Info("postgres_initdb", {{"data_dir", data_dir.string()}, {"locale", ClusterLocale()}});
    return {};
  }

  // Our settings live in wissen.conf, rewritten before every start so a moved data.dir gets
  // the right socket directory; postgresql.conf includes it (`include`, not
  // `include_if_exists`: a missing file must fail the start rather than fall back to TCP).
  Result<void> WriteConfig() const {
    const std::string config =
        "# Written by wissen before every start of the embedded cluster; edits are lost.\n"
        "listen_addresses = ''\n"
        "port = " +
        std::to_string(kPort) +
        "\n"
        "unix_socket_directories = '" +
        data_dir.string() +
        "'\n"
        "unix_socket_permissions = 0700\n"
        "max_connections = 100\n"
        "shared_buffers = 128MB\n"
        "fsync = on\n"
        "logging_collector = off\n";
    if (auto written = WriteOwnedFile(data_dir / kConfigFile, config); !written) return written;

    const fs::path main_conf = data_dir / "postgresql.conf";
    std::ifstream in(main_conf);
    if (!in) return Fail(ErrorCode::kUnavailable, "cannot read " + main_conf.string());
    std::string line;
    while (std::getline(in, line)) {
      if (line == kIncludeLine) return {};
    }
    std::ofstream out(main_conf, std::ios::app);
    out << "\n# Wissen's embedded-cluster settings.\n" << kIncludeLine << "\n";
    out.close();
    if (!out) return Fail(ErrorCode::kUnavailable, "cannot append to " + main_conf.string());
    return {};
  }

  Result<bool> IsRunning() const {
    auto result = Run("pg_ctl", {"status", "-D", data_dir.string()});
    if (!result) return Fail(result.error());
    return result->exit_code == 0;
  }

  Result<void> Start() const {
    if (auto written = WriteConfig(); !written) return written;
    // After a crash the old backends may still be exiting and hold the shared memory block
    // for a moment; postgres refuses to start then, so try a few times.
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      auto result = Run("pg_ctl", {"start", "-D", data_dir.string(), "-l", server_log().string(),
                                   "-w", "-t", kStartTimeoutSeconds, "-s"});
      if (!result) return Fail(result.error());
      if (result->exit_code == 0) return {};
      const std::string tail = LogTail(server_log());
      if (attempt < kAttempts &&
          tail.find("pre-existing shared memory block") != std::string::npos) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      return Fail(ErrorCode::kUnavailable,
                  "PostgreSQL did not start in " + data_dir.string() + " (pg_ctl exit " +
                      std::to_string(result->exit_code) + ": " + Trimmed(result->output) +
                      "); end of " + server_log().string() + ":\n" + tail);
    }
  }

  void Stop() const {
    auto result = Run("pg_ctl", {"stop", "-D", data_dir.string(), "-m", "fast", "-w", "-t",
                                 kStartTimeoutSeconds, "-s"});
    if (!result) {
      log::Warn("postgres_stop_failed",
                {{"data_dir", data_dir.string()}, {"error", result.error().ToString()}});
    } else if (result->exit_code != 0) {
      log::Warn("postgres_stop_failed", {{"data_dir", data_dir.string()},
                                         {"exit_code", result->exit_code},
                                         {"output", Trimmed(result->output)}});
    } else {
      log::Info("postgres_stopped", {{"data_dir", data_dir.string()}});
    }
  }

  // Creates the application database if it is missing. Callers hold the start lock, so two
  // wissen processes never race on CREATE DATABASE.
  Result<void> EnsureDatabase(const std::string& database) const {
    try {
      pqxx::connection connection(ConnectionString(data_dir, "postgres") + " connect_timeout=30");
      pqxx::nontransaction tx(connection);
      const pqxx::result found =
          tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database);
      if (found.empty()) {
        tx.exec("CREATE DATABASE " + connection.quote_name(database));
        log::Info("postgres_database_created", {{"database", database}});
      }
      return {};
    } catch (const pqxx::broken_connection& e) {
      return Fail(ErrorCode::kUnavailable, "cannot connect to the embedded PostgreSQL in " +
                                               data_dir.string() + ": " + Trimmed(e.what()));
    } catch (const pqxx::sql_error& e) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot create database '" + database + "' (SQLSTATE " + e.sqlstate() + ")");
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kInternal, std::string("embedded PostgreSQL: ") + e.what());
    }
  }
};

Result<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Open(
    const EmbeddedPostgresOptions& options) {
  if (options.data_dir.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "embedded PostgreSQL: data_dir is empty");
  }
  if (options.database.empty() || options.database.size() > 63 ||
      options.database.find('\0') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "embedded PostgreSQL: database name must be 1 to 63 bytes");
  }

  auto state = std::make_unique<State>();
  std::error_code ec;
  state->data_dir = fs::absolute(options.data_dir, ec).lexically_normal();
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot resolve " + options.data_dir.string());
  if (!state->data_dir.has_filename()) state->data_dir = state->data_dir.parent_path();
  if (state->data_dir == state->data_dir.root_path()) {
    return Fail(ErrorCode::kInvalidArgument, "embedded PostgreSQL: data_dir cannot be /");
  }
  if (auto ok = CheckPathCharacters(state->data_dir); !ok) return Fail(ok.error());
  const std::string socket_path = (state->data_dir / kSocketName).string();
  if (socket_path.size() >= kSunPathSize) {
    return Fail(ErrorCode::kUnavailable,
                "the PostgreSQL socket path " + socket_path + " is " +
                    std::to_string(socket_path.size()) + " bytes; unix sockets allow at most " +
                    std::to_string(kSunPathSize - 1) + ". Choose a shorter data.dir");
  }

  if (options.bin_dir.empty()) {
    auto bin_dir = DefaultBinDir();
    if (!bin_dir) return Fail(bin_dir.error());
    state->bin_dir = *bin_dir;
  } else {
    state->bin_dir = options.bin_dir;
  }
  if (auto ok = CheckBinaries(state->bin_dir); !ok) return Fail(ok.error());

  if (::geteuid() == 0) {
    if (options.run_as_user.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "embedded PostgreSQL: running as root needs run_as_user (initdb refuses root)");
    }
    auto user = LookUpUser(options.run_as_user);
    if (!user) return Fail(user.error());
    if (user->uid == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "embedded PostgreSQL: run_as_user '" + user->name + "' is root");
    }
    state->run_as = std::move(*user);
  }

  if (auto ok = PrepareParents(state->data_dir, state->run_as); !ok) return Fail(ok.error());
  if (auto ok = PrepareDataDir(state->data_dir, state->run_as); !ok) return Fail(ok.error());

  // The lock files sit beside the cluster directory, not in it: the directory belongs to the
  // cluster's user, and initdb wants it empty.
  const fs::path parent = state->data_dir.parent_path();
  const std::string base = state->data_dir.filename().string();
  state->start_lock_path = parent / (base + ".start");
  FileLock start_lock;
  if (auto ok = start_lock.Open(state->start_lock_path); !ok) return Fail(ok.error());
  if (auto ok = state->users.Open(parent / (base + ".users")); !ok) return Fail(ok.error());
  // Starting, attaching and the last user's stop all happen under the start lock, so a
  // process can never attach to a cluster that a leaving process is about to stop.
  if (auto ok = start_lock.Lock(LOCK_EX); !ok) return Fail(ok.error());
  if (auto ok = state->users.Lock(LOCK_SH); !ok) return Fail(ok.error());

  // From here on the object owns the shared lock; on failure its destructor stops a cluster
  // nobody else uses. The constructor is private, hence no make_unique.
  std::unique_ptr<EmbeddedPostgres> postgres(new EmbeddedPostgres());
  postgres->state_ = std::move(state);
  postgres->connection_string_ = ConnectionString(postgres->state_->data_dir, options.database);
  const State& s = *postgres->state_;

  auto opened = [&]() -> Result<void> {
    if (!fs::exists(s.data_dir / "PG_VERSION", ec)) {
      if (auto ok = s.InitDb(); !ok) return ok;
    }
    auto running = s.IsRunning();
    if (!running) return Fail(running.error());
    if (!*running) {
      if (auto ok = s.Start(); !ok) return ok;
      postgres->started_here_ = true;
      log::Info("postgres_started", {{"data_dir", s.data_dir.string()}});
    } else {
      log::Info("postgres_attached", {{"data_dir", s.data_dir.string()}});
    }
    return s.EnsureDatabase(options.database);
  }();
  start_lock.Close();
  if (!opened) return Fail(opened.error());
  return postgres;
}

Result<bool> EmbeddedPostgres::EnsureRunning() const {
  FileLock start_lock;
  if (auto ok = start_lock.Open(state_->start_lock_path); !ok) return Fail(ok.error());
  if (auto ok = start_lock.Lock(LOCK_EX); !ok) return Fail(ok.error());
  auto running = state_->IsRunning();
  if (!running) return Fail(running.error());
  if (*running) return false;
  log::Warn("postgres_not_running", {{"data_dir", state_->data_dir.string()}});
  if (auto started = state_->Start(); !started) return Fail(started.error());
  log::Info("postgres_restarted", {{"data_dir", state_->data_dir.string()}});
  return true;
}

EmbeddedPostgres::~EmbeddedPostgres() {
  if (!state_ || ::getpid() != state_->owner_pid) return;
  FileLock start_lock;
  if (!start_lock.Open(state_->start_lock_path) || !start_lock.Lock(LOCK_EX)) {
    log::Warn("postgres_stop_skipped",
              {{"data_dir", state_->data_dir.string()}, {"reason", "cannot take the start lock"}});
    return;
  }
  // Converting our shared lock to exclusive succeeds only when no other process (or other
  // EmbeddedPostgres in this one) holds it: we are the last user. A failed conversion may
  // drop our shared lock; that is fine, we are leaving.
  if (state_->users.TryLockExclusive()) {
    std::error_code ec;
    if (fs::exists(state_->data_dir / "postmaster.pid", ec)) state_->Stop();
  }
  state_->users.Close();
}

}  // namespace wissen::store

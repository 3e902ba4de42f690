#include "test_cluster.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

#include "wissen/store/embedded_postgres.h"

namespace wissen::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRootPrefix = "wissen-it-";

// Creates <parent>/<prefix>XXXXXX with mode 0755: when tests run as root, the cluster's user
// must be able to traverse it.
fs::path MakeDir(const fs::path& parent, const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  if (::chmod(pattern.c_str(), 0755) != 0) {
    throw std::runtime_error("chmod " + pattern + ": " + std::strerror(errno));
  }
  return pattern;
}

bool ProcessAlive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Stops the postmaster of a cluster whose test process died and waits for it to exit.
void StopOrphanPostmaster(const fs::path& cluster_dir) {
  std::ifstream pid_file(cluster_dir / "postmaster.pid");
  long pid = 0;
  if (!(pid_file >> pid) || pid <= 1) return;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!(comm >> name) || name != "postgres") return;  // stale file; nothing runs
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (pidfd < 0) return;
  ::kill(static_cast<pid_t>(pid), SIGINT);  // PostgreSQL's "fast" shutdown
  pollfd wait{pidfd, POLLIN, 0};
  if (::poll(&wait, 1, 30000) <= 0) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ::poll(&wait, 1, 30000);
  }
  ::close(pidfd);
}

// A test process killed by a crash or a ctest timeout cannot stop its cluster; the next test
// process cleans up after it, so CI machines do not collect postmasters.
void SweepOrphans(const fs::path& temp) {
  std::error_code ec;
  for (fs::directory_iterator it(temp, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kRootPrefix, 0) != 0) continue;
    const long owner = std::strtol(name.c_str() + std::strlen(kRootPrefix), nullptr, 10);
    if (owner <= 0 || owner == ::getpid() || ProcessAlive(static_cast<pid_t>(owner))) continue;
    // The users lock keeps two sweepers (and a live cluster user) apart; no O_CREAT, so a
    // directory another sweeper already removed is skipped.
    const int users = ::open((it->path() / "pg.users").c_str(), O_RDWR | O_CLOEXEC);
    if (users >= 0 && ::flock(users, LOCK_EX | LOCK_NB) != 0) {
      ::close(users);
      continue;
    }
    StopOrphanPostmaster(it->path() / "pg");
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
    if (users >= 0) ::close(users);
  }
}

std::string ConnValue(const std::string& value) {
  if (!value.empty() && value.find_first_of(" \t\n'\\=") == std::string::npos) return value;
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

class Harness {
 public:
  ~Harness() {
    // A forked child (death test, fork in a test) must leave the cluster to its parent.
    if (::getpid() != owner_) {
      (void)cluster_.release();
      return;
    }
    cluster_.reset();
    if (!root_.empty() && std::getenv("WISSEN_KEEP_TEST_DIRS") == nullptr) {
      std::error_code ignored;
      fs::remove_all(root_, ignored);
    }
  }

  const fs::path& Root() {
    std::lock_guard lock(mutex_);
    return RootLocked();
  }

  std::string FreshDatabase() {
    std::lock_guard lock(mutex_);
    if (start_error_) throw std::runtime_error(*start_error_);
    if (!cluster_) {
      store::EmbeddedPostgresOptions options;
      options.data_dir = RootLocked() / "pg";
      auto cluster = store::EmbeddedPostgres::Open(options);
      if (!cluster) {
        start_error_ = "test cluster did not start: " + cluster.error().ToString();
        throw std::runtime_error(*start_error_);
      }
      cluster_ = std::move(*cluster);
    }
    const std::string name = "test_" + std::to_string(++databases_);
    {
      pqxx::connection connection(ConnectionString("postgres"));
      pqxx::nontransaction tx(connection);
      tx.exec("CREATE DATABASE " + name);
    }
    return ConnectionString(name);
  }

 private:
  const fs::path& RootLocked() {
    if (root_.empty()) {
      const fs::path temp = fs::temp_directory_path();
      SweepOrphans(temp);
      root_ = MakeDir(temp, kRootPrefix + std::to_string(::getpid()) + "-");
    }
    return root_;
  }

  std::string ConnectionString(const std::string& database) const {
    return "host=" + ConnValue((root_ / "pg").string()) +
           " port=5432 dbname=" + ConnValue(database) + " user=wissen";
  }

  const pid_t owner_ = ::getpid();
  std::mutex mutex_;
  fs::path root_;
  std::unique_ptr<store::EmbeddedPostgres> cluster_;
  std::optional<std::string> start_error_;
  int databases_ = 0;
};

Harness& TheHarness() {
  static Harness harness;
  return harness;
}

}  // namespace

std::string FreshDatabase() { return TheHarness().FreshDatabase(); }

const std::filesystem::path& TempRoot() { return TheHarness().Root(); }

std::filesystem::path MakeTempDir(const std::string& prefix) { return MakeDir(TempRoot(), prefix); }

}  // namespace wissen::testing

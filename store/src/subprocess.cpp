#include "subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace wissen::store {
namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;

std::string Errno(int error) { return std::strerror(error); }

// Closes a descriptor on scope exit so every error path stays leak-free.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Writes all bytes, from the child: only async-signal-safe calls.
void WriteAll(int fd, const void* data, std::size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

// What went wrong in the child before exec, reported through the status pipe.
struct ChildFailure {
  int step;  // 1 setgroups, 2 setgid, 3 setuid, 4 exec, 5 dup2/chdir
  int error;
};

const char* StepName(int step) {
  switch (step) {
    case 1:
      return "setgroups";
    case 2:
      return "setgid";
    case 3:
      return "setuid";
    case 4:
      return "exec";
    default:
      return "set up";
  }
}

}  // namespace

Result<RunAsUser> LookUpUser(const std::string& name) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  int rc;
  while ((rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) ==
         ERANGE) {
    buffer.resize(buffer.size() * 2);
  }
  if (rc != 0 || found == nullptr) {
    return Fail(ErrorCode::kUnavailable,
                "system user '" + name +
                    "' does not exist; PostgreSQL refuses to run as root, so the embedded "
                    "cluster needs an unprivileged user (install the postgresql package, "
                    "which creates 'postgres', or choose another user)");
  }
  RunAsUser user;
  user.name = name;
  user.uid = found->pw_uid;
  user.gid = found->pw_gid;
  int count = 32;
  user.groups.resize(static_cast<std::size_t>(count));
  while (::getgrouplist(name.c_str(), user.gid, user.groups.data(), &count) < 0) {
    user.groups.resize(static_cast<std::size_t>(count) + 32);
    count = static_cast<int>(user.groups.size());
  }
  user.groups.resize(static_cast<std::size_t>(count));
  return user;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv,
                                 const std::optional<RunAsUser>& run_as) {
  if (argv.empty()) return Fail(ErrorCode::kInternal, "RunProcess: empty argv");

  // Everything the child needs is prepared before fork: after fork only async-signal-safe
  // calls are allowed, because other threads may hold the allocator's locks.
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PG", 2) == 0) continue;
    env.push_back(*entry);
  }
  env.push_back(nullptr);

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return Fail(ErrorCode::kInternal, "pipe: " + Errno(errno));
  }
  Fd out_read(out_pipe[0]);
  Fd out_write(out_pipe[1]);
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    return Fail(ErrorCode::kInternal, "pipe: " + Errno(errno));
  }
  Fd status_read(status_pipe[0]);
  Fd status_write(status_pipe[1]);
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) return Fail(ErrorCode::kInternal, "/dev/null: " + Errno(errno));

  const pid_t pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kInternal, "fork: " + Errno(errno));
  if (pid == 0) {
    auto fail = [&](int step) {
      ChildFailure failure{step, errno};
      WriteAll(status_write.get(), &failure, sizeof failure);
      ::_exit(127);
    };
    // The child must not inherit the caller's signal mask or ignored SIGPIPE, or the
    // postmaster it spawns would too.
    sigset_t empty;
    sigemptyset(&empty);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &default_action, nullptr);
    if (::dup2(dev_null.get(), 0) < 0 || ::dup2(out_write.get(), 1) < 0 ||
        ::dup2(out_write.get(), 2) < 0) {
      fail(5);
    }
    if (run_as) {
      if (::setgroups(run_as->groups.size(), run_as->groups.data()) != 0) fail(1);
      if (::setgid(run_as->gid) != 0) fail(2);
      if (::setuid(run_as->uid) != 0) fail(3);
    }
    // The caller's cwd may not be readable by the run-as user; initdb and pg_ctl get
    // absolute paths only.
    if (::chdir("/") != 0) fail(5);
    // Keep the status pipe (close-on-exec) open; drop every other inherited descriptor so the
    // long-lived postmaster holds none of the caller's files, sockets or locks.
    const int keep = status_write.get();
    if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
    ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    ::execve(args[0], args.data(), env.data());
    fail(4);
  }

  out_write.Reset();
  status_write.Reset();

  ProcessOutput result;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(out_read.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
    if (result.output.size() > 2 * kMaxOutput) {
      result.output.erase(0, result.output.size() - kMaxOutput);
    }
  }
  if (result.output.size() > kMaxOutput) {
    result.output.erase(0, result.output.size() - kMaxOutput);
  }

  ChildFailure failure{};
  ssize_t got;
  do {
    got = ::read(status_read.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(ErrorCode::kInternal, "waitpid: " + Errno(errno));
  }
  if (got == static_cast<ssize_t>(sizeof failure)) {
    std::string message = "cannot run " + argv[0];
    if (run_as) message += " as user '" + run_as->name + "'";
    message += std::string(": ") + StepName(failure.step) + ": " + Errno(failure.error);
    return Fail(ErrorCode::kUnavailable, std::move(message));
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace wissen::store

// The embedded cluster's life cycle as wissen processes see it: first start, attaching,
// last-user stop, restart, crash recovery and clear errors.
#include "wissen/store/embedded_postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "test_cluster.h"

extern char** environ;

namespace wissen::store {
namespace {

namespace fs = std::filesystem;

// Set in a child copy of this binary: open the cluster in this directory, report, and wait.
constexpr const char* kChildEnv = "WISSEN_TEST_PG_CHILD_DIR";

EmbeddedPostgresOptions OptionsIn(const fs::path& dir) {
  EmbeddedPostgresOptions options;
  options.data_dir = dir / "pg";
  return options;
}

std::unique_ptr<EmbeddedPostgres> OpenOrDie(const EmbeddedPostgresOptions& options) {
  auto opened = EmbeddedPostgres::Open(options);
  if (!opened) {
    ADD_FAILURE() << opened.error().ToString();
    return nullptr;
  }
  return std::move(*opened);
}

// The postmaster's pid from postmaster.pid, or 0 when the cluster is not running.
pid_t PostmasterPid(const EmbeddedPostgresOptions& options) {
  std::ifstream in(options.data_dir / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid)) return 0;
  return static_cast<pid_t>(pid);
}

bool Running(const EmbeddedPostgresOptions& options) {
  return fs::exists(options.data_dir / "postmaster.pid");
}

std::string QueryOne(const std::string& connection_string, const std::string& sql) {
  pqxx::connection connection(connection_string);
  pqxx::nontransaction tx(connection);
  return tx.exec(sql).at(0).at(0).as<std::string>();
}

// Another wissen process: this test binary re-executed in child mode, talking over pipes.
class ChildProcess {
 public:
  explicit ChildProcess(const fs::path& data_dir) {
    int to_child[2];
    int from_child[2];
    EXPECT_EQ(::pipe2(to_child, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(from_child, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    std::vector<std::string> env_strings = {std::string(kChildEnv) + "=" + data_dir.string()};
    std::vector<char*> env;
    for (char** entry = environ; *entry != nullptr; ++entry) env.push_back(*entry);
    env.push_back(env_strings[0].data());
    env.push_back(nullptr);
    std::string self = fs::read_symlink("/proc/self/exe").string();
    char* argv[] = {self.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, self.c_str(), &actions, nullptr, argv, env.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_child_ = to_child[1];
    from_child_ = ::fdopen(from_child[0], "r");
  }

  ~ChildProcess() {
    Finish();
    if (from_child_ != nullptr) std::fclose(from_child_);
  }

  // The child's first line: "started=<0|1> pid=<postmaster pid>" or "error=...".
  std::string ReadLine() {
    char buffer[4096];
    if (std::fgets(buffer, sizeof buffer, from_child_) == nullptr) return "";
    std::string line = buffer;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }

  // Closes the child's stdin, which makes it close its EmbeddedPostgres and exit.
  int Finish() {
    if (to_child_ >= 0) {
      ::close(to_child_);
      to_child_ = -1;
    }
    if (pid_ <= 0) return exit_status_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

 private:
  pid_t pid_ = 0;
  int to_child_ = -1;
  std::FILE* from_child_ = nullptr;
  int exit_status_ = -1;
};

int RunChild(const char* data_dir) {
  EmbeddedPostgresOptions options;
  options.data_dir = data_dir;
  auto opened = EmbeddedPostgres::Open(options);
  if (!opened) {
    std::printf("error=%s\n", opened.error().ToString().c_str());
    return 1;
  }
  std::printf("started=%d pid=%d\n", (*opened)->started_here() ? 1 : 0,
              static_cast<int>(PostmasterPid(options)));
  std::fflush(stdout);
  char buffer[64];
  while (std::fgets(buffer, sizeof buffer, stdin) != nullptr) {
  }
  opened->reset();
  return 0;
}

TEST(EmbeddedPostgresTest, StartsPrivateClusterAndStopsWhenLastUserLeaves) {
  const auto options = OptionsIn(testing::MakeTempDir("start-"));
  auto postgres = OpenOrDie(options);
  ASSERT_NE(postgres, nullptr);
  EXPECT_TRUE(postgres->started_here());
  EXPECT_TRUE(Running(options));
  EXPECT_TRUE(fs::exists(options.data_dir / ".s.PGSQL.5432"));
  EXPECT_TRUE(fs::exists(options.data_dir / "server.log"));

  const std::string conn = postgres->connection_string();
  EXPECT_EQ(QueryOne(conn, "SELECT current_database()"), "wissen");
  EXPECT_EQ(QueryOne(conn, "SHOW listen_addresses"), "");
  EXPECT_EQ(QueryOne(conn, "SHOW unix_socket_permissions"), "0700");
  EXPECT_EQ(QueryOne(conn, "SHOW server_encoding"), "UTF8");
  EXPECT_EQ(QueryOne(conn, "SHOW fsync"), "on");
  if (::geteuid() == 0) {
    struct stat st {};
    ASSERT_EQ(::stat(options.data_dir.c_str(), &st), 0);
    const passwd* user = ::getpwnam("postgres");
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(st.st_uid, user->pw_uid) << "as root the cluster belongs to run_as_user";
  }

  postgres.reset();
  EXPECT_FALSE(Running(options));
}

TEST(EmbeddedPostgresTest, SecondOpenInSameProcessAttaches) {
  const auto options = OptionsIn(testing::MakeTempDir("attach-"));
  auto first = OpenOrDie(options);
  ASSERT_NE(first, nullptr);
  const pid_t postmaster = PostmasterPid(options);
  auto second = OpenOrDie(options);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(first->started_here());
  EXPECT_FALSE(second->started_here());
  EXPECT_EQ(PostmasterPid(options), postmaster) << "no second postmaster";

  first.reset();  // the starter leaves first; the cluster must stay up for the other user
  EXPECT_TRUE(Running(options));
  EXPECT_EQ(QueryOne(second->connection_string(), "SELECT 1"), "1");

  second.reset();
  EXPECT_FALSE(Running(options));
}

TEST(EmbeddedPostgresTest, OtherProcessAttachesAndKeepsClusterAlive) {
  const auto options = OptionsIn(testing::MakeTempDir("child-"));
  auto mine = OpenOrDie(options);
  ASSERT_NE(mine, nullptr);
  const pid_t postmaster = PostmasterPid(options);

  ChildProcess child(options.data_dir);
  EXPECT_EQ(child.ReadLine(), "started=0 pid=" + std::to_string(postmaster));

  mine.reset();
  EXPECT_TRUE(Running(options)) << "stopped while another process still used it";
  EXPECT_EQ(PostmasterPid(options), postmaster);

  EXPECT_EQ(child.Finish(), 0);
  EXPECT_FALSE(Running(options)) << "the last process to leave stops the cluster";
}

TEST(EmbeddedPostgresTest, OtherProcessStartsWhenNoneRuns) {
  const auto options = OptionsIn(testing::MakeTempDir("child-first-"));
  ChildProcess child(options.data_dir);
  const std::string line = child.ReadLine();
  EXPECT_EQ(line.rfind("started=1 pid=", 0), 0u) << line;

  auto mine = OpenOrDie(options);
  ASSERT_NE(mine, nullptr);
  EXPECT_FALSE(mine->started_here());
  EXPECT_EQ(child.Finish(), 0);
  EXPECT_TRUE(Running(options));
  mine.reset();
  EXPECT_FALSE(Running(options));
}

TEST(EmbeddedPostgresTest, RestartKeepsData) {
  const auto options = OptionsIn(testing::MakeTempDir("restart-"));
  {
    auto postgres = OpenOrDie(options);
    ASSERT_NE(postgres, nullptr);
    pqxx::connection connection(postgres->connection_string());
    pqxx::work tx(connection);
    tx.exec("CREATE TABLE notes (body text)");
    tx.exec("INSERT INTO notes VALUES ('survives')");
    tx.commit();
  }
  ASSERT_FALSE(Running(options));

  auto postgres = OpenOrDie(options);
  ASSERT_NE(postgres, nullptr);
  EXPECT_TRUE(postgres->started_here());
  EXPECT_EQ(QueryOne(postgres->connection_string(), "SELECT body FROM notes"), "survives");
}

// Every process in a process group (the postmaster and its backends share one: pg_ctl
// starts the postmaster in a new session).
std::vector<pid_t> ProcessGroup(pid_t group) {
  std::vector<pid_t> members;
  DIR* proc = ::opendir("/proc");
  while (dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    int pgrp = 0;
    if (std::sscanf(stat.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        pgrp == group) {
      members.push_back(pid);
    }
  }
  ::closedir(proc);
  return members;
}

TEST(EmbeddedPostgresTest, RecoversFromStalePostmasterPidAfterKill) {
  // Become the reaper of the orphaned postmaster so its pid really disappears after the kill
  // (a container's init may never reap it, and a zombie still looks alive to PostgreSQL).
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const auto options = OptionsIn(testing::MakeTempDir("crash-"));
  auto postgres = OpenOrDie(options);
  ASSERT_NE(postgres, nullptr);
  {
    pqxx::connection connection(postgres->connection_string());
    pqxx::work tx(connection);
    tx.exec("CREATE TABLE notes (body text)");
    tx.exec("INSERT INTO notes VALUES ('committed before the crash')");
    tx.commit();
  }
  const pid_t postmaster = PostmasterPid(options);
  ASSERT_GT(postmaster, 0);
  const std::vector<pid_t> group = ProcessGroup(postmaster);
  ASSERT_FALSE(group.empty());
  ASSERT_EQ(::kill(-postmaster, SIGKILL), 0);
  for (pid_t pid : group) ::waitpid(pid, nullptr, 0);  // all are ours once the postmaster died
  ASSERT_TRUE(Running(options)) << "the crash leaves postmaster.pid behind";
  postgres.reset();  // its stop fails (nothing runs) and is only logged

  auto again = OpenOrDie(options);
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->started_here());
  EXPECT_NE(PostmasterPid(options), postmaster);
  EXPECT_EQ(QueryOne(again->connection_string(), "SELECT body FROM notes"),
            "committed before the crash");
  again.reset();
  EXPECT_FALSE(Running(options));
  // Reap the stopped postmaster and its helpers, then stop being a subreaper.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST(EmbeddedPostgresTest, MissingBinariesAreAClearError) {
  auto options = OptionsIn(testing::MakeTempDir("bin-"));
  options.bin_dir = "/nonexistent/postgresql/bin";
  auto opened = EmbeddedPostgres::Open(options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("/nonexistent/postgresql/bin/initdb"), std::string::npos)
      << opened.error().message;
}

TEST(EmbeddedPostgresTest, TooLongSocketPathIsAClearError) {
  EmbeddedPostgresOptions options;
  options.data_dir = testing::MakeTempDir("long-") / std::string(100, 'd') / "pg";
  auto opened = EmbeddedPostgres::Open(options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("socket path"), std::string::npos)
      << opened.error().message;
  EXPECT_FALSE(fs::exists(options.data_dir)) << "nothing is created before the check";
}

TEST(EmbeddedPostgresTest, AsRootNamesTheDirectoryTheClusterUserCannotEnter) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root hands the cluster to another user";
  const fs::path closed = testing::MakeTempDir("closed-");
  ASSERT_EQ(::chmod(closed.c_str(), 0700), 0);
  EmbeddedPostgresOptions options;
  options.data_dir = closed / "data" / "pg";
  auto opened = EmbeddedPostgres::Open(options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("cannot enter directory " + closed.string() + " "),
            std::string::npos)
      << opened.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(closed.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u) << "a directory Wissen did not create is left alone";
}

TEST(EmbeddedPostgresTest, AsRootMakesDirectoriesItCreatedTraversable) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root hands the cluster to another user";
  const fs::path base = testing::MakeTempDir("umask-");
  const mode_t old_umask = ::umask(077);
  EmbeddedPostgresOptions options;
  options.data_dir = base / "a" / "b" / "pg";
  auto postgres = EmbeddedPostgres::Open(options);
  ::umask(old_umask);
  ASSERT_TRUE(postgres) << postgres.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat((base / "a").c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IXOTH, 0u);
}

}  // namespace
}  // namespace wissen::store

int main(int argc, char** argv) {
  if (const char* child_dir = std::getenv(wissen::store::kChildEnv)) {
    return wissen::store::RunChild(child_dir);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

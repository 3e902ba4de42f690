// Integration-test harness: one embedded PostgreSQL cluster per test process.
//
// The cluster is the same EmbeddedPostgres code `wissen` runs. It starts on the first
// FreshDatabase() call in a private temp root (so parallel ctest processes never share a
// cluster), is stopped at normal process exit, and the temp root is removed with it
// (set WISSEN_KEEP_TEST_DIRS=1 to keep it for a post-mortem). Clusters left running by a test
// process that crashed are stopped and removed by the next test process that starts one.
// Works as root (the cluster runs as `postgres`) and as an ordinary user.
// Thread-safe. Failures to start the cluster throw std::runtime_error with the reason, which
// GoogleTest reports as the failing test's message.
#pragma once

#include <filesystem>
#include <string>

namespace wissen::testing {

// A libpq connection string for a brand-new, empty database (unique name) on this process's
// cluster, connecting as the cluster's superuser over its unix socket.
std::string FreshDatabase();

// This process's temp root (mode 0755, created on first use). The cluster lives in
// TempRoot()/pg; MakeTempDir() creates its directories here too.
const std::filesystem::path& TempRoot();

// Creates a new, empty directory TempRoot()/<prefix>XXXXXX (mode 0755, so the cluster's user
// can traverse it when tests run as root). Removed with TempRoot() at exit.
std::filesystem::path MakeTempDir(const std::string& prefix);

}  // namespace wissen::testing

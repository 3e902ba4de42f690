// Runs a helper program (initdb, pg_ctl) with its output captured, optionally as another user.
//
// Private to wissen_store. fork + execve with an argv vector: no shell, so paths with spaces
// or quotes cannot inject commands. Thread-safe (the child only makes async-signal-safe calls
// between fork and exec).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::store {

// The identity a child switches to before exec (used when wissen runs as root).
struct RunAsUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, resolved in the parent
};

// Looks up a system user and its groups. kUnavailable when the user does not exist.
Result<RunAsUser> LookUpUser(const std::string& name);

struct ProcessOutput {
  int exit_code = -1;  // exit status, or 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr interleaved; the last 64 KiB when longer
};

// Runs argv[0] (an absolute path) with stdin from /dev/null and stdout+stderr captured, and
// waits for it. The child gets the parent's environment minus PG* variables (so a user's
// PGPORT or PGDATA cannot redirect the cluster), cwd "/", and no inherited descriptors beyond
// 0-2. Errors: kUnavailable when the program cannot be started (missing, not executable,
// cannot switch user), kInternal when fork or pipe fail; a non-zero exit is a value.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv,
                                 const std::optional<RunAsUser>& run_as);

}  // namespace wissen::store

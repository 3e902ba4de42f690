// EmbeddedPostgres: the private PostgreSQL cluster Wissen runs when `database.url` is empty.
//
// The cluster lives in data_dir (initdb on first use: superuser `wissen`, trust auth, UTF8,
// locale C.UTF-8 or C), listens on no TCP port (listen_addresses = '') and only on a unix
// socket inside data_dir (mode 0700, so only the cluster's user and root can connect).
// Wissen's settings are rewritten to data_dir/wissen.conf before every start; the server
// log is data_dir/server.log. initdb and pg_ctl output is captured, never printed.
//
// Several wissen processes share one running cluster: each holds a shared flock on
// <data_dir>.users (a file beside the cluster directory) while its object lives; starting,
// attaching and stopping are serialized by an exclusive flock on <data_dir>.start, and the
// last user to leave stops the cluster (pg_ctl stop -m fast). A cluster left with a stale
// postmaster.pid by a crash is simply started again.
//
// When the calling process is root the PostgreSQL processes run as `run_as_user` (initdb
// refuses root): data_dir is created and chowned to that user, and every ancestor must be
// searchable by it. Ancestors that Open itself created get o+x if they lack it (umask 077);
// existing directories are never changed, Open fails naming the one that blocks the way.
//
// Not copyable; thread-safe (immutable after Open). Normally one object per process; several
// objects (in one process or many) on the same data_dir are fine. An object inherited by a forked
// child does nothing there.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "wissen/core/result.h"

namespace wissen::store {

struct EmbeddedPostgresOptions {
  // The cluster directory, normally <data.dir>/pg. Created if missing.
  std::filesystem::path data_dir;
  // System user that owns and runs the cluster when the calling process is root.
  // Ignored otherwise. Default: "postgres" (created by Debian's postgresql package).
  std::string run_as_user = "postgres";
  // Directory with initdb, pg_ctl and postgres. Default: the newest /usr/lib/postgresql/*/bin.
  std::filesystem::path bin_dir;
  // Database created on first start and named in connection_string(). Default: "wissen".
  std::string database = "wissen";
};

class EmbeddedPostgres {
 public:
  // Starts the cluster, or attaches to the one already running in data_dir, and creates
  // `database` if it is missing. Blocks while another process starts or stops the cluster.
  // Errors: kUnavailable with the reason (binaries missing, initdb or start failed with the
  // tail of the server log, socket path >= 108 bytes, a directory the cluster's user cannot
  // enter) so `wissen` can print it and exit; kInvalidArgument for unusable options.
  static Result<std::unique_ptr<EmbeddedPostgres>> Open(const EmbeddedPostgresOptions& options);

  // Stops the cluster if this was the last user (no other object, in any process, holds it).
  // A failed stop is logged, not reported.
  ~EmbeddedPostgres();
  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // libpq connection string: "host=<data_dir> port=5432 dbname=<database> user=wissen".
  const std::string& connection_string() const { return connection_string_; }
  // Starts the cluster again if it is no longer running (its postmaster was killed or
  // crashed; PostgreSQL then recovers from its WAL). Returns true when it had to start it.
  // Serialized with every other start and stop by the start lock. Errors: kUnavailable as
  // for Open; the caller retries later.
  Result<bool> EnsureRunning() const;

  // Whether this Open started the cluster (false when it attached to a running one).
  bool started_here() const { return started_here_; }

 private:
  EmbeddedPostgres() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::string connection_string_;
  bool started_here_ = false;
};

}  // namespace wissen::store

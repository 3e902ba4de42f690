// EmbeddedPostgres: the private PostgreSQL cluster Wissen runs when `database.url` is empty.
//
// The cluster lives in data_dir (initdb on first use), listens on no TCP port
// (listen_addresses = '') and only on a unix socket inside data_dir. Several wissen processes
// share one running cluster: each holds a shared lock on data_dir/../pg.users while it runs;
// the last one to leave stops the cluster. When running as root the PostgreSQL processes run
// as `run_as_user` (initdb refuses root). Not copyable; one object per process.
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
  // Starts the cluster, or attaches to the one already running in data_dir.
  // Errors: kUnavailable with the reason (binaries missing, initdb or start failed with the
  // tail of the server log, socket path too long) so `wissen` can print it and exit.
  static Result<std::unique_ptr<EmbeddedPostgres>> Open(const EmbeddedPostgresOptions& options);

  // Stops the cluster if this was the last wissen process using it.
  ~EmbeddedPostgres();
  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // libpq connection string: "host=<socket dir> dbname=<database> user=wissen".
  const std::string& connection_string() const { return connection_string_; }
  // Whether this process started the cluster (false when it attached to a running one).
  bool started_here() const { return started_here_; }

 private:
  EmbeddedPostgres() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::string connection_string_;
  bool started_here_ = false;
};

}  // namespace wissen::store

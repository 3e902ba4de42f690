// Runtime: what every command needs once the config is loaded: the database (embedded
// cluster or a configured URL) with the schema migrated, a catalog connection and the
// configured embedder. Owns them; destroying it stops an embedded cluster this process
// was the last user of.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "wissen/app/config.h"
#include "wissen/engine/embedder.h"
#include "wissen/retriever/thesaurus.h"
#include "wissen/store/catalog.h"
#include "wissen/store/embedded_postgres.h"
#include "wissen/store/migrator.h"

namespace wissen::app {

class Runtime {
 public:
  // Starts or attaches to the database, applies pending migrations and connects.
  static Result<std::unique_ptr<Runtime>> Open(const Config& config);
  ~Runtime();

  const Config& config() const { return config_; }
  const std::string& connection_string() const { return connection_string_; }
  store::Catalog& catalog() { return *catalog_; }
  const engine::Embedder& embedder() const { return *embedder_; }
  // The synonym thesaurus for query expansion, loaded on first use (Debian's WordNet and
  // OpenThesaurus files; empty when they are not installed). Null when
  // retrieval.thesaurus_terms is 0. Thread-safe.
  const retriever::Thesaurus* thesaurus() const;
  // When the database is the embedded cluster and it is no longer running, starts it again
  // (true). Nothing to do for an external database (false): its connections reconnect.
  Result<bool> EnsureDatabaseRunning() const;
  // A further catalog connection, for another thread.
  Result<std::unique_ptr<store::Catalog>> NewCatalog() const;

 private:
  explicit Runtime(Config config) : config_(std::move(config)) {}
  Config config_;
  std::unique_ptr<store::EmbeddedPostgres> embedded_;
  std::string connection_string_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<engine::Embedder> embedder_;
  mutable std::once_flag thesaurus_once_;
  mutable std::unique_ptr<retriever::Thesaurus> thesaurus_;
};

// The migrations compiled into this binary.
std::vector<store::Migration> BuiltinMigrations();

}  // namespace wissen::app

#include "wissen/app/runtime.h"

#include "wissen/core/log.h"
#include "wissen/engine/openai_embedder.h"
#include "wissen/migrations/migrations.h"
#include "wissen/store/migrator.h"

namespace wissen::app {

std::vector<store::Migration> BuiltinMigrations() {
  size_t count = 0;
  const migrations::EmbeddedMigration* all = migrations::All(&count);
  std::vector<store::Migration> list;
  for (size_t i = 0; i < count; ++i) list.push_back({all[i].version, all[i].name, all[i].sql});
  return list;
}

Runtime::~Runtime() {
  // The catalog's connection must close before an embedded cluster is stopped.
  catalog_.reset();
  embedded_.reset();
}

Result<std::unique_ptr<Runtime>> Runtime::Open(const Config& config) {
  std::unique_ptr<Runtime> runtime(new Runtime(config));
  if (config.database_url.empty()) {
    store::EmbeddedPostgresOptions options;
    options.data_dir = config.pg_dir();
    options.run_as_user = config.embedded_user;
    auto embedded = store::EmbeddedPostgres::Open(options);
    if (!embedded) return Fail(embedded.error());
    runtime->embedded_ = std::move(*embedded);
    runtime->connection_string_ = runtime->embedded_->connection_string();
  } else {
    runtime->connection_string_ = config.database_url;
  }
  auto migrated = store::ApplyMigrations(runtime->connection_string_, BuiltinMigrations());
  if (!migrated) return Fail(migrated.error());
  if (migrated->applied > 0) {
    log::Info("database.migrated",
              {{"applied", migrated->applied}, {"version", migrated->current_version}});
  }
  auto catalog = store::Catalog::Connect(runtime->connection_string_);
  if (!catalog) return Fail(catalog.error());
  runtime->catalog_ = std::move(*catalog);
  if (config.embedding.backend == "openai") {
    // No request is made here: commands that never embed (status, lexical search) must work
    // while the embedding server is down.
    runtime->embedder_ = engine::MakeOpenAiEmbedder(config.embedding.openai);
  } else {
    engine::BuiltinEmbedderOptions embedder_options;
    embedder_options.dimension = config.embedding_dimension;
    runtime->embedder_ = engine::MakeBuiltinEmbedder(embedder_options);
  }
  return runtime;
}

const retriever::Thesaurus* Runtime::thesaurus() const {
  if (config_.retrieval.thesaurus_terms <= 0) return nullptr;
  std::call_once(thesaurus_once_, [this] {
    auto loaded = retriever::Thesaurus::Load(retriever::ThesaurusOptions{});
    if (loaded) {
      thesaurus_ = std::move(*loaded);
    } else {
      // Synonyms only refine ranking: search works without them.
      log::Warn("thesaurus.unavailable", {{"error", loaded.error().ToString()}});
    }
  });
  return thesaurus_.get();
}

Result<bool> Runtime::EnsureDatabaseRunning() const {
  if (!embedded_) return false;
  return embedded_->EnsureRunning();
}

Result<std::unique_ptr<store::Catalog>> Runtime::NewCatalog() const {
  return store::Catalog::Connect(connection_string_);
}

}  // namespace wissen::app

// [embedding]: the built-in hashing embedder or an OpenAI-compatible /v1/embeddings server.
#include <cstdlib>
#include <string>

#include "config_reader.h"

namespace wissen::app::internal {

void ReadEmbedding(Reader& r, const toml::table& root, Config* config) {
  EmbeddingConfig& e = config->embedding;
  engine::OpenAiEmbedderOptions& o = e.openai;
  int dimension = 0;  // 0: not given in [embedding]
  if (const toml::table* table = r.Table(root, "embedding")) {
    const char* where = "embedding";
    r.OnlyKeys(*table, where,
               {"backend", "base_url", "model", "api_key", "dimension", "version", "batch_size",
                "max_input_chars", "query_prefix", "passage_prefix", "connect_timeout_ms",
                "request_timeout_ms", "retries", "retry_backoff_ms"});
    r.String(*table, where, "backend", &e.backend);
    if (e.backend != "builtin" && e.backend != "openai") {
      r.Problem("embedding.backend", "expected \"builtin\" or \"openai\"");
    }
    r.String(*table, where, "base_url", &o.base_url);
    r.String(*table, where, "model", &o.model);
    r.String(*table, where, "api_key", &o.api_key);
    r.Integer(*table, where, "dimension", &dimension, 1, 65536);
    r.String(*table, where, "version", &o.version);
    r.Integer(*table, where, "batch_size", &o.batch_size, 1, 4096);
    r.Integer(*table, where, "max_input_chars", &o.max_input_chars, 16, 1 << 24);
    r.String(*table, where, "query_prefix", &o.query_prefix);
    r.String(*table, where, "passage_prefix", &o.passage_prefix);
    r.Integer(*table, where, "connect_timeout_ms", &o.connect_timeout_ms, 1, 600000);
    r.Integer(*table, where, "request_timeout_ms", &o.request_timeout_ms, 1, 3600000);
    r.Integer(*table, where, "retries", &o.retries, 0, 10);
    r.Integer(*table, where, "retry_backoff_ms", &o.retry_backoff_ms, 0, 600000);
  }
  if (const char* key = std::getenv("WISSEN_EMBEDDING_API_KEY"); key != nullptr && *key != '\0') {
    o.api_key = key;
  }
  if (!r.ok()) return;

  if (e.backend == "builtin") {
    // [index] dimension predates [embedding] and keeps working; two different values would
    // leave it unclear which one built the index.
    const toml::node* index_dimension = root.at_path("index.dimension").node();
    if (dimension > 0) {
      if (index_dimension != nullptr && dimension != config->embedding_dimension) {
        r.Problem("embedding.dimension", "differs from index.dimension; set only one of them");
        return;
      }
      if (dimension < 32 || dimension > 4096) {
        r.Problem("embedding.dimension",
                  "expected an integer from 32 to 4096 for the built-in "
                  "embedder");
        return;
      }
      config->embedding_dimension = dimension;
    }
    return;
  }
  if (dimension == 0) {
    r.Problem("embedding.dimension", "expected the model's vector size (e.g. 384, 768, 1024)");
    return;
  }
  o.dimension = dimension;
  if (o.model.empty()) {
    r.Problem("embedding.model", "expected the model name the embedding server serves");
    return;
  }
  if (auto valid = engine::ValidateOpenAiEmbedderOptions(o); !valid) {
    r.Problem("embedding", valid.error().message);
  }
}

}  // namespace wissen::app::internal

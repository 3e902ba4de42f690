#include "wissen/app/config.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "config_reader.h"
#include "wissen/core/acl.h"

namespace wissen::app {
namespace fs = std::filesystem;

using internal::Reader;
using internal::Resolve;

Result<Config> ParseConfig(std::string_view toml_text, const fs::path& config_file) {
  Config config;
  config.config_file = fs::absolute(config_file).lexically_normal();
  const fs::path base = config.config_file.parent_path();
  Reader r(config.config_file.string());

  toml::table root;
  try {
    root = toml::parse(toml_text, config.config_file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << config.config_file.string() << ":" << e.source().begin.line << ":"
            << e.source().begin.column << ": " << e.description();
    return Fail(ErrorCode::kConfig, message.str());
  }
  r.OnlyKeys(root, "",
             {"data", "database", "log", "index", "retrieval", "generation", "answer", "embedding",
              "sources", "server", "auth", "audit", "ocr"});

  std::string data_dir = "var";
  if (const toml::table* data = r.Table(root, "data")) {
    r.OnlyKeys(*data, "data", {"dir"});
    r.String(*data, "data", "dir", &data_dir);
  }
  config.data_dir = Resolve(base, data_dir);

  if (const toml::table* database = r.Table(root, "database")) {
    r.OnlyKeys(*database, "database", {"url", "embedded_user"});
    r.String(*database, "database", "url", &config.database_url);
    r.String(*database, "database", "embedded_user", &config.embedded_user);
  }
  if (const char* url = std::getenv("WISSEN_DATABASE_URL"); url != nullptr && *url != '\0') {
    config.database_url = url;
  }

  if (const toml::table* log_table = r.Table(root, "log")) {
    r.OnlyKeys(*log_table, "log", {"level"});
    r.String(*log_table, "log", "level", &config.log_level);
    static const std::set<std::string> kLevels = {"debug", "info", "warn", "error", "off"};
    if (!kLevels.contains(config.log_level)) {
      r.Problem("log.level", "expected one of debug, info, warn, error, off");
    }
  }

  if (const toml::table* index = r.Table(root, "index")) {
    r.OnlyKeys(*index, "index",
               {"chunk_target_chars", "chunk_max_chars", "chunk_overlap_sentences", "dimension",
                "ann_threshold", "hnsw_threshold", "ivf_threshold", "approximate_index"});
    r.Integer(*index, "index", "chunk_target_chars", &config.chunker.target_chars, 100, 20000);
    r.Integer(*index, "index", "chunk_max_chars", &config.chunker.max_chars, 200, 40000);
    r.Integer(*index, "index", "chunk_overlap_sentences", &config.chunker.overlap_sentences, 0, 10);
    r.Integer(*index, "index", "dimension", &config.embedding_dimension, 32, 4096);
    // ivf_threshold and hnsw_threshold are older names; with several set, the newest wins.
    auto& vectors = config.vector_build;
    for (const char* key : {"ivf_threshold", "hnsw_threshold", "ann_threshold"}) {
      r.Integer(*index, "index", key, &vectors.ann_threshold, 1000, 1LL << 40);
    }
    std::string approximate = store::PartitionKindName(vectors.approximate_kind);
    r.String(*index, "index", "approximate_index", &approximate);
    if (auto kind = store::ApproximateKindNamed(approximate)) {
      vectors.approximate_kind = *kind;
    } else {
      r.Problem("index.approximate_index", "expected \"ivf\" or \"hnsw\"");
    }
    if (config.chunker.max_chars < config.chunker.target_chars) {
      r.Problem("index.chunk_max_chars", "must be at least index.chunk_target_chars");
    }
  }

  if (const toml::table* retrieval = r.Table(root, "retrieval")) {
    r.OnlyKeys(*retrieval, "retrieval",
               {"candidates", "rrf_k", "lexical_weight", "vector_weight", "ef_search", "nprobe",
                "mode", "max_per_document", "bm25_k1", "thesaurus_terms", "thesaurus_weight",
                "bm25_b", "feedback_documents", "feedback_terms", "feedback_weight",
                "parallel_min_chunks", "common_word_share", "ivf_rerank"});
    auto& options = config.retrieval;
    r.Integer(*retrieval, "retrieval", "candidates", &options.candidates, 1, 10000);
    r.Number(*retrieval, "retrieval", "rrf_k", &options.rrf_k, 0, 10000);
    r.Number(*retrieval, "retrieval", "lexical_weight", &options.lexical_weight, 0, 100);
    r.Number(*retrieval, "retrieval", "vector_weight", &options.vector_weight, 0, 100);
    r.Integer(*retrieval, "retrieval", "ef_search", &options.vector.ef_search, 1, 4096);
    r.Integer(*retrieval, "retrieval", "nprobe", &options.vector.nprobe, 1, 65536);
    r.Integer(*retrieval, "retrieval", "ivf_rerank", &options.vector.ivf_rerank, 0, 1000);
    r.Integer(*retrieval, "retrieval", "parallel_min_chunks", &options.parallel_min_chunks, 0,
              1LL << 40);
    r.Integer(*retrieval, "retrieval", "max_per_document", &options.max_per_document, 0, 1000);
    r.Integer(*retrieval, "retrieval", "thesaurus_terms", &options.thesaurus_terms, 0, 50);
    r.Number(*retrieval, "retrieval", "thesaurus_weight", &options.lexical.expansion_weight, 0, 10);
    r.Number(*retrieval, "retrieval", "bm25_k1", &options.lexical.bm25_k1, 0, 10);
    r.Number(*retrieval, "retrieval", "bm25_b", &options.lexical.bm25_b, 0, 1);
    r.Integer(*retrieval, "retrieval", "feedback_documents", &options.lexical.feedback_documents, 0,
              100);
    r.Integer(*retrieval, "retrieval", "feedback_terms", &options.lexical.feedback_terms, 1, 100);
    r.Number(*retrieval, "retrieval", "feedback_weight", &options.lexical.feedback_weight, 0, 10);
    r.Number(*retrieval, "retrieval", "common_word_share", &options.lexical.common_word_share, 0,
             1);
    std::string mode = "hybrid";
    r.String(*retrieval, "retrieval", "mode", &mode);
    if (mode == "hybrid") {
      options.mode = retriever::RetrievalMode::kHybrid;
    } else if (mode == "lexical") {
      options.mode = retriever::RetrievalMode::kLexical;
    } else if (mode == "vector") {
      options.mode = retriever::RetrievalMode::kVector;
    } else {
      r.Problem("retrieval.mode", "expected \"hybrid\", \"lexical\" or \"vector\"");
    }
  }

  if (const toml::table* generation = r.Table(root, "generation")) {
    const char* where = "generation";
    r.OnlyKeys(*generation, where,
               {"backend", "base_url", "model", "api_key", "temperature", "max_tokens", "seed",
                "stream", "connect_timeout_ms", "first_token_timeout_ms", "total_timeout_ms",
                "retries", "breaker_failures", "breaker_cooldown_ms", "context_token_budget",
                "extractive_min_score"});
    auto& g = config.generation;
    r.String(*generation, where, "backend", &g.backend);
    if (g.backend != "extractive" && g.backend != "openai") {
      r.Problem("generation.backend", "expected \"extractive\" or \"openai\"");
    }
    r.String(*generation, where, "base_url", &g.openai.base_url);
    r.String(*generation, where, "model", &g.openai.model);
    r.String(*generation, where, "api_key", &g.openai.api_key);
    r.Number(*generation, where, "temperature", &g.openai.temperature, 0, 2);
    r.Integer(*generation, where, "max_tokens", &g.openai.max_tokens, 1, 32768);
    int seed = -1;
    r.Integer(*generation, where, "seed", &seed, 0, 2147483647);
    if (seed >= 0) g.openai.seed = seed;
    r.Bool(*generation, where, "stream", &g.openai.stream);
    r.Integer(*generation, where, "connect_timeout_ms", &g.openai.connect_timeout_ms, 1, 600000);
    r.Integer(*generation, where, "first_token_timeout_ms", &g.openai.first_token_timeout_ms, 1,
              3600000);
    r.Integer(*generation, where, "total_timeout_ms", &g.openai.total_timeout_ms, 1, 3600000);
    r.Integer(*generation, where, "retries", &g.openai.retries, 0, 10);
    r.Integer(*generation, where, "breaker_failures", &g.openai.breaker_failures, 1, 1000);
    r.Integer(*generation, where, "breaker_cooldown_ms", &g.openai.breaker_cooldown_ms, 0, 3600000);
    r.Integer(*generation, where, "context_token_budget", &g.prompt.context_token_budget, 100,
              1000000);
    r.Number(*generation, where, "extractive_min_score", &g.extractive.min_score, 0, 1);
  }
  if (const char* token = std::getenv("WISSEN_METRICS_TOKEN"); token != nullptr && *token != '\0') {
    config.server.metrics_token = token;
  }
  if (!config.server.metrics_token.empty() && config.server.metrics_token.size() < 16) {
    return Fail(ErrorCode::kConfig, "server.metrics_token: use at least 16 characters");
  }
  if (const char* key = std::getenv("WISSEN_LLM_API_KEY"); key != nullptr && *key != '\0') {
    config.generation.openai.api_key = key;
  }
  if (config.generation.backend == "openai") {
    if (config.generation.openai.model.empty()) {
      r.Problem("generation.model", "expected the model name the server serves");
    }
    if (auto valid = engine::ValidateOpenAiOptions(config.generation.openai); !valid) {
      r.Problem("generation", valid.error().message);
    }
  }

  if (const toml::table* answer = r.Table(root, "answer")) {
    const char* where = "answer";
    r.OnlyKeys(*answer, where,
               {"passages", "max_question_chars", "redaction_exempt_roles", "cache_entries",
                "cache_ttl_seconds"});
    auto& a = config.answer;
    r.Integer(*answer, where, "passages", &a.passages, 1, 50);
    r.Integer(*answer, where, "max_question_chars", &a.max_question_chars, 10, 100000);
    r.StringList(*answer, where, "redaction_exempt_roles", &a.redaction_exempt_roles);
    for (const auto& role : a.redaction_exempt_roles) {
      if (!IsValidRoleName(role)) {
        r.Problem("answer.redaction_exempt_roles", "\"" + role + "\" is not a role name");
      }
    }
    r.Integer(*answer, where, "cache_entries", &a.cache_entries, 0, 10000000);
    r.Integer(*answer, where, "cache_ttl_seconds", &a.cache_ttl_seconds, 0, 86400 * 30);
  }

  internal::ReadSources(r, root, base, &config);
  internal::ReadEmbedding(r, root, &config);
  internal::ReadAudit(r, root, base, &config);
  internal::ReadOcr(r, root, base, &config);
  internal::ReadServer(r, root, base, &config);
  if (!r.ok()) return Fail(ErrorCode::kConfig, r.error());
  return config;
}

Result<Config> LoadConfig(const fs::path& config_file) {
  std::ifstream in(config_file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kConfig, "cannot read config file " + config_file.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), config_file);
}

}  // namespace wissen::app

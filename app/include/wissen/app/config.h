// Configuration: one TOML file (wissen.toml), every key documented in docs/CONFIG.md.
// Only app/ parses it and hands each module its Options. Unknown keys and invalid values
// fail at startup with the key's name and what was expected.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wissen/core/result.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/fs_crawler.h"
#include "wissen/crawler/ocr.h"
#include "wissen/crawler/web_source.h"
#include "wissen/engine/extractive.h"
#include "wissen/engine/openai_client.h"
#include "wissen/engine/openai_embedder.h"
#include "wissen/engine/prompt.h"
#include "wissen/indexer/chunker.h"
#include "wissen/retriever/retriever.h"
#include "wissen/store/vector_index.h"

namespace wissen::app {

struct SourceConfig {
  std::string name;
  std::string kind;               // "fs" or "web"
  crawler::FsSourceOptions fs;    // kind = "fs"
  crawler::WebSourceOptions web;  // kind = "web"
};

// [generation]: who writes answers.
struct GenerationConfig {
  std::string backend = "extractive";  // "extractive" or "openai"
  engine::OpenAiOptions openai;        // used when backend = "openai"
  engine::PromptOptions prompt;
  engine::ExtractiveOptions extractive;
};

// [answer]: the answer pipeline around retrieval and generation.
struct AnswerConfig {
  int passages = 6;  // passages retrieved as context
  int max_question_chars = 2000;
  // Principals holding one of these roles see personal data (IBAN, e-mail, phone, card
  // numbers) in answers; everyone else gets it redacted.
  std::vector<std::string> redaction_exempt_roles = {"hr"};
  int cache_entries = 1000;
  int cache_ttl_seconds = 600;
};

// [server]: the HTTP listener of `wissen serve`.
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; IPv4 literal, "localhost" or [IPv6]
  int workers = 4;                        // threads running retrieval, PostgreSQL and model calls
  int queue_size = 64;  // requests waiting for a worker; beyond that 503 + Retry-After
  int64_t max_body_bytes = 1 << 20;
  int index_poll_seconds = 5;            // how often a new index generation is looked for
  std::filesystem::path web_dir;         // the chat's static files; empty = built-in location
  std::vector<std::string> allow_cidrs;  // client addresses allowed; empty = all
  // Who may read GET /metrics: a client from these addresses, or one sending
  // "Authorization: Bearer <metrics_token>" (environment: WISSEN_METRICS_TOKEN). Behind a
  // reverse proxy on the same machine every client is 127.0.0.1: the shipped nginx
  // configuration therefore refuses /metrics itself.
  std::vector<std::string> metrics_allow_cidrs = {"127.0.0.1/32", "::1/128"};
  // Reverse proxies whose X-Forwarded-For names the real client (for login limits and logs).
  // None by default: a header from any other peer is ignored.
  std::vector<std::string> trusted_proxies;
  std::string metrics_token;
};

// [auth.sso]: trusted-header single sign-on behind an authenticating reverse proxy.
struct SsoConfig {
  bool enabled = false;
  std::string user_header = "X-Forwarded-User";
  std::string groups_header = "X-Forwarded-Groups";  // comma-separated group names
  // CIDRs of the authenticating proxy; none by default: with SSO enabled it must be set,
  // since any local process could otherwise claim to be any user.
  std::vector<std::string> trusted_proxies;
  // Group name → Wissen roles; groups not listed give no role.
  std::vector<std::pair<std::string, std::vector<std::string>>> group_roles;
};

// [auth]: users, sessions, keys and limits.
struct AuthConfig {
  int session_ttl_minutes = 480;
  bool secure_cookies = false;  // set the cookie's Secure flag (behind a TLS proxy)
  std::string admin_role = "admin";
  int login_attempts_per_user = 5;  // failed logins per 15 minutes before 429
  int login_attempts_per_ip = 20;
  int requests_per_minute = 120;       // per user, token bucket (burst = one minute)
  int64_t daily_token_quota = 200000;  // model tokens per user per UTC day; 0 = unlimited
  SsoConfig sso;
};

// [audit]: the audit trail of asks, searches and document reads (see audit.h).
struct AuditConfig {
  bool enabled = true;
  std::filesystem::path key_file;  // absolute; default <data.dir>/audit.key, created on first use
  bool store_questions = false;    // store questions encrypted (secretbox) instead of not at all
  int retention_days = 365;        // `wissen audit prune` deletes older records
  int queue_size = 10000;          // records waiting for the writer; beyond that they are dropped
};

// [embedding]: which embedder turns chunks and queries into vectors (config_embedding.cpp).
struct EmbeddingConfig {
  std::string backend = "builtin";       // "builtin" or "openai"
  engine::OpenAiEmbedderOptions openai;  // used when backend = "openai"
};

// [ocr]: scanned PDF pages are recognised with Tesseract (crawler/ocr.h).
struct OcrConfig {
  // Default: true; without Tesseract's languages the crawl goes on without OCR and the crawl
  // report and `wissen status` say why.
  bool enabled = true;
  crawler::OcrOptions options;
};

struct Config {
  std::filesystem::path config_file;       // absolute; relative paths resolve against its folder
  std::filesystem::path data_dir;          // [data] dir, absolute
  std::string database_url;                // [database] url; empty = embedded PostgreSQL
  std::string embedded_user = "postgres";  // [database] embedded_user
  std::string log_level = "info";          // [log] level
  indexer::ChunkerOptions chunker;         // [index] chunk_*
  int embedding_dimension = 384;           // [index] dimension
  // [index] ann_threshold (older names hnsw_threshold, ivf_threshold) and approximate_index.
  store::VectorBuildOptions vector_build;
  retriever::RetrieverOptions retrieval;  // [retrieval]
  GenerationConfig generation;            // [generation]
  AnswerConfig answer;                    // [answer]
  EmbeddingConfig embedding;              // [embedding]
  ServerConfig server;                    // [server]
  AuthConfig auth;                        // [auth]
  AuditConfig audit;                      // [audit]
  OcrConfig ocr;                          // [ocr]
  std::vector<SourceConfig> sources;

  std::filesystem::path index_dir() const { return data_dir / "index"; }
  std::filesystem::path pg_dir() const { return data_dir / "pg"; }
};

// Parses TOML text. `config_file` locates relative paths and names the file in errors.
// Environment: WISSEN_DATABASE_URL overrides [database] url and WISSEN_LLM_API_KEY
// [generation] api_key (secrets stay out of files).
Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& config_file);

// Reads and parses a file. kConfig errors name the file, the key and what was expected.
Result<Config> LoadConfig(const std::filesystem::path& config_file);

}  // namespace wissen::app

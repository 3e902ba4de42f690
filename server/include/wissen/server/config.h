// Configuration: one TOML file (wissen.toml), every key documented in docs/CONFIG.md.
// Only server/ parses it and hands each module its Options. Unknown keys and invalid values
// fail at startup with the key's name and what was expected.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/fs_crawler.h"
#include "wissen/engine/extractive.h"
#include "wissen/engine/openai_client.h"
#include "wissen/engine/prompt.h"
#include "wissen/indexer/chunker.h"
#include "wissen/retriever/retriever.h"

namespace wissen::server {

struct SourceConfig {
  std::string name;
  std::string kind;  // "fs"
  crawler::FsSourceOptions fs;
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

struct Config {
  std::filesystem::path config_file;       // absolute; relative paths resolve against its folder
  std::filesystem::path data_dir;          // [data] dir, absolute
  std::string database_url;                // [database] url; empty = embedded PostgreSQL
  std::string embedded_user = "postgres";  // [database] embedded_user
  std::string log_level = "info";          // [log] level
  indexer::ChunkerOptions chunker;         // [index] chunk_*
  int embedding_dimension = 384;           // [index] dimension
  int64_t ivf_threshold = 20000;           // [index] ivf_threshold
  retriever::RetrieverOptions retrieval;   // [retrieval]
  GenerationConfig generation;             // [generation]
  AnswerConfig answer;                     // [answer]
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

}  // namespace wissen::server

#include "wissen/store/catalog.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "catalog_impl.h"
#include "pg_util.h"
#include "wissen/core/log.h"

namespace wissen::store {

namespace {

// Crawl lock key: any stable 64-bit number no other application on the database uses.
constexpr int64_t kCrawlLockKey = 0x57697373656e01;  // "Wissen" + 1

class PgCrawlLock final : public CrawlLock {
 public:
  explicit PgCrawlLock(std::unique_ptr<pqxx::connection> connection)
      : connection_(std::move(connection)) {}
  ~PgCrawlLock() override {
    try {
      pqxx::nontransaction tx(*connection_);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kCrawlLockKey) + ")");
    } catch (const std::exception&) {
      // Closing the connection releases the lock anyway.
    }
  }

 private:
  std::unique_ptr<pqxx::connection> connection_;
};

std::string HexBytes(const void* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::string out = "\\x";
  out.reserve(2 + size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

StoredDocument ReadStoredDocument(const pqxx::row& row) {
  StoredDocument doc;
  doc.id = row["id"].as<int64_t>();
  doc.path = row["path"].as<std::string>();
  doc.content_hash = row["content_hash"].as<std::string>();
  doc.size_bytes = row["size_bytes"].as<int64_t>();
  doc.modified_unix = row["modified_unix"].is_null() ? 0 : row["modified_unix"].as<int64_t>();
  doc.acl = ParseRoleList(row["acl"].as<std::string>());
  doc.acl_rule = row["acl_rule"].as<std::string>();
  doc.title = row["title"].as<std::string>();
  doc.mime = row["mime"].as<std::string>();
  doc.parser_version = row["parser_version"].as<int>();
  doc.deleted = !row["deleted_at"].is_null();
  return doc;
}

constexpr const char* kDocumentColumns =
    "id, path, content_hash, size_bytes, extract(epoch from modified_at)::bigint AS "
    "modified_unix, array_to_string(acl, ',') AS acl, acl_rule, title, mime, parser_version, "
    "deleted_at";

}  // namespace

Catalog::Catalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Catalog::~Catalog() = default;

Result<std::unique_ptr<Catalog>> Catalog::Connect(const std::string& connection_string) {
  return Guard("connect to the database", [&]() -> Result<std::unique_ptr<Catalog>> {
    return std::unique_ptr<Catalog>(new Catalog(std::make_unique<Impl>(connection_string)));
  });
}

Result<int> Catalog::EnsureSource(const std::string& name, const std::string& kind,
                                  const std::string& root) {
  return Guard("register source", [&]() -> Result<int> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "INSERT INTO sources (name, kind, root) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, root = EXCLUDED.root "
        "RETURNING id",
        name, kind, root);
    tx.commit();
    return rows[0][0].as<int>();
  });
}

Result<std::vector<StoredDocument>> Catalog::ListDocuments(int source_id) {
  return Guard("list documents", [&]() -> Result<std::vector<StoredDocument>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        std::string("SELECT ") + kDocumentColumns + " FROM documents WHERE source_id = $1",
        source_id);
    std::vector<StoredDocument> docs;
    docs.reserve(rows.size());
    for (const auto& row : rows) docs.push_back(ReadStoredDocument(row));
    return docs;
  });
}

Result<std::optional<StoredDocument>> Catalog::FindDocument(const std::string& source,
                                                            const std::string& path) {
  return Guard("find document", [&]() -> Result<std::optional<StoredDocument>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(std::string("SELECT ") + kDocumentColumns +
                                   " FROM documents WHERE source_id = (SELECT id FROM sources "
                                   "WHERE name = $1) AND path = $2",
                               source, path);
    if (rows.empty()) return std::optional<StoredDocument>();
    return std::optional<StoredDocument>(ReadStoredDocument(rows[0]));
  });
}

Result<int64_t> Catalog::ReplaceDocument(int source_id, const DocumentInfo& info,
                                         const ParsedFields& parsed,
                                         const std::vector<ChunkRecord>& chunks) {
  return Guard("store document", [&]() -> Result<int64_t> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "INSERT INTO documents (source_id, uri, path, title, language, mime, content_hash, "
        "size_bytes, modified_at, acl, acl_rule, page_count, parser_version, author, metadata) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), "
        "string_to_array($10, ',')::text[], $11, $12, $13, $14, $15::jsonb) "
        "ON CONFLICT (source_id, path) DO UPDATE SET uri = EXCLUDED.uri, title = EXCLUDED.title, "
        "language = EXCLUDED.language, mime = EXCLUDED.mime, content_hash = "
        "EXCLUDED.content_hash, size_bytes = EXCLUDED.size_bytes, modified_at = "
        "EXCLUDED.modified_at, acl = EXCLUDED.acl, acl_rule = EXCLUDED.acl_rule, page_count = "
        "EXCLUDED.page_count, parser_version = EXCLUDED.parser_version, author = "
        "EXCLUDED.author, metadata = EXCLUDED.metadata, updated_at = now(), deleted_at = NULL "
        "RETURNING id",
        source_id, info.uri, info.path, parsed.title, parsed.language, parsed.mime,
        info.content_hash, info.size_bytes, static_cast<double>(info.modified_unix), info.acl.Key(),
        info.acl_rule, parsed.page_count, parsed.parser_version, parsed.author,
        nlohmann::json(parsed.metadata)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    const int64_t document_id = rows[0][0].as<int64_t>();
    tx.exec_params("DELETE FROM chunks WHERE document_id = $1", document_id);
    if (!chunks.empty()) {
      pqxx::stream_to stream(
          tx, "chunks",
          std::vector<std::string>{"document_id", "ordinal", "text", "heading_path", "page",
                                   "char_start", "char_end", "embedding"});
      for (const auto& record : chunks) {
        const Chunk& c = record.chunk;
        stream << std::make_tuple(
            document_id, c.ordinal, c.text, c.heading_path, c.page, c.char_start, c.char_end,
            HexBytes(record.embedding.data(), record.embedding.size() * sizeof(float)));
      }
      stream.complete();
    }
    tx.exec_params("INSERT INTO document_changes (document_id) VALUES ($1)", document_id);
    tx.commit();
    return document_id;
  });
}

Result<void> Catalog::UpdateDocumentMetadata(int64_t document_id, const DocumentInfo& info) {
  return Guard("update document", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    auto rows = tx.exec_params(
        "UPDATE documents d SET acl = string_to_array($2, ',')::text[], acl_rule = $3, "
        "size_bytes = $4, modified_at = to_timestamp($5), uri = $6, updated_at = now() "
        "FROM (SELECT acl AS old_acl FROM documents WHERE id = $1 FOR UPDATE) old "
        "WHERE d.id = $1 RETURNING old.old_acl IS DISTINCT FROM d.acl",
        document_id, info.acl.Key(), info.acl_rule, info.size_bytes,
        static_cast<double>(info.modified_unix), info.uri);
    if (!rows.empty() && rows[0][0].as<bool>()) {
      tx.exec_params("INSERT INTO document_changes (document_id) VALUES ($1)", document_id);
    }
    tx.commit();
    return {};
  });
}

Result<void> Catalog::MarkDeleted(int64_t document_id) {
  return Guard("delete document", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "UPDATE documents SET deleted_at = now(), updated_at = now() WHERE id = $1 AND "
        "deleted_at IS NULL",
        document_id);
    // The text goes at once (right to be forgotten); the row stays as a tombstone so the
    // index builder knows what to remove.
    tx.exec_params("DELETE FROM chunks WHERE document_id = $1", document_id);
    tx.exec_params("INSERT INTO document_changes (document_id) VALUES ($1)", document_id);
    tx.commit();
    return {};
  });
}

Result<std::unique_ptr<CrawlLock>> Catalog::TryLockCrawl() {
  return Guard("take the crawl lock", [&]() -> Result<std::unique_ptr<CrawlLock>> {
    auto connection = std::make_unique<pqxx::connection>(impl_->connection_string);
    bool locked = false;
    {
      pqxx::nontransaction tx(*connection);
      locked = tx.exec("SELECT pg_try_advisory_lock(" + std::to_string(kCrawlLockKey) + ")")[0][0]
                   .as<bool>();
    }
    if (!locked) {
      return Fail(ErrorCode::kConflict,
                  "another crawl is running (it holds the crawl lock); this run does nothing");
    }
    return std::unique_ptr<CrawlLock>(new PgCrawlLock(std::move(connection)));
  });
}

Result<int64_t> Catalog::BeginCrawlRun(const std::vector<std::string>& sources) {
  return Guard("record crawl run", [&]() -> Result<int64_t> {
    pqxx::work tx(impl_->connection);
    std::string joined;
    for (const auto& s : sources) joined += (joined.empty() ? "" : "\x1f") + s;
    // The caller holds the crawl lock, so a run still marked running was interrupted
    // (killed, machine lost power) and will never finish on its own.
    tx.exec(
        "UPDATE crawl_runs SET status = 'failed', finished_at = now(), "
        "error = 'interrupted: the process ended before the run finished' "
        "WHERE status = 'running'");
    auto rows = tx.exec_params(
        "INSERT INTO crawl_runs (sources) VALUES (string_to_array($1, E'\\x1f')::text[]) "
        "RETURNING id",
        joined);
    tx.commit();
    return rows[0][0].as<int64_t>();
  });
}

Result<void> Catalog::FinishCrawlRun(int64_t run_id, const std::string& status,
                                     const std::string& stats_json, const std::string& error) {
  return Guard("record crawl run", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "UPDATE crawl_runs SET finished_at = now(), status = $2, stats = $3::jsonb, "
        "error = NULLIF($4, '') WHERE id = $1",
        run_id, status, stats_json, error);
    tx.commit();
    return {};
  });
}

Result<std::vector<CrawlRunSummary>> Catalog::RecentCrawlRuns(int limit) {
  return Guard("list crawl runs", [&]() -> Result<std::vector<CrawlRunSummary>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        "SELECT id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
        "status, stats::text, coalesce(error, '') FROM crawl_runs ORDER BY id DESC LIMIT $1",
        limit);
    std::vector<CrawlRunSummary> runs;
    for (const auto& row : rows) {
      runs.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      row[3].as<std::string>(), row[4].as<std::string>(),
                      row[5].as<std::string>()});
    }
    return runs;
  });
}

Result<std::optional<IndexState>> Catalog::GetIndexState() {
  return Guard("read index state", [&]() -> Result<std::optional<IndexState>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec(
        "SELECT embedder_name, embedder_version, dimension, generation, chunk_count, "
        "coalesce(reindexing_to, '') FROM index_state");
    if (rows.empty()) return std::optional<IndexState>();
    IndexState state;
    state.embedder_name = rows[0][0].as<std::string>();
    state.embedder_version = rows[0][1].as<std::string>();
    state.dimension = rows[0][2].as<int>();
    state.generation = rows[0][3].as<int64_t>();
    state.chunk_count = rows[0][4].as<int64_t>();
    state.reindexing_to = rows[0][5].as<std::string>();
    return std::optional<IndexState>(state);
  });
}

Result<void> Catalog::SetEmbedder(const std::string& name, const std::string& version,
                                  int dimension) {
  return Guard("record embedder", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "INSERT INTO index_state (embedder_name, embedder_version, dimension) "
        "VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET embedder_name = $1, "
        "embedder_version = $2, dimension = $3",
        name, version, dimension);
    tx.commit();
    return {};
  });
}

Result<void> Catalog::SetGeneration(int64_t generation, int64_t chunk_count) {
  return Guard("record index generation", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "UPDATE index_state SET generation = $1, chunk_count = $2, generation_at = now()",
        generation, chunk_count);
    tx.commit();
    return {};
  });
}

Result<void> Catalog::SetReindexing(const std::string& target) {
  return Guard("record reindex", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params("UPDATE index_state SET reindexing_to = NULLIF($1, '')", target);
    tx.commit();
    return {};
  });
}

Result<void> Catalog::UpdateEmbeddings(std::span<const int64_t> ids, std::span<const float> vectors,
                                       int dimension) {
  return Guard("store embeddings", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    for (size_t i = 0; i < ids.size(); ++i) {
      tx.exec_params("UPDATE chunks SET embedding = decode($2, 'hex') WHERE id = $1", ids[i],
                     HexBytes(vectors.data() + i * dimension, dimension * sizeof(float)).substr(2));
    }
    tx.commit();
    return {};
  });
}

Result<std::vector<PartitionInfo>> Catalog::ListPartitions() {
  return Guard("list partitions", [&]() -> Result<std::vector<PartitionInfo>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec(
        "SELECT array_to_string(d.acl, ','), count(*), "
        "md5(string_agg(c.id::text, ',' ORDER BY c.id)) "
        "FROM chunks c JOIN documents d ON d.id = c.document_id "
        "WHERE d.deleted_at IS NULL AND cardinality(d.acl) > 0 GROUP BY d.acl");
    std::vector<PartitionInfo> partitions;
    for (const auto& row : rows) {
      PartitionInfo info;
      info.acl = ParseRoleList(row[0].as<std::string>());
      info.chunk_count = row[1].as<int64_t>();
      info.fingerprint = row[2].as<std::string>();
      partitions.push_back(std::move(info));
    }
    return partitions;
  });
}

Result<void> Catalog::ScanPartition(
    const Acl& acl,
    const std::function<void(std::span<const int64_t>, std::span<const float>)>& sink) {
  return Guard("read partition", [&]() -> Result<void> {
    pqxx::read_transaction tx(impl_->connection);
    constexpr int kBatch = 4096;
    int64_t after = 0;
    std::vector<int64_t> ids;
    std::vector<float> vectors;
    while (true) {
      auto rows = tx.exec_params(
          "SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.document_id "
          "WHERE d.deleted_at IS NULL AND d.acl = string_to_array($1, ',')::text[] "
          "AND c.id > $2 ORDER BY c.id LIMIT $3",
          acl.Key(), after, kBatch);
      if (rows.empty()) break;
      ids.clear();
      vectors.clear();
      for (const auto& row : rows) {
        ids.push_back(row[0].as<int64_t>());
        pqxx::binarystring blob(row[1]);
        const size_t floats = blob.size() / sizeof(float);
        const size_t offset = vectors.size();
        vectors.resize(offset + floats);
        std::memcpy(vectors.data() + offset, blob.data(), floats * sizeof(float));
      }
      after = ids.back();
      sink(ids, vectors);
      if (static_cast<int>(rows.size()) < kBatch) break;
    }
    return {};
  });
}

Result<PartitionIds> Catalog::PartitionChunkIds(const Acl& acl) {
  return Guard("read partition", [&]() -> Result<PartitionIds> {
    // One snapshot for both statements, so the fingerprint describes exactly these ids.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(impl_->connection);
    constexpr const char* kLiveChunksOfAcl =
        "FROM chunks c JOIN documents d ON d.id = c.document_id "
        "WHERE d.deleted_at IS NULL AND d.acl = string_to_array($1, ',')::text[]";
    PartitionIds partition;
    auto rows = tx.exec_params(std::string("SELECT c.id ") + kLiveChunksOfAcl + " ORDER BY c.id",
                               acl.Key());
    partition.ids.reserve(rows.size());
    for (const auto& row : rows) partition.ids.push_back(row[0].as<int64_t>());
    // The same expression as ListPartitions.
    auto fingerprint = tx.exec_params(
        std::string("SELECT md5(string_agg(c.id::text, ',' ORDER BY c.id)) ") + kLiveChunksOfAcl,
        acl.Key());
    partition.fingerprint =
        fingerprint[0][0].is_null() ? std::string() : fingerprint[0][0].as<std::string>();
    return partition;
  });
}

Result<std::vector<float>> Catalog::PartitionEmbeddings(const Acl& acl,
                                                        std::span<const int64_t> chunk_ids,
                                                        int dimension) {
  return Guard("read partition", [&]() -> Result<std::vector<float>> {
    pqxx::read_transaction tx(impl_->connection);
    std::vector<float> vectors(chunk_ids.size() * static_cast<size_t>(dimension));
    constexpr size_t kBatch = 4096;
    for (size_t begin = 0; begin < chunk_ids.size(); begin += kBatch) {
      const size_t end = std::min(chunk_ids.size(), begin + kBatch);
      std::unordered_map<int64_t, size_t> position;
      std::string list = "{";
      for (size_t i = begin; i < end; ++i) {
        position[chunk_ids[i]] = i;
        if (i > begin) list += ',';
        list += std::to_string(chunk_ids[i]);
      }
      list += '}';
      auto rows = tx.exec_params(
          "SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.document_id "
          "WHERE c.id = ANY($1::bigint[]) AND d.deleted_at IS NULL "
          "AND d.acl = string_to_array($2, ',')::text[]",
          list, acl.Key());
      if (rows.size() != end - begin) {
        return Fail(ErrorCode::kConflict, "chunks of the partition changed while it was read");
      }
      for (const auto& row : rows) {
        pqxx::binarystring blob(row[1]);
        if (blob.size() != static_cast<size_t>(dimension) * sizeof(float)) {
          return Fail(ErrorCode::kConflict,
                      "stored embeddings do not have the configured dimension; run "
                      "`wissen reindex`");
        }
        std::memcpy(vectors.data() + position.at(row[0].as<int64_t>()) * dimension, blob.data(),
                    blob.size());
      }
    }
    return vectors;
  });
}

Result<int64_t> Catalog::LatestChangeSeq() {
  return Guard("read change log", [&]() -> Result<int64_t> {
    pqxx::read_transaction tx(impl_->connection);
    return tx.exec("SELECT coalesce(max(seq), 0) FROM document_changes")[0][0].as<int64_t>();
  });
}

Result<std::vector<int64_t>> Catalog::DocumentsChangedAfter(int64_t after_seq, int64_t up_to_seq) {
  return Guard("read change log", [&]() -> Result<std::vector<int64_t>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        "SELECT DISTINCT document_id FROM document_changes WHERE seq > $1 AND seq <= $2", after_seq,
        up_to_seq);
    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const auto& row : rows) ids.push_back(row[0].as<int64_t>());
    return ids;
  });
}

namespace {

constexpr const char* kLexicalSelect =
    "SELECT c.id, c.document_id, d.title, c.heading_path, c.text, d.language, "
    "array_to_string(d.acl, ',') FROM chunks c JOIN documents d ON d.id = c.document_id "
    "WHERE d.deleted_at IS NULL ";

LexicalChunk ReadLexicalChunk(const pqxx::row& row) {
  LexicalChunk chunk;
  chunk.chunk_id = row[0].as<int64_t>();
  chunk.document_id = row[1].as<int64_t>();
  chunk.title = row[2].as<std::string>();
  chunk.heading_path = row[3].as<std::string>();
  chunk.text = row[4].as<std::string>();
  chunk.language = row[5].as<std::string>();
  chunk.acl = ParseRoleList(row[6].as<std::string>());
  return chunk;
}

}  // namespace

Result<std::vector<LexicalChunk>> Catalog::LiveChunks(std::span<const int64_t> document_ids) {
  return Guard("read chunks", [&]() -> Result<std::vector<LexicalChunk>> {
    std::vector<LexicalChunk> chunks;
    if (document_ids.empty()) return chunks;
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(std::string(kLexicalSelect) +
                                   "AND c.document_id = ANY(string_to_array($1, ',')::bigint[]) "
                                   "ORDER BY c.id",
                               JoinIds(document_ids));
    chunks.reserve(rows.size());
    for (const auto& row : rows) chunks.push_back(ReadLexicalChunk(row));
    return chunks;
  });
}

Result<void> Catalog::ScanLiveChunks(const std::function<void(std::vector<LexicalChunk>&&)>& sink) {
  return Guard("read chunks", [&]() -> Result<void> {
    constexpr int kBatch = 2048;
    int64_t after = 0;
    while (true) {
      std::vector<LexicalChunk> batch;
      {
        // One short transaction per batch, closed before `sink` runs, so the sink may use
        // this catalog (reindex writes embeddings while it scans).
        pqxx::read_transaction tx(impl_->connection);
        auto rows = tx.exec_params(
            std::string(kLexicalSelect) + "AND c.id > $1 ORDER BY c.id LIMIT $2", after, kBatch);
        batch.reserve(rows.size());
        for (const auto& row : rows) batch.push_back(ReadLexicalChunk(row));
      }
      if (batch.empty()) break;
      after = batch.back().chunk_id;
      const bool last = static_cast<int>(batch.size()) < kBatch;
      sink(std::move(batch));
      if (last) break;
    }
    return {};
  });
}

Result<std::vector<Passage>> Catalog::FetchPassages(std::span<const int64_t> chunk_ids,
                                                    const RoleSet& roles) {
  return Guard("fetch passages", [&]() -> Result<std::vector<Passage>> {
    std::vector<Passage> passages;
    if (chunk_ids.empty() || roles.empty()) return passages;
    // One autocommit statement: it sees one snapshot without a BEGIN/ROLLBACK round trip.
    pqxx::nontransaction tx(impl_->connection);
    auto rows = tx.exec_prepared(kFetchPassages, JoinIds(chunk_ids), roles.Key());
    std::unordered_map<int64_t, Passage> by_id;
    for (const auto& row : rows) {
      Passage p;
      p.chunk_id = row[0].as<int64_t>();
      p.document_id = row[1].as<int64_t>();
      p.source = row[2].as<std::string>();
      p.path = row[3].as<std::string>();
      p.uri = row[4].as<std::string>();
      p.title = row[5].as<std::string>();
      p.heading_path = row[6].as<std::string>();
      p.page = row[7].as<int>();
      p.text = row[8].as<std::string>();
      p.acl = ParseRoleList(row[9].as<std::string>());
      by_id.emplace(p.chunk_id, std::move(p));
    }
    passages.reserve(by_id.size());
    for (int64_t id : chunk_ids) {
      auto it = by_id.find(id);
      if (it != by_id.end()) passages.push_back(std::move(it->second));
    }
    return passages;
  });
}

Result<Catalog::Counts> Catalog::CountAll() {
  return Guard("count documents", [&]() -> Result<Counts> {
    pqxx::read_transaction tx(impl_->connection);
    auto row = tx.exec(
        "SELECT (SELECT count(*) FROM documents WHERE deleted_at IS NULL), "
        "(SELECT count(*) FROM documents WHERE deleted_at IS NOT NULL), "
        "(SELECT count(*) FROM chunks)")[0];
    return Counts{row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>()};
  });
}

}  // namespace wissen::store

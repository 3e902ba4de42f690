#include "wissen/store/audit_store.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "pg_util.h"

namespace wissen::store {

namespace {

constexpr const char* kInsert = "audit_insert";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1]));
  }
  return out;
}

// A PostgreSQL array literal of text elements. Role names are [a-z0-9_.-] and commas, but
// quoting every element keeps an empty ACL ("") a real element instead of no element.
std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

int64_t ToMicros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct AuditStore::Impl {
  explicit Impl(const std::string& conninfo) : connection(conninfo) {
    // One statement per batch: each parameter is an array with one element per record, and
    // unnest turns them back into rows in their order. A single autocommit statement is
    // atomic and costs one round trip and one commit however many records the batch holds.
    // at = 0 means "now": the database clock, so rows of several servers sort consistently.
    connection.prepare(
        kInsert,
        "INSERT INTO audit_log (at, user_pseudonym, action, query_hash, document_ids, "
        "document_acls, generator, status, latency_ms, injection_flag, question_enc) "
        "SELECT CASE WHEN r.at = 0 THEN now() ELSE to_timestamp(r.at / 1e6) END, r.pseudonym, "
        "r.action, r.query_hash, string_to_array(r.ids, ',')::bigint[], r.acls::text[], "
        "r.generator, r.status, r.latency_ms, r.injection, decode(NULLIF(r.question, ''), 'hex') "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "$7::text[], $8::text[], $9::float8[], $10::boolean[], $11::text[]) WITH ORDINALITY "
        "AS r(at, pseudonym, action, query_hash, ids, acls, generator, status, latency_ms, "
        "injection, question, n) ORDER BY r.n");
  }
  pqxx::connection connection;
};

AuditStore::AuditStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditStore::~AuditStore() = default;

Result<std::unique_ptr<AuditStore>> AuditStore::Connect(const std::string& connection_string) {
  return Guard("connect to the database", [&]() -> Result<std::unique_ptr<AuditStore>> {
    return std::unique_ptr<AuditStore>(new AuditStore(std::make_unique<Impl>(connection_string)));
  });
}

Result<void> AuditStore::Append(std::span<const AuditRecord> records) {
  for (const auto& record : records) {
    if (!record.document_acls.empty() &&
        record.document_acls.size() != record.document_ids.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "audit record: document_acls must be parallel to document_ids");
    }
  }
  if (records.empty()) return {};
  // The columns as PostgreSQL array literals, one element per record.
  std::vector<std::string> at, pseudonym, action, query_hash, ids, acls, generator, status, latency,
      injection, question;
  for (const auto& r : records) {
    at.push_back(std::to_string(ToMicros(r.at)));
    pseudonym.push_back(r.user_pseudonym);
    action.push_back(r.action);
    query_hash.push_back(r.query_hash);
    ids.push_back(JoinIds(r.document_ids));
    acls.push_back(TextArrayLiteral(r.document_acls));
    generator.push_back(r.generator);
    status.push_back(r.status);
    latency.push_back(pqxx::to_string(r.latency_ms));
    injection.push_back(r.injection_flag ? "true" : "false");
    question.push_back(Hex(r.question_sealed));
  }
  return Guard("write audit records", [&]() -> Result<void> {
    pqxx::nontransaction tx(impl_->connection);
    tx.exec_prepared(kInsert, TextArrayLiteral(at), TextArrayLiteral(pseudonym),
                     TextArrayLiteral(action), TextArrayLiteral(query_hash), TextArrayLiteral(ids),
                     TextArrayLiteral(acls), TextArrayLiteral(generator), TextArrayLiteral(status),
                     TextArrayLiteral(latency), TextArrayLiteral(injection),
                     TextArrayLiteral(question));
    return {};
  });
}

Result<int64_t> AuditStore::Prune(std::chrono::system_clock::time_point before) {
  return Guard("prune audit records", [&]() -> Result<int64_t> {
    pqxx::work tx(impl_->connection);
    auto result = tx.exec_params("DELETE FROM audit_log WHERE at < to_timestamp($1::bigint / 1e6)",
                                 ToMicros(before));
    tx.commit();
    return static_cast<int64_t>(result.affected_rows());
  });
}

Result<std::vector<AuditRecord>> AuditStore::ListByUser(const std::string& user_pseudonym,
                                                        int limit) {
  return Guard("list audit records", [&]() -> Result<std::vector<AuditRecord>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        "SELECT id, (extract(epoch FROM at) * 1000000)::bigint, user_pseudonym, action, "
        "query_hash, array_to_json(document_ids)::text, array_to_json(document_acls)::text, "
        "generator, status, latency_ms, injection_flag, coalesce(encode(question_enc, 'hex'), '') "
        "FROM audit_log WHERE user_pseudonym = $1 ORDER BY at DESC, id DESC LIMIT $2",
        user_pseudonym, limit);
    std::vector<AuditRecord> records;
    records.reserve(rows.size());
    for (const auto& row : rows) {
      AuditRecord r;
      r.id = row[0].as<int64_t>();
      r.at = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::microseconds(row[1].as<int64_t>())));
      r.user_pseudonym = row[2].as<std::string>();
      r.action = row[3].as<std::string>();
      r.query_hash = row[4].as<std::string>();
      r.document_ids = nlohmann::json::parse(row[5].as<std::string>()).get<std::vector<int64_t>>();
      r.document_acls =
          nlohmann::json::parse(row[6].as<std::string>()).get<std::vector<std::string>>();
      r.generator = row[7].as<std::string>();
      r.status = row[8].as<std::string>();
      r.latency_ms = row[9].as<double>();
      r.injection_flag = row[10].as<bool>();
      r.question_sealed = Unhex(row[11].as<std::string>());
      records.push_back(std::move(r));
    }
    return records;
  });
}

Result<int64_t> AuditStore::Count() {
  return Guard("count audit records", [&]() -> Result<int64_t> {
    pqxx::read_transaction tx(impl_->connection);
    return tx.exec("SELECT count(*) FROM audit_log")[0][0].as<int64_t>();
  });
}

}  // namespace wissen::store

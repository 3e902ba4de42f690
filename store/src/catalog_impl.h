// The Catalog's connection, shared by the files that implement its parts.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "wissen/store/catalog.h"

namespace wissen::store {

// Name of the prepared passage fetch (see Impl's constructor).
inline constexpr const char* kFetchPassages = "fetch_passages";

struct Catalog::Impl {
  explicit Impl(const std::string& conninfo) : connection_string(conninfo), connection(conninfo) {
    // Every search ends with this fetch: prepared once per connection (libpqxx registers it on
    // first use, so a catalog opened before the migrations ran is fine), so PostgreSQL does not
    // parse and plan the three-table join on each query.
    // The document of each chunk is looked up by primary key in a LATERAL subquery that
    // OFFSET 0 keeps from being merged into the join. Without that fence the cached generic
    // plan (used from the sixth execution on, when the id list's length is unknown) reads
    // every document the roles may read through the ACL's GIN index and hash-joins them: the
    // cost then grows with the corpus (2.8 ms instead of 1.1 ms at 200,000 chunks).
    connection.prepare(kFetchPassages,
                       "SELECT c.id, c.document_id, s.name, d.path, d.uri, d.title, "
                       "c.heading_path, c.page, c.text, array_to_string(d.acl, ',') "
                       "FROM chunks c CROSS JOIN LATERAL ("
                       "SELECT x.source_id, x.path, x.uri, x.title, x.acl, x.deleted_at "
                       "FROM documents x WHERE x.id = c.document_id OFFSET 0) d "
                       "JOIN sources s ON s.id = d.source_id "
                       "WHERE c.id = ANY(string_to_array($1, ',')::bigint[]) "
                       "AND d.deleted_at IS NULL AND d.acl && string_to_array($2, ',')::text[]");
  }
  std::string connection_string;
  pqxx::connection connection;
};

}  // namespace wissen::store

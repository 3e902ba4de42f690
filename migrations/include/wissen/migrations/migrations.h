// The SQL migrations of migrations/NNNN_name.sql, compiled into the binary in file order.
#pragma once

#include <cstddef>

namespace wissen::migrations {

struct EmbeddedMigration {
  int version;       // NNNN
  const char* name;  // "0001_initial.sql"
  const char* sql;
};

// All migrations, ordered by version.
const EmbeddedMigration* All(std::size_t* count);

}  // namespace wissen::migrations

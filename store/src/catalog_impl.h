// The Catalog's connection, shared by the files that implement its parts.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "wissen/store/catalog.h"

namespace wissen::store {

struct Catalog::Impl {
  explicit Impl(const std::string& conninfo) : connection_string(conninfo), connection(conninfo) {}
  std::string connection_string;
  pqxx::connection connection;
};

}  // namespace wissen::store

#include "wissen/store/web_state.h"

#include <pqxx/pqxx>

#include "pg_util.h"

namespace wissen::store {

struct WebStateStore::Impl {
  explicit Impl(const std::string& conninfo) : connection(conninfo) {}
  pqxx::connection connection;
};

namespace {

// Canonical URLs never hold a raw line break (they are percent-encoded), so one a line is
// unambiguous.
std::string JoinLinks(const std::vector<std::string>& links) {
  std::string joined;
  for (const auto& link : links) {
    if (!joined.empty()) joined += '\n';
    joined += link;
  }
  return joined;
}

}  // namespace

WebStateStore::WebStateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebStateStore::~WebStateStore() = default;

Result<std::unique_ptr<WebStateStore>> WebStateStore::Connect(
    const std::string& connection_string) {
  return Guard("connect to the database", [&]() -> Result<std::unique_ptr<WebStateStore>> {
    return std::unique_ptr<WebStateStore>(
        new WebStateStore(std::make_unique<Impl>(connection_string)));
  });
}

Result<std::vector<WebPageState>> WebStateStore::Load(int source_id) {
  return Guard("load web fetch state", [&]() -> Result<std::vector<WebPageState>> {
    pqxx::read_transaction tx(impl_->connection);
    auto rows = tx.exec_params(
        "SELECT url, etag, last_modified, sitemap_lastmod, missed_crawls, links "
        "FROM web_fetch_state WHERE source_id = $1",
        source_id);
    std::vector<WebPageState> states;
    states.reserve(rows.size());
    for (const auto& row : rows) {
      WebPageState state;
      state.url = row[0].as<std::string>();
      state.etag = row[1].as<std::string>();
      state.last_modified = row[2].as<std::string>();
      state.sitemap_lastmod = row[3].as<int64_t>();
      state.missed_crawls = row[4].as<int>();
      state.links = SplitNonEmpty(row[5].as<std::string>(), '\n');
      states.push_back(std::move(state));
    }
    return states;
  });
}

Result<void> WebStateStore::Save(int source_id, const WebPageState& state) {
  return Guard("save web fetch state", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params(
        "INSERT INTO web_fetch_state (source_id, url, etag, last_modified, sitemap_lastmod, "
        "missed_crawls, links, fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now()) "
        "ON CONFLICT (source_id, url) DO UPDATE SET etag = EXCLUDED.etag, "
        "last_modified = EXCLUDED.last_modified, sitemap_lastmod = EXCLUDED.sitemap_lastmod, "
        "missed_crawls = EXCLUDED.missed_crawls, links = EXCLUDED.links, "
        "fetched_at = EXCLUDED.fetched_at",
        source_id, state.url, state.etag, state.last_modified, state.sitemap_lastmod,
        state.missed_crawls, JoinLinks(state.links));
    tx.commit();
    return {};
  });
}

Result<void> WebStateStore::Remove(int source_id, const std::string& url) {
  return Guard("remove web fetch state", [&]() -> Result<void> {
    pqxx::work tx(impl_->connection);
    tx.exec_params("DELETE FROM web_fetch_state WHERE source_id = $1 AND url = $2", source_id, url);
    tx.commit();
    return {};
  });
}

}  // namespace wissen::store

// WebStateStore: per-page fetch state of web sources in PostgreSQL (table web_fetch_state,
// migrations/0003_web_fetch_state.sql): conditional-GET validators, sitemap lastmod, missed
// full crawls and the page's links. Rows are keyed by source and canonical URL.
//
// One WebStateStore owns one database connection and is not thread-safe. Every method maps
// libpqxx exceptions to an Error (kUnavailable when the database cannot be reached,
// kInternal otherwise) whose message holds no SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::store {

struct WebPageState {
  std::string url;            // canonical URL (the document's path)
  std::string etag;           // "" when the server sent none
  std::string last_modified;  // the Last-Modified header verbatim, "" when none
  int64_t sitemap_lastmod = 0;
  int missed_crawls = 0;
  std::vector<std::string> links;  // canonical in-scope URLs the page links to
};

class WebStateStore {
 public:
  // Connects. Errors: kUnavailable with libpq's reason.
  static Result<std::unique_ptr<WebStateStore>> Connect(const std::string& connection_string);
  ~WebStateStore();

  // Every state row of the source.
  Result<std::vector<WebPageState>> Load(int source_id);
  // Inserts or replaces the row for state.url.
  Result<void> Save(int source_id, const WebPageState& state);
  // Deletes the row; no error when there is none.
  Result<void> Remove(int source_id, const std::string& url);

 private:
  struct Impl;
  explicit WebStateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::store

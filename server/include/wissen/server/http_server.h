// HttpServer: `wissen serve`. Listens on [server] listen (127.0.0.1:8080 by default) with
// cpprestsdk's http_listener and answers the REST API, the OpenAI-compatible facade, health
// and metrics, and the chat's static files.
//
// cpprestsdk's listener shares one fixed thread pool with its socket I/O, ignores its own
// timeout setting and has no body limit. So the listener threads only copy the request,
// check the body size and the client allowlist, and queue the work on Wissen's own bounded
// worker pool (503 with Retry-After when it is full); PostgreSQL, FAISS, Xapian and model
// calls never run on cpprest's threads. Slow clients and TLS belong to a reverse proxy (see
// docs/OPERATIONS.md). Not copyable; Stop is thread-safe and idempotent.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wissen/app/runtime.h"
#include "wissen/core/result.h"

namespace wissen::server {

class HttpServer {
 public:
  // Loads the index, opens the audit trail and starts listening. `runtime` must outlive
  // the server. Errors: kConfig for a listen address cpprestsdk cannot use, kUnavailable
  // when the address is in use or the database fails.
  static Result<std::unique_ptr<HttpServer>> Start(app::Runtime& runtime);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops accepting connections, lets queued requests finish, waits for a crawl started
  // through the API, and flushes the audit trail. Returns false when the listener did not
  // close within a few seconds (a request cpprestsdk was still parsing): the caller should
  // then end the process without running destructors (std::_Exit) once its own state is
  // saved, since the listener's threads are still running.
  bool Stop();
  // "http://127.0.0.1:8080"
  const std::string& url() const;

  // Every route as {method, path template}.
  static std::vector<std::pair<std::string, std::string>> Routes();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::server

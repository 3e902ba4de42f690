// A small web site for tests and benchmarks: HTTP/1.1 with keep-alive on 127.0.0.1 with an
// ephemeral port, served from threads inside the test process, with an access log to assert
// on (which URLs were requested, with which status, how many body bytes went out).
//
// Pages are set and changed at run time. Conditional GET is answered like a real server
// (If-None-Match against the ETag, If-Modified-Since against Last-Modified, 304 without a
// body). Thread-safe. Stop() (or the destructor) wakes hanging connections, joins every
// thread and closes every socket.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wissen::test_site {

struct Page {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // ETag header; with auto_etag and an empty etag, one derived from the body is sent.
  std::string etag;
  bool auto_etag = true;
  std::string last_modified;  // Last-Modified header verbatim; "" = none
  std::string location;       // Location header (redirects)
  bool hang = false;          // read the request, never answer until the client leaves
  int fail_first = 0;         // answer 503 to this many requests first
};

struct LogEntry {
  std::string target;  // path and query as requested
  int status = 0;      // 0 for a request left hanging
  size_t body_bytes = 0;
  std::map<std::string, std::string> headers;  // request headers, names lower-case
};

class TestSite {
 public:
  TestSite() = default;
  ~TestSite();
  TestSite(const TestSite&) = delete;
  TestSite& operator=(const TestSite&) = delete;

  // Binds 127.0.0.1:0 and starts serving. False (with the reason in *error) on failure.
  bool Start(std::string* error = nullptr);
  // Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path.
  std::string Url(std::string_view path) const;

  // Serves `page` at `target` (path plus query, e.g. "/a.html" or "/s?id=1").
  void Set(const std::string& target, Page page);
  // An HTML page with a title, a paragraph and links.
  void SetHtml(const std::string& target, const std::string& title, const std::string& text,
               const std::vector<std::string>& links = {});
  // The target answers 404 from now on.
  void Remove(const std::string& target);

  std::vector<LogEntry> Log() const;
  void ClearLog();
  // Requests for `target` in the log.
  size_t Requests(const std::string& target) const;

 private:
  void AcceptLoop();
  void Serve(int fd);
  LogEntry Answer(const std::string& target, const std::map<std::string, std::string>& headers,
                  std::string* response, bool* hang);

  int listen_fd_ = -1;
  int stop_read_fd_ = -1;
  int stop_write_fd_ = -1;
  int port_ = 0;
  std::thread accept_thread_;

  mutable std::mutex mutex_;
  std::vector<std::thread> connections_;  // guarded by mutex_
  std::map<std::string, Page> pages_;     // guarded by mutex_
  std::map<std::string, int> failures_;   // requests answered with 503 so far, per target
  std::vector<LogEntry> log_;             // guarded by mutex_
};

// gzip-compresses `bytes` (for .xml.gz sitemaps).
std::string Gzip(std::string_view bytes);

}  // namespace wissen::test_site

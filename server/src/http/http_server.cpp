// The cpprestsdk adapter: copies each request into a Request, applies the body limit and
// the client allowlist on the listener thread, and runs Api::Handle on the worker pool.
#include "wissen/server/http_server.h"

#include <cpprest/filestream.h>
#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <atomic>
#include <cctype>
#include <future>
#include <thread>

#include "api/api.h"
#include "http/request_limits.h"
#include "wissen/app/database_watch.h"
#include "wissen/core/cidr.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::server {
namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;

// How long Stop waits for cpprestsdk to close the listener.
constexpr std::chrono::seconds kCloseGrace{5};

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (LowerAscii(key) == LowerAscii(name)) return true;
  }
  return false;
}

// Headers every response carries; a handler's own value for a header wins.
void AddSecurityHeaders(http::http_headers& out,
                        const std::vector<std::pair<std::string, std::string>>& own, bool secure) {
  auto add = [&](const char* name, const char* value) {
    if (!HasHeader(own, name)) out.add(name, value);
  };
  add("X-Content-Type-Options", "nosniff");
  add("X-Frame-Options", "DENY");
  add("Referrer-Policy", "no-referrer");
  add("Cross-Origin-Opener-Policy", "same-origin");
  add("Cross-Origin-Resource-Policy", "same-origin");
  // Answers and documents may hold restricted text: no cache between here and the reader
  // may keep them.
  add("Cache-Control", "no-store");
  add("Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors 'none'");
  if (secure) add("Strict-Transport-Security", "max-age=31536000");
}

http::http_response MakeResponse(int status, const std::string& content_type,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 bool secure) {
  http::http_response response(static_cast<http::status_code>(status));
  for (const auto& [name, value] : headers) response.headers().add(name, value);
  AddSecurityHeaders(response.headers(), headers, secure);
  response.headers().set_content_type(content_type);
  return response;
}

class SseStream final : public ResponseStream {
 public:
  SseStream(http::http_request request, bool secure)
      : request_(std::move(request)), secure_(secure) {}

  void Start(int status, const std::string& content_type,
             const std::vector<std::pair<std::string, std::string>>& headers) override {
    http::http_response response = MakeResponse(status, content_type, headers, secure_);
    response.set_body(concurrency::streams::istream(buffer_), content_type);
    reply_ = request_.reply(response);
    started_ = true;
  }

  bool Write(std::string_view bytes) override {
    if (!started_ || ended_) return false;
    if (reply_.is_done()) return false;  // the reply ended before we did: the client left
    try {
      buffer_.putn_nocopy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()).wait();
      // cpprestsdk sends buffered data only after sync(): one event, one flush.
      buffer_.sync().wait();
    } catch (const std::exception&) {
      return false;
    }
    return true;
  }

  void End() override {
    if (!started_ || ended_) return;
    ended_ = true;
    try {
      buffer_.close(std::ios_base::out).wait();
    } catch (const std::exception&) {
    }
  }

  ~SseStream() override { End(); }

 private:
  http::http_request request_;
  bool secure_;
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer_;
  pplx::task<void> reply_;
  bool started_ = false;
  bool ended_ = false;
};

class CpprestExchange final : public Exchange {
 public:
  CpprestExchange(http::http_request request, bool secure)
      : request_(std::move(request)), secure_(secure) {}

  void Reply(Response response) override {
    http::http_response out =
        MakeResponse(response.status, response.content_type, response.headers, secure_);
    try {
      if (!response.file.empty()) {
        auto file = concurrency::streams::file_stream<uint8_t>::open_istream(response.file).get();
        std::error_code error;
        const auto size = std::filesystem::file_size(response.file, error);
        out.set_body(file, error ? 0 : size, response.content_type);
      } else if (!response.body.empty()) {
        out.set_body(std::move(response.body), response.content_type);
      }
      request_.reply(out).then([](pplx::task<void> sent) {
        try {
          sent.get();
        } catch (const std::exception&) {
          // The client went away; nothing to do.
        }
      });
    } catch (const std::exception& e) {
      log::Warn("server.reply_failed", {{"error", e.what()}});
    }
  }

  ResponseStream& Stream() override {
    if (!stream_) stream_ = std::make_unique<SseStream>(request_, secure_);
    return *stream_;
  }

 private:
  http::http_request request_;
  bool secure_;
  std::unique_ptr<SseStream> stream_;
};

void ReplyNow(const http::http_request& request, int status, const std::string& code,
              const std::string& message, bool secure,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response error = ErrorResponse(status, code, message);
  http::http_response out = MakeResponse(status, error.content_type, headers, secure);
  out.set_body(error.body, error.content_type);
  request.reply(out).then([](pplx::task<void> sent) {
    try {
      sent.get();
    } catch (const std::exception&) {
    }
  });
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(app::Runtime& runtime_ref)
      : runtime(runtime_ref),
        secure_cookies(runtime_ref.config().auth.secure_cookies),
        index(runtime_ref.config().index_dir()) {}

  void OnRequest(http::http_request request);

  app::Runtime& runtime;
  const bool secure_cookies;  // HSTS on every response
  retriever::IndexHolder index;
  WissenMetrics metrics;
  std::unique_ptr<AuditTrail> audit;
  std::unique_ptr<app::DatabaseWatch> database_watch;
  std::unique_ptr<Api> api;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<http_listener> listener;
  std::vector<CidrRange> allow;
  std::string url;
  std::atomic<bool> stopped{false};
};

void HttpServer::Impl::OnRequest(http::http_request request) {
  if (stopped.load()) {
    // Stop may have given up on the listener and be tearing the runtime down.
    ReplyNow(request, 503, "unavailable", "Wissen is shutting down", secure_cookies,
             {{"Connection", "close"}});
    return;
  }
  const app::Config& config = runtime.config();
  const bool secure = secure_cookies;
  Request copy;
  std::string target;  // as sent, undecoded
  try {
    const web::uri relative = request.relative_uri();
    target = relative.to_string();
    copy.method = request.method();
    copy.path = web::uri::decode(relative.path());
    for (const auto& [key, value] : web::uri::split_query(relative.query())) {
      copy.query[web::uri::decode(key)] = web::uri::decode(value);
    }
    for (const auto& [name, value] : request.headers()) copy.headers[LowerAscii(name)] = value;
    copy.remote_address = request.remote_address();
  } catch (const std::exception&) {
    ReplyNow(request, 400, "bad_request", "the request line could not be parsed", secure);
    return;
  }
  if (!allow.empty() && !AnyContains(allow, copy.remote_address)) {
    ReplyNow(request, 403, "forbidden", "this address may not use Wissen", secure);
    return;
  }
  RequestLimits request_limits;
  request_limits.max_body_bytes = config.server.max_body_bytes;
  if (auto rejected = CheckRequestHead({target, &copy.headers}, request_limits)) {
    api->CountRejected("(rejected)", copy.method, rejected->status);
    ReplyNow(request, rejected->status, rejected->code, rejected->message, secure);
    return;
  }
  request.extract_vector().then([this, request, copy = std::move(copy),
                                 secure](pplx::task<std::vector<unsigned char>> body) mutable {
    try {
      const auto bytes = body.get();
      copy.body.assign(bytes.begin(), bytes.end());
    } catch (const std::exception&) {
      ReplyNow(request, 400, "bad_request", "the request body could not be read", secure);
      return;
    }
    const std::string method = copy.method;
    const bool queued = pool->TrySubmit(
        [this, request, secure, copy = std::move(copy)](WorkerContext& worker) mutable {
          CpprestExchange exchange(request, secure);
          api->Handle(std::move(copy), exchange, worker);
        });
    if (!queued) {
      api->CountRejected("(rejected)", method, 503);
      ReplyNow(request, 503, "overloaded", "Wissen is busy; try again in a moment", secure,
               {{"Retry-After", "1"}});
    }
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

const std::string& HttpServer::url() const { return impl_->url; }

std::vector<std::pair<std::string, std::string>> HttpServer::Routes() { return Api::RouteList(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(app::Runtime& runtime) {
  const app::Config& config = runtime.config();
  auto impl = std::make_unique<Impl>(runtime);
  if (auto bad = ParseCidrs(config.server.allow_cidrs, &impl->allow)) {
    return Fail(ErrorCode::kConfig, "server.allow_cidrs: bad range " + *bad);
  }
  if (auto loaded = impl->index.Refresh(); !loaded) {
    // Serve anyway (lexical-only or empty answers); readiness reports the failure.
    log::Warn("server.index_load_failed", {{"error", loaded.error().message}});
  }
  auto audit = AuditTrail::Open(config.audit, runtime.connection_string());
  if (!audit) return Fail(audit.error());
  impl->audit = std::move(*audit);
  impl->database_watch = std::make_unique<app::DatabaseWatch>(runtime, app::DatabaseWatchOptions{});
  impl->api = std::make_unique<Api>(runtime, impl->index, impl->metrics, *impl->audit,
                                    *impl->database_watch);
  impl->metrics.WatchAnswerPipeline(impl->api->pipeline());
  impl->metrics.WatchAuditTrail(*impl->audit);
  auto status =
      std::make_shared<CatalogIndexStatus>([&runtime] { return runtime.NewCatalog(); },
                                           [index = &impl->index] { return index->Current(); });
  impl->metrics.WatchIndex([status] { return status->Read(); });
  impl->pool = std::make_unique<WorkerPool>(config.server.workers, config.server.queue_size,
                                            runtime.connection_string());

  impl->url = "http://" + config.server.listen;
  try {
    http::experimental::listener::http_listener_config listener_config;
    impl->listener = std::make_unique<http_listener>(web::uri(impl->url), listener_config);
    const auto on_request = [raw = impl.get()](http::http_request request) {
      raw->OnRequest(std::move(request));
    };
    impl->listener->support(on_request);
    // cpprestsdk answers OPTIONS itself, without the security headers, unless told not to.
    impl->listener->support(http::methods::OPTIONS, on_request);
    impl->listener->open().wait();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable,
                "cannot listen on " + config.server.listen + ": " + std::string(e.what()));
  }
  impl->index.StartWatching(config.server.index_poll_seconds);
  log::Info("server.listening", {{"url", impl->url}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

bool HttpServer::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return true;
  bool clean = true;
  if (impl_->listener) {
    // cpprestsdk's close waits for every request it is still reading or parsing, and its
    // parsing of a hostile request line can take minutes: wait a bounded time, then leave
    // the listener to the process exit rather than hang a systemd stop.
    auto closed = std::make_shared<std::promise<void>>();
    std::future<void> done = closed->get_future();
    std::thread([listener = impl_->listener.get(), closed] {
      try {
        listener->close().wait();
      } catch (const std::exception& e) {
        log::Warn("server.close_failed", {{"error", e.what()}});
      }
      closed->set_value();
    }).detach();
    if (done.wait_for(kCloseGrace) != std::future_status::ready) {
      log::Warn("server.close_timeout", {{"seconds", kCloseGrace.count()}});
      (void)impl_->listener.release();  // still in use by cpprestsdk's threads
      clean = false;
    }
  }
  if (impl_->pool) impl_->pool->Shutdown();
  if (impl_->api) impl_->api->JoinCrawl();
  impl_->index.Stop();
  impl_->database_watch.reset();
  if (impl_->audit) impl_->audit->Flush();
  log::Info("server.stopped", {{"clean", clean}});
  return clean;
}

}  // namespace wissen::server

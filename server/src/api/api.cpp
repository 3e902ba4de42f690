#include "api/api.h"

#include "wissen/core/json.h"
#include "wissen/core/log.h"

namespace wissen::server {

namespace {

bool ChangesState(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnsupported:
      return 415;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return 503;
    default:
      return 500;
  }
}

const char* CodeWord(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kParse:
      return "bad_request";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kResourceExhausted:
      return "rate_limited";
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return "unavailable";
    default:
      return "internal";
  }
}

}  // namespace

Api::Api(app::Runtime& runtime, retriever::IndexHolder& index, WissenMetrics& metrics,
         AuditTrail& audit, const app::DatabaseWatch& database)
    : runtime_(runtime),
      config_(runtime.config()),
      index_(index),
      metrics_(metrics),
      audit_(audit),
      database_(database),
      pipeline_(std::make_unique<app::AnswerPipeline>(runtime.config(), runtime.embedder(),
                                                      runtime.thesaurus())),
      retriever_(runtime.embedder(), runtime.config().retrieval, runtime.thesaurus()),
      authenticator_(runtime.config().auth, [] { return std::chrono::system_clock::now(); }),
      request_limiter_(runtime.config().auth.requests_per_minute,
                       [] { return std::chrono::system_clock::now(); }),
      token_quota_(runtime.config().auth.daily_token_quota,
                   [] { return std::chrono::system_clock::now(); }) {
  for (const auto& route : Routes()) patterns_.emplace_back(route.method, route.pattern);
  // Both validated with the config.
  ParseCidrs(config_.server.metrics_allow_cidrs, &metrics_clients_);
  ParseCidrs(config_.server.trusted_proxies, &trusted_proxies_);
  web_dir_ = config_.server.web_dir.empty() ? std::filesystem::path(WISSEN_WEB_DIR)
                                            : config_.server.web_dir;
}

Api::~Api() { JoinCrawl(); }

void Api::JoinCrawl() {
  std::lock_guard lock(crawl_mutex_);
  if (crawl_thread_.joinable()) crawl_thread_.join();
}

const std::vector<Route<Api::Handler>>& Api::Routes() {
  static const std::vector<Route<Handler>> routes = {
      {"GET", "/healthz", Access::kPublic, &Api::Healthz},
      {"GET", "/readyz", Access::kPublic, &Api::Readyz},
      {"GET", "/metrics", Access::kPublic, &Api::Metrics},
      {"POST", "/api/v1/login", Access::kPublic, &Api::Login},
      {"POST", "/api/v1/logout", Access::kUser, &Api::Logout},
      {"GET", "/api/v1/me", Access::kUser, &Api::Me},
      {"GET", "/api/v1/auth/check", Access::kPublic, &Api::AuthCheck},
      {"POST", "/api/v1/ask", Access::kUser, &Api::Ask},
      {"POST", "/api/v1/search", Access::kUser, &Api::Search},
      {"GET", "/api/v1/documents/{id}", Access::kUser, &Api::GetDocument},
      {"GET", "/api/v1/documents/{id}/file", Access::kUser, &Api::GetDocumentFile},
      {"GET", "/api/v1/sources", Access::kAdmin, &Api::ListSources},
      {"POST", "/api/v1/crawl", Access::kAdmin, &Api::StartCrawl},
      {"GET", "/api/v1/crawl/runs", Access::kAdmin, &Api::ListCrawlRuns},
      {"POST", "/api/v1/feedback", Access::kUser, &Api::Feedback},
      {"GET", "/api/v1/conversations", Access::kUser, &Api::ListConversations},
      {"GET", "/api/v1/conversations/{id}", Access::kUser, &Api::GetConversation},
      {"DELETE", "/api/v1/conversations/{id}", Access::kUser, &Api::DeleteConversation},
      {"GET", "/v1/models", Access::kUser, &Api::Models},
      {"POST", "/v1/chat/completions", Access::kUser, &Api::ChatCompletions},
      {"GET", "/", Access::kPublic, &Api::Static},
      {"GET", "/static/{file}", Access::kPublic, &Api::Static},
  };
  return routes;
}

std::vector<std::pair<std::string, std::string>> Api::RouteList() {
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& route : Routes()) list.emplace_back(route.method, route.pattern);
  return list;
}

void Api::Send(Call& call, Response response) {
  call.status = response.status;
  call.exchange.Reply(std::move(response));
}

void Api::SendError(Call& call, int status, std::string_view code, std::string_view message) {
  Send(call, ErrorResponse(status, code, message));
}

void Api::SendResultError(Call& call, const Error& error) {
  // A lost database connection never recovers by itself: the worker opens new ones on its
  // next request (the embedded cluster is restarted by the DatabaseWatch).
  if (error.code == ErrorCode::kUnavailable) call.worker.Reset();
  const int status = StatusFor(error.code);
  if (status >= 500) {
    // The message of an internal or database error may name internals; the client gets a
    // generic sentence, the log the detail (never document text: errors carry none).
    log::Warn("server.request_failed",
              {{"route", call.route}, {"status", status}, {"error", error.ToString()}});
    SendError(call, status, CodeWord(error.code),
              status == 503 ? "a service Wissen depends on is unavailable; try again shortly"
                            : "internal error");
    return;
  }
  SendError(call, status, CodeWord(error.code), error.message);
}

std::optional<nlohmann::json> Api::JsonBody(Call& call) {
  const std::string& type = call.request.Header("content-type");
  if (type.rfind("application/json", 0) != 0) {
    SendError(call, 415, "unsupported_media_type", "expected Content-Type: application/json");
    return std::nullopt;
  }
  auto parsed = ParseUntrustedJson(call.request.body);
  if (!parsed) {
    SendError(call, 400, "invalid_json", "the request body is " + parsed.error().message);
    return std::nullopt;
  }
  nlohmann::json& json = *parsed;
  if (!json.is_object()) {
    SendError(call, 400, "invalid_json", "the request body must be a JSON object");
    return std::nullopt;
  }
  return std::move(json);
}

Result<std::optional<Identity>> Api::IdentifyCaller(Call& call) {
  auto accounts = call.worker.accounts();
  if (!accounts) return Fail(accounts.error());
  return authenticator_.Identify(call.request, **accounts);
}

bool Api::WithinRate(Call& call) {
  const int wait = request_limiter_.Acquire(std::to_string(call.identity->user_id));
  if (wait == 0) return true;
  metrics_.RateLimited();
  Response response = ErrorResponse(
      429, "rate_limited", "too many requests; try again in " + std::to_string(wait) + " seconds");
  response.AddHeader("Retry-After", std::to_string(wait));
  Send(call, std::move(response));
  return false;
}

void Api::CountRejected(const std::string& route, const std::string& method, int status) {
  if (status == 503) metrics_.QueueRejected();
  metrics_.ObserveRequest(route, method, status, 0);
}

void Api::Handle(Request request, Exchange& exchange, WorkerContext& worker) {
  Call call{
      request, exchange, worker, std::nullopt, "unmatched", 0, std::chrono::steady_clock::now()};
  RouteMatch match = MatchRoute(patterns_, request.method, request.path);
  if (request.method == "OPTIONS") {
    // No CORS: the chat is same-origin. Say what the path allows, with the usual headers.
    const std::string allow = AllowedMethods(patterns_, request.path);
    if (allow.empty()) {
      SendError(call, 404, "not_found", "no such endpoint");
    } else {
      Response response;
      response.status = 204;
      response.AddHeader("Allow", allow);
      Send(call, std::move(response));
    }
  } else if (match.index < 0) {
    if (match.status == 405) {
      SendError(call, 405, "method_not_allowed", "this method is not allowed here");
    } else {
      SendError(call, 404, "not_found", "no such endpoint");
    }
  } else {
    const Route<Handler>& route = Routes()[match.index];
    call.route = route.pattern;
    request.params = std::move(match.params);
    bool allowed = true;
    if (route.access != Access::kPublic) {
      Result<std::optional<Identity>> identity = IdentifyCaller(call);
      if (!identity) {
        SendResultError(call, identity.error());  // resets the worker when the database is gone
        allowed = false;
      } else {
        call.identity = std::move(*identity);
      }
    }
    if (allowed && route.access != Access::kPublic) {
      if (!call.identity) {
        SendError(call, 401, "unauthenticated", "log in or send an API key");
        allowed = false;
      } else if (route.access == Access::kAdmin && !call.identity->admin) {
        SendError(call, 403, "forbidden", "this needs the " + config_.auth.admin_role + " role");
        allowed = false;
      } else if (ChangesState(request.method) && !authenticator_.CsrfOk(request, *call.identity)) {
        SendError(call, 403, "csrf", "missing or wrong X-CSRF-Token header");
        allowed = false;
      } else if (!WithinRate(call)) {
        allowed = false;
      }
    }
    if (allowed) (this->*route.handler)(call);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call.started).count();
  metrics_.ObserveRequest(call.route, request.method, call.status, seconds);
}

}  // namespace wissen::server
